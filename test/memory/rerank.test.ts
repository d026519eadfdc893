import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { parseConfig, ConfigError } from "../../src/config/index.js";
import { createLogger } from "../../src/logger.js";
import { startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";
import { startFakeReranker, type FakeReranker, type ScoreFunction } from "../support/fake-reranker.js";
import { startTestServer, textHits, type TestServer } from "../support/server.js";

const MEMORIES = [
  "I bought apples at the market yesterday",
  "Apples are my favourite fruit",
  "My brother grows apples and pears in his orchard",
  "The apple pie recipe needs cinnamon",
  "We talked about the weather in Lisbon",
];
const QUERY = "where can I get apples?";
/** The fake cross-encoder's judgement: an orchard is where apples come from. */
const BROTHER_FIRST = (_query: string, text: string) => (text.includes("orchard") ? 0.97 : text.includes("fruit") ? 0.6 : 0.05);

/** Lines a server logs at warn level and above, parsed. */
function logCapture(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger("warn", stream), lines };
}

interface Item {
  memory: string;
  metadata: { relativity: number };
}
const items = (body: { data: { text_mem: { memories: Item[] }[] } }): Item[] => body.data.text_mem[0]?.memories ?? [];

async function addMemories(server: TestServer): Promise<void> {
  const response = await server.post("/product/add", {
    user_id: "alice",
    messages: MEMORIES.map((content) => ({ role: "user", content })),
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
}

/**
 * A server searching with the fake embeddings and a fake reranker that scores by `score`; `env`
 * gets the reranker's URL and gives the server's reranker settings.
 */
async function rerankRig(
  score: ScoreFunction,
  env: (rerankerUrl: string) => Record<string, string>,
  logger?: ReturnType<typeof createLogger>,
): Promise<{ server: TestServer; reranker: FakeReranker; close: () => Promise<void> }> {
  const embeddings = await startFakeEmbeddings({ dimension: 32 });
  const reranker = await startFakeReranker({ score });
  const server = await startTestServer(
    { MOS_EMBEDDER_BACKEND: "universal_api", MOS_EMBEDDER_API_BASE: embeddings.url, MOS_EMBEDDER_MODEL: "fake", ...env(reranker.url) },
    undefined,
    logger,
  );
  return {
    server,
    reranker,
    close: async () => {
      await server.cleanup();
      await reranker.close();
      await embeddings.close();
    },
  };
}

describe("cross-encoder reranker", () => {
  let embeddings: FakeEmbeddings;
  let reranker: FakeReranker;
  let plain: TestServer;
  let reranked: TestServer;
  const log = logCapture();
  let builtInOrder: string[];

  before(async () => {
    embeddings = await startFakeEmbeddings({ dimension: 32 });
    reranker = await startFakeReranker({ apiKey: "rk-secret", score: BROTHER_FIRST });
    const embedderEnv = { MOS_EMBEDDER_BACKEND: "universal_api", MOS_EMBEDDER_API_BASE: embeddings.url, MOS_EMBEDDER_MODEL: "fake" };
    plain = await startTestServer(embedderEnv);
    reranked = await startTestServer(
      {
        ...embedderEnv,
        MOS_RERANKER_URL: `${reranker.url}/v1/rerank`,
        MOS_RERANKER_MODEL: "bge-reranker-v2-m3",
        MOS_RERANKER_API_KEY: "rk-secret",
        MOS_RERANKER_TIMEOUT_SECONDS: "0.3",
        MOS_RERANKER_RETRY_AFTER_SECONDS: "0",
      },
      undefined,
      log.logger,
    );
    await addMemories(plain);
    await addMemories(reranked);
    builtInOrder = textHits((await plain.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5 })).body);
  });
  after(async () => {
    await plain?.cleanup();
    await reranked?.cleanup();
    await reranker?.close();
    await embeddings?.close();
  });

  test("the built-in ranking alone does not put the brother's orchard first (else this suite proves nothing)", () => {
    assert.notEqual(builtInOrder[0], "My brother grows apples and pears in his orchard", builtInOrder.join(" | "));
  });

  test("search returns the reranker's order, with its scores as relativity", async () => {
    const response = await reranked.post("/product/search", { user_id: "alice", query: QUERY, top_k: 3 });
    assert.equal(response.status, 200);
    const found = items(response.body);
    assert.deepEqual(
      found.map((item) => item.memory),
      ["My brother grows apples and pears in his orchard", "Apples are my favourite fruit", found[2]?.memory],
    );
    assert.equal(found[0]?.metadata.relativity, 0.97);
    assert.equal(found[1]?.metadata.relativity, 0.6);
  });

  test("the reranker is asked with the protocol's fields and the API key", async () => {
    reranker.requests.length = 0;
    await reranked.post("/product/search", { user_id: "alice", query: QUERY, top_k: 2 });
    const request = reranker.requests[0];
    assert.ok(request);
    assert.equal(request.path, "/v1/rerank");
    assert.equal(request.headers.authorization, "Bearer rk-secret");
    const body = request.body as { model: string; query: string; documents: string[]; top_n: number };
    assert.equal(body.model, "bge-reranker-v2-m3");
    assert.equal(body.query, QUERY);
    // All the candidates go, not just top_k: the reranker may lift one from below the cut.
    assert.ok(body.documents.length > 2, JSON.stringify(body.documents));
    assert.ok(body.documents.includes("My brother grows apples and pears in his orchard"));
    assert.equal(body.top_n, body.documents.length);
  });

  test("a search's relativity threshold holds for the reranked relativities it returns", async () => {
    const builtIn = items((await plain.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5, dedup: "no" })).body);
    const threshold = 0.4;
    const lowRanked = builtIn.filter((item) => item.metadata.relativity >= threshold && BROTHER_FIRST(QUERY, item.memory) < threshold);
    assert.ok(lowRanked.length > 0, `a memory must pass the built-in cut but score low with the reranker: ${JSON.stringify(builtIn)}`);
    const response = await reranked.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5, dedup: "no", relativity: threshold });
    const found = items(response.body);
    assert.ok(found.length > 0);
    for (const item of found) assert.ok(item.metadata.relativity >= threshold, JSON.stringify(found));
  });

  test("a memory the reranker scores (about) 0 never shows a relativity of 0", async () => {
    reranker.setScore((_query, text) => (text.includes("orchard") ? 0.97 : 0.00001));
    try {
      const found = items((await reranked.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5, dedup: "no" })).body);
      assert.equal(found[0]?.memory, "My brother grows apples and pears in his orchard");
      assert.ok(found.length > 1);
      for (const item of found) assert.ok(item.metadata.relativity > 0, JSON.stringify(found));
    } finally {
      reranker.setScore(BROTHER_FIRST);
    }
  });

  test("a failing reranker: search answers in the built-in order and a warning is logged", async () => {
    reranker.failNext(503);
    const response = await reranked.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5 });
    assert.equal(response.status, 200);
    assert.deepEqual(textHits(response.body), builtInOrder);
    const warning = log.lines.find((line) => String(line.msg).startsWith("reranker failed"));
    assert.ok(warning, JSON.stringify(log.lines));
    assert.match(String(warning.error), /HTTP 503/);
    assert.ok(!JSON.stringify(log.lines).includes("rk-secret"), "the API key is never logged");
    const metrics = await fetch(`${reranked.url}/metrics`).then((reply) => reply.text());
    assert.match(metrics, /^memcube_reranker_failures_total\{reranker="[^"]+"\} 1$/m, "the failure is counted in /metrics");

    // Tried again at the next search (MOS_RERANKER_RETRY_AFTER_SECONDS=0 here).
    const again = await reranked.post("/product/search", { user_id: "alice", query: QUERY, top_k: 1 });
    assert.deepEqual(textHits(again.body), ["My brother grows apples and pears in his orchard"]);
  });

  test("a slow reranker: search gives up on it after the timeout and answers in the built-in order", { timeout: 30_000 }, async () => {
    log.lines.length = 0;
    reranker.delayNext(5000);
    const abandoned = reranker.nextAbandoned();
    const response = await reranked.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5 });
    await abandoned; // the request was aborted, its connection closed: nothing waits 5 s for the answer
    assert.equal(response.status, 200);
    assert.deepEqual(textHits(response.body), builtInOrder);
    assert.match(String(log.lines.find((line) => String(line.msg).startsWith("reranker failed"))?.error), /no answer within 300 ms/);
  });

  test("a wrong API key is a failure like any other: search still answers", async () => {
    const wrongKey = await startTestServer({
      MOS_EMBEDDER_BACKEND: "universal_api",
      MOS_EMBEDDER_API_BASE: embeddings.url,
      MOS_EMBEDDER_MODEL: "fake",
      MOS_RERANKER_URL: reranker.url,
      MOS_RERANKER_API_KEY: "wrong",
    });
    try {
      await addMemories(wrongKey);
      const response = await wrongKey.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5 });
      assert.equal(response.status, 200);
      assert.deepEqual(textHits(response.body), builtInOrder);
    } finally {
      await wrongKey.cleanup();
    }
  });
});

describe("TEI's native protocol", () => {
  test("a bare URL gets /rerank, the body has texts and truncate, the answer [{index, score}] is read", async () => {
    const { server, reranker, close } = await rerankRig(BROTHER_FIRST, (url) => ({
      MOS_RERANKER_URL: url,
      MOS_RERANKER_PROTOCOL: "tei",
    }));
    try {
      await addMemories(server);
      const response = await server.post("/product/search", { user_id: "alice", query: QUERY, top_k: 1 });
      assert.deepEqual(textHits(response.body), ["My brother grows apples and pears in his orchard"]);
      const request = reranker.requests[0];
      assert.equal(request?.path, "/rerank");
      assert.equal(request?.headers.authorization, undefined);
      const body = request?.body as Record<string, unknown>;
      assert.equal(body.query, QUERY);
      assert.ok(Array.isArray(body.texts));
      assert.equal(body.truncate, true);
      assert.equal(body.documents, undefined);
    } finally {
      await close();
    }
  });
});

describe("MOS_RERANKER_RETRY_AFTER_SECONDS", () => {
  test("a dead service is left alone for a while, but a request it refuses (400: too long for the model) pauses nothing", async () => {
    const { server, reranker, close } = await rerankRig(BROTHER_FIRST, (url) => ({
      MOS_RERANKER_URL: url,
      MOS_RERANKER_RETRY_AFTER_SECONDS: "600",
    }));
    const first = async () => textHits((await server.post("/product/search", { user_id: "alice", query: QUERY, top_k: 1 })).body)[0];
    const ORCHARD = "My brother grows apples and pears in his orchard";
    try {
      await addMemories(server);
      reranker.failNext(400);
      assert.notEqual(await first(), ORCHARD, "the refused search keeps the built-in order");
      assert.equal(await first(), ORCHARD, "the next search is reranked");
      reranker.failNext(503);
      assert.notEqual(await first(), ORCHARD);
      const asked = reranker.requests.length;
      assert.notEqual(await first(), ORCHARD, "after a 503 the reranker is paused");
      assert.equal(reranker.requests.length, asked);
    } finally {
      await close();
    }
  });
});

describe("credentials in MOS_RERANKER_URL", () => {
  test("user:password@ (basic auth in front of the service) is sent as a Basic header (fetch refuses such URLs)", async () => {
    const { server, reranker, close } = await rerankRig(BROTHER_FIRST, (url) => ({
      MOS_RERANKER_URL: url.replace("http://", "http://ops:s%40cret@"),
    }));
    try {
      await addMemories(server);
      const response = await server.post("/product/search", { user_id: "alice", query: QUERY, top_k: 1 });
      assert.deepEqual(textHits(response.body), ["My brother grows apples and pears in his orchard"]);
      assert.equal(reranker.requests[0]?.headers.authorization, `Basic ${Buffer.from("ops:s@cret").toString("base64")}`);
    } finally {
      await close();
    }
  });
});

describe("a wrong route", () => {
  test("the warning of a 404 says which route each server serves (Infinity has no /v1 unless told)", async () => {
    const log = logCapture();
    const { server, close } = await rerankRig(BROTHER_FIRST, (url) => ({ MOS_RERANKER_URL: `${url}/v2/rerank` }), log.logger);
    try {
      await addMemories(server);
      const response = await server.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5 });
      assert.equal(response.status, 200);
      const warning = String(log.lines.find((line) => String(line.msg).startsWith("reranker failed"))?.error);
      assert.match(warning, /HTTP 404/);
      assert.match(warning, /MOS_RERANKER_URL.*Infinity serves \/rerank unless started with --url-prefix \/v1/);
    } finally {
      await close();
    }
  });
});

describe("TEI's limit of 32 texts per request", () => {
  const ORCHARD = "My brother grows apples in his orchard";
  test("more candidates than that go in several requests, and the best of the last one can still come first", async () => {
    const { server, reranker, close } = await rerankRig(
      (_query, text) => (text.includes("orchard") ? 0.99 : 0.1),
      (url) => ({
        MOS_RERANKER_URL: url,
        MOS_RERANKER_PROTOCOL: "tei",
        MOS_RERANKER_TOP_N: "100",
      }),
    );
    try {
      const notes = Array.from({ length: 44 }, (_, index) => `Apples note ${index}: apples again`);
      const added = await server.post("/product/add", {
        user_id: "alice",
        messages: [...notes, ORCHARD].map((content) => ({ role: "user", content })),
      });
      assert.equal(added.status, 200);
      const response = await server.post("/product/search", { user_id: "alice", query: "apples", top_k: 20, dedup: "no" });
      assert.equal(response.status, 200);
      const sent = reranker.requests.map((request) => (request.body as { texts: string[] }).texts);
      assert.ok(sent.length > 1, `one request of ${sent[0]?.length} texts`);
      assert.ok(
        sent.every((texts) => texts.length <= 32),
        JSON.stringify(sent.map((texts) => texts.length)),
      );
      assert.ok(sent.slice(1).flat().includes(ORCHARD), "the orchard must be sent after the first 32 for this test");
      const found = items(response.body);
      assert.equal(found[0]?.memory, ORCHARD);
      assert.equal(found[0]?.metadata.relativity, 0.99);
      assert.equal(found[1]?.metadata.relativity, 0.1);
    } finally {
      await close();
    }
  });
});

describe("MOS_RERANKER_TOP_N", () => {
  test("only the best N are reranked; the rest follow in the built-in order, never above them", async () => {
    const embeddings = await startFakeEmbeddings({ dimension: 32 });
    // Prefers the built-in runner-up to the built-in winner; would prefer the orchard most, were it sent.
    const reranker = await startFakeReranker({ score: (_query, text) => (text.includes("orchard") ? 0.99 : text.includes("market") ? 0.9 : 0.2) });
    const embedderEnv = { MOS_EMBEDDER_BACKEND: "universal_api", MOS_EMBEDDER_API_BASE: embeddings.url, MOS_EMBEDDER_MODEL: "fake" };
    const plain = await startTestServer(embedderEnv);
    const server = await startTestServer({ ...embedderEnv, MOS_RERANKER_URL: reranker.url, MOS_RERANKER_TOP_N: "2" });
    try {
      await addMemories(plain);
      await addMemories(server);
      const builtIn = textHits((await plain.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5, dedup: "no" })).body);
      const found = items((await server.post("/product/search", { user_id: "alice", query: QUERY, top_k: 5, dedup: "no" })).body);
      const head = builtIn.slice(0, 2);
      assert.ok(!head.some((text) => text.includes("orchard")), `the orchard must be outside the top 2 for this test: ${builtIn.join(" | ")}`);
      assert.deepEqual(new Set(found.slice(0, 2).map((item) => item.memory)), new Set(head));
      assert.deepEqual(
        found.slice(2).map((item) => item.memory),
        builtIn.slice(2),
      );
      assert.deepEqual((reranker.requests[0]?.body as { documents: string[] }).documents, head);
      const relativities = found.map((item) => item.metadata.relativity);
      assert.deepEqual(
        relativities,
        [...relativities].sort((a, b) => b - a),
      );
    } finally {
      await plain.cleanup();
      await server.cleanup();
      await reranker.close();
      await embeddings.close();
    }
  });
});

describe("raw scores", () => {
  test("logits (TEI raw_scores, some vLLM models) become relativities in 0..1 through a sigmoid, order kept", async () => {
    const { server, close } = await rerankRig(
      (_query, text) => (text.includes("orchard") ? 3 : text.includes("fruit") ? -1 : -6),
      (url) => ({
        MOS_RERANKER_URL: url,
      }),
    );
    try {
      await addMemories(server);
      const found = items((await server.post("/product/search", { user_id: "alice", query: QUERY, top_k: 2 })).body);
      assert.deepEqual(
        found.map((item) => [item.memory, item.metadata.relativity]),
        [
          ["My brother grows apples and pears in his orchard", Math.round(1e4 / (1 + Math.exp(-3))) / 1e4],
          ["Apples are my favourite fruit", Math.round(1e4 / (1 + Math.exp(1))) / 1e4],
        ],
      );
    } finally {
      await close();
    }
  });
});

describe("raw scores between 0 and 1", () => {
  test("logits are all squashed alike: one of 0.9 is not taken for a probability and ranked above one of 1.2", async () => {
    const { server, close } = await rerankRig(
      (_query, text) => (text.includes("orchard") ? 1.2 : text.includes("fruit") ? 0.9 : -4),
      (url) => ({
        MOS_RERANKER_URL: url,
      }),
    );
    try {
      await addMemories(server);
      const found = items((await server.post("/product/search", { user_id: "alice", query: QUERY, top_k: 2 })).body);
      assert.deepEqual(
        found.map((item) => [item.memory, item.metadata.relativity]),
        [
          ["My brother grows apples and pears in his orchard", Math.round(1e4 / (1 + Math.exp(-1.2))) / 1e4],
          ["Apples are my favourite fruit", Math.round(1e4 / (1 + Math.exp(-0.9))) / 1e4],
        ],
      );
    } finally {
      await close();
    }
  });
});

describe("reranker configuration", () => {
  const configError = (env: Record<string, string>, variable: string) =>
    assert.throws(
      () => parseConfig(env),
      (error: unknown) => error instanceof ConfigError && error.variable === variable,
    );

  test("off unless MOS_RERANKER_URL is set", () => {
    assert.equal(parseConfig({}).reranker, undefined);
  });
  test("defaults, and the route a base URL gets", () => {
    const config = parseConfig({ MOS_RERANKER_URL: "http://reranker:7997", MOS_RERANKER_MODEL: "bge-reranker-v2-m3" }).reranker;
    assert.deepEqual(config, {
      url: "http://reranker:7997/v1/rerank",
      protocol: "cohere",
      model: "bge-reranker-v2-m3",
      apiKey: undefined,
      candidates: 30,
      timeoutMs: 3000,
      retryAfterMs: 30_000,
    });
    assert.equal(parseConfig({ MOS_RERANKER_URL: "https://api.jina.ai/v1" }).reranker?.url, "https://api.jina.ai/v1/rerank");
    assert.equal(parseConfig({ MOS_RERANKER_URL: "http://tei:8080", MOS_RERANKER_PROTOCOL: "tei" }).reranker?.url, "http://tei:8080/rerank");
    assert.equal(parseConfig({ MOS_RERANKER_URL: "http://vllm:8000/score/rerank" }).reranker?.url, "http://vllm:8000/score/rerank");
  });
  test("bad values name their variable", () => {
    configError({ MOS_RERANKER_URL: "reranker:7997" }, "MOS_RERANKER_URL");
    configError({ MOS_RERANKER_URL: "ftp://reranker/v1/rerank" }, "MOS_RERANKER_URL");
    configError({ MOS_RERANKER_URL: "http://reranker", MOS_RERANKER_PROTOCOL: "jina" }, "MOS_RERANKER_PROTOCOL");
    configError({ MOS_RERANKER_URL: "http://reranker", MOS_RERANKER_TOP_N: "0" }, "MOS_RERANKER_TOP_N");
    configError({ MOS_RERANKER_URL: "http://reranker", MOS_RERANKER_TIMEOUT_SECONDS: "soon" }, "MOS_RERANKER_TIMEOUT_SECONDS");
    configError({ MOS_RERANKER_URL: "http://reranker", MOS_RERANKER_RETRY_AFTER_SECONDS: "-1" }, "MOS_RERANKER_RETRY_AFTER_SECONDS");
  });
});
