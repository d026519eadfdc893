import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { createEmbedder, type Embedder } from "../../src/embed/index.js";
import { chunkByBudget, MAX_WINDOW_CHARS, sampleEvenly, splitIntoWindows } from "../../src/embed/local.js";

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
  const originalConnect = net.Socket.prototype.connect;

  before(async () => {
    // Any attempt to reach the network while loading or embedding is recorded and refused.
    globalThis.fetch = async (input) => {
      networkAttempts.push(`fetch ${String(input)}`);
      throw new Error("network is off limits in this test");
    };
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      networkAttempts.push(`connect ${JSON.stringify(args[0])}`);
      throw new Error("network is off limits in this test");
    } as typeof net.Socket.prototype.connect;
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

  test("represents Latin-script text only", () => {
    assert.equal(embedder.represents("I love hiking"), true);
    assert.equal(embedder.represents("我喜欢徒步"), false);
  });

  test("never touched the network", () => {
    assert.deepEqual(networkAttempts, []);
  });
});

test("a closed local embedder refuses to embed", async () => {
  const embedder = await createEmbedder({ backend: "local" });
  await embedder.close();
  await assert.rejects(embedder.embed(["hello"]), /closed/);
});

test("loading and embedding print nothing", async () => {
  const moduleUrl = new URL("../../src/embed/local.ts", import.meta.url).href;
  const script = `
    const { createLocalEmbedder } = await import(${JSON.stringify(moduleUrl)});
    const embedder = await createLocalEmbedder();
    await embedder.embed(["hello world", ""]);
    await embedder.close();`;
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "--eval", script],
    { timeout: 20_000 },
  );
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

describe("chunkByBudget", () => {
  test("bounds each chunk by count and by characters, keeping order", () => {
    assert.deepEqual(chunkByBudget(["a", "b", "c", "d", "e"], 2, 100), [["a", "b"], ["c", "d"], ["e"]]);
    assert.deepEqual(chunkByBudget(["aaaa", "bb", "cc", "dddddd"], 10, 5), [["aaaa"], ["bb", "cc"], ["dddddd"]]);
    assert.deepEqual(chunkByBudget([], 2, 5), []);
  });
});
