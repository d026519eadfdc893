import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createEmbedder } from "../../src/embed/index.js";
import { createOpenAIEmbedder, MAX_CHARS_PER_INPUT, MAX_INPUTS_PER_REQUEST, type UniversalApiEmbedderConfig } from "../../src/embed/openai.js";
import { UpstreamRequestError } from "../../src/upstream-http.js";
import { fakeEmbedding, startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";

const API_KEY = "sk-test-secret-0123456789";
const FAST = { retryDelayMs: 5 };

function configFor(fake: FakeEmbeddings, overrides: Partial<UniversalApiEmbedderConfig> = {}): UniversalApiEmbedderConfig {
  return { backend: "universal_api", apiBase: fake.url, apiKey: API_KEY, model: "text-embedding-v4", dimensions: undefined, ...overrides };
}

function unit(vector: number[]): number[] {
  const length = Math.hypot(...vector);
  return vector.map((value) => value / length);
}

function assertClose(actual: Float32Array | undefined, expected: number[]): void {
  assert.ok(actual);
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => assert.ok(Math.abs(value - (expected[i] ?? NaN)) < 1e-6, `differs at ${i}`));
}

const inputsOf = (body: unknown) => (body as { input: string[] }).input;

describe("universal_api embedder", () => {
  let fake: FakeEmbeddings;

  before(async () => {
    // maxInputs and reverseOrder make the fake behave like the awkward endpoints we must handle.
    fake = await startFakeEmbeddings({ dimension: 48, apiKey: API_KEY, maxInputs: MAX_INPUTS_PER_REQUEST, reverseOrder: true });
  });
  afterEach(() => {
    fake.requests.length = 0;
  });
  after(async () => {
    await fake.close();
  });

  test("probes the dimension once at creation and names itself after the model", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    assert.equal(embedder.dimension, 48);
    assert.equal(embedder.name, "universal_api:text-embedding-v4");
    assert.equal(fake.requests.length, 1);
    assert.equal(embedder.represents("我喜欢徒步"), true);
  });

  test("sends an OpenAI embeddings request with the key as a bearer token", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    await embedder.embed(["I love hiking"]);
    const request = fake.requests.at(-1);
    assert.ok(request);
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/v1/embeddings");
    assert.equal(request.headers.authorization, `Bearer ${API_KEY}`);
    assert.equal(request.headers["content-type"], "application/json");
    assert.deepEqual(request.body, { model: "text-embedding-v4", input: ["I love hiking"], encoding_format: "float" });
  });

  test("asks for the configured dimensions and sends no auth header without a key", async () => {
    const open = await startFakeEmbeddings();
    try {
      const embedder = await createOpenAIEmbedder(configFor(open, { apiKey: undefined, dimensions: 16 }), FAST);
      assert.equal(embedder.dimension, 16);
      const probe = open.requests[0];
      assert.ok(probe);
      assert.equal(probe.headers.authorization, undefined);
      assert.equal((probe.body as { dimensions: number }).dimensions, 16);
    } finally {
      await open.close();
    }
  });

  test("accepts a trailing slash on the API base", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake, { apiBase: `${fake.url}/` }), FAST);
    assert.equal(embedder.dimension, 48);
  });

  test("returns normalised vectors in input order, whatever the order of the response", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    const texts = ["hiking in the mountains", "the stock market fell", "mountains hiking trip"];
    const vectors = await embedder.embed(texts);
    texts.forEach((text, i) => assertClose(vectors[i], unit(fakeEmbedding(text, 48))));
  });

  test("splits large inputs into batches and keeps every vector in its place", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    fake.requests.length = 0;
    const texts = Array.from({ length: 35 }, (_, i) => `memory ${i} about topic${i}`);
    const vectors = await embedder.embed(texts);

    assert.equal(fake.requests.length, 4);
    const sent = fake.requests.flatMap((request) => inputsOf(request.body));
    assert.deepEqual([...sent].sort(), [...texts].sort());
    assert.ok(fake.requests.every((request) => inputsOf(request.body).length <= MAX_INPUTS_PER_REQUEST));
    texts.forEach((text, i) => assertClose(vectors[i], unit(fakeEmbedding(text, 48))));
  });

  test("answers no input without a request", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    fake.requests.length = 0;
    assert.deepEqual(await embedder.embed([]), []);
    assert.equal(fake.requests.length, 0);
  });

  test("gives blank texts a unit vector without sending them", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    fake.requests.length = 0;
    const [blank, word, empty] = await embedder.embed(["  ", "word", ""]);
    assert.deepEqual(
      fake.requests.map((request) => inputsOf(request.body)),
      [["word"]],
    );
    for (const vector of [blank, word, empty]) {
      assert.ok(vector);
      assert.equal(vector.length, 48);
      assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-6);
    }
  });

  test("cuts very long inputs", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    fake.requests.length = 0;
    await embedder.embed(["x".repeat(MAX_CHARS_PER_INPUT * 3)]);
    assert.equal(inputsOf(fake.requests[0]?.body)[0]?.length, MAX_CHARS_PER_INPUT);
  });

  test("retries 503 and 429, then succeeds", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    fake.requests.length = 0;
    fake.failNext(503);
    fake.failNext(429);
    const [vector] = await embedder.embed(["retry me"]);
    assertClose(vector, unit(fakeEmbedding("retry me", 48)));
    assert.equal(fake.requests.length, 3);
  });

  test("gives up after three attempts with the status in the error", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    fake.requests.length = 0;
    fake.failNext(502, 3);
    await assert.rejects(embedder.embed(["doomed"]), (error: unknown) => {
      assert.ok(error instanceof UpstreamRequestError);
      assert.equal(error.status, 502);
      assert.match(error.message, /HTTP 502/);
      return true;
    });
    assert.equal(fake.requests.length, 3);
  });

  test("does not retry 401 and never shows the key", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    fake.requests.length = 0;
    // A server that echoes the key back must not leak it either.
    fake.failNext(401, 1, JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}` } }));
    await assert.rejects(embedder.embed(["hello"]), (error: unknown) => {
      assert.ok(error instanceof UpstreamRequestError);
      assert.equal(error.status, 401);
      assert.match(error.message, /HTTP 401/);
      assert.match(error.message, /Incorrect API key/);
      assert.ok(!error.message.includes(API_KEY), error.message);
      return true;
    });
    assert.equal(fake.requests.length, 1);
  });

  test("fails creation clearly when the key is wrong", async () => {
    await assert.rejects(createOpenAIEmbedder(configFor(fake, { apiKey: "sk-wrong-key" }), FAST), (error: unknown) => {
      assert.ok(error instanceof UpstreamRequestError);
      assert.match(error.message, /HTTP 401/);
      assert.ok(!error.message.includes("sk-wrong-key"));
      return true;
    });
  });

  test("reports a response that is not JSON", async () => {
    const embedder = await createOpenAIEmbedder(configFor(fake), FAST);
    fake.garbageNext();
    await assert.rejects(embedder.embed(["hello"]), /malformed response: not JSON/);
  });

  test("reports an endpoint that ignores the dimensions asked for", async () => {
    const fixed = await startFakeEmbeddings({ dimension: 32, ignoreDimensions: true });
    try {
      await assert.rejects(
        createOpenAIEmbedder(configFor(fixed, { dimensions: 16 }), FAST),
        /returned 32-dimensional vectors .* 16 were asked for.*MOS_EMBEDDER_DIMENSIONS/,
      );
    } finally {
      await fixed.close();
    }
  });

  test("passes on the endpoint's message for a rejected request", async () => {
    await assert.rejects(createOpenAIEmbedder(configFor(fake, { dimensions: 0 }), FAST), /HTTP 400: .*dimensions must be a positive integer/);
  });

  test("times out an endpoint that never answers, retrying it", async () => {
    let attempts = 0;
    const silent = createServer(() => {
      attempts++; // and never answer
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const config = configFor(fake, { apiBase: `http://127.0.0.1:${port}/v1` });
      await assert.rejects(createOpenAIEmbedder(config, { timeoutMs: 50, retryDelayMs: 5 }), /no answer within 50 ms/);
      assert.equal(attempts, 3);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test("retries a refused connection, then reports it without the key", async () => {
    const gone = await startFakeEmbeddings();
    const config = configFor(gone);
    await gone.close();
    await assert.rejects(createOpenAIEmbedder(config, FAST), (error: unknown) => {
      assert.ok(error instanceof UpstreamRequestError);
      assert.equal(error.status, undefined);
      assert.match(error.message, /ECONNREFUSED/);
      assert.ok(!error.message.includes(API_KEY));
      return true;
    });
  });

  test("createEmbedder dispatches universal_api to this embedder", async () => {
    const embedder = await createEmbedder(configFor(fake));
    assert.equal(embedder.name, "universal_api:text-embedding-v4");
    await embedder.close();
    await assert.rejects(embedder.embed(["after close"]), /closed/);
  });
});
