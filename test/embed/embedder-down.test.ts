/**
 * The embedding service (universal_api) failing is not a bug of memcube's: an add or a search that
 * needs it is a 502 saying the embedding service failed (with its status), not a 500 "internal
 * server error"; its error text, key redacted, goes to the log only; nothing is stored.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";
import { startTestServer, type TestServer } from "../support/server.js";

const KEY = "emb-Secret/9+8=7LongTailXyZ12";
let embeddings: FakeEmbeddings;
let server: TestServer;
before(async () => {
  embeddings = await startFakeEmbeddings({ apiKey: KEY });
  server = await startTestServer({
    MOS_EMBEDDER_BACKEND: "universal_api",
    MOS_EMBEDDER_API_BASE: embeddings.url,
    MOS_EMBEDDER_MODEL: "fake",
    MOS_EMBEDDER_API_KEY: KEY,
  });
});
after(async () => {
  await server.cleanup();
  await embeddings.close();
});

const refusal = JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } });

test("an add while the embedding service refuses: 502 naming the service and its status, nothing stored", async () => {
  embeddings.failNext(401, 1, refusal); // a refusal is not retried
  const response = await server.post("/product/add", { user_id: "down", messages: [{ role: "user", content: "embedded by a service that is down" }] });
  assert.equal(response.status, 502, JSON.stringify(response.body));
  assert.match(response.body.message, /^the embedding service failed \(upstream HTTP 401\)/);
  assert.ok(!JSON.stringify(response.body).includes("LongTail"), "no part of the key");
  const exists = await server.post("/product/exist_mem_cube_id", { user_id: "down", mem_cube_id: "down" });
  assert.equal(exists.body.data.down, false);
});

test("a search while the embedding service fails: 502 too", async () => {
  const stored = await server.post("/product/add", { user_id: "down2", messages: [{ role: "user", content: "stored while the service worked" }] });
  assert.equal(stored.status, 200, JSON.stringify(stored.body));
  embeddings.failNext(503, 5);
  const response = await server.post("/product/search", { user_id: "down2", query: "a query the service cannot embed now" });
  assert.equal(response.status, 502, JSON.stringify(response.body));
  assert.match(response.body.message, /^the embedding service failed \(upstream HTTP 503\)/);
});
