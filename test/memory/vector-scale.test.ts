/**
 * Relevance is calibrated on each embedder's own similarities: the bundled encoder and a
 * universal_api embedder whose scores are spread quite differently (the fake one's hashed bag of
 * words with a component all vectors share: unrelated texts score high) both put a paraphrase above chat's threshold and an unrelated sentence near 0.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createEmbedder, type Embedder } from "../../src/embed/index.js";
import { fuse } from "../../src/memory/rank.js";
import { DEFAULT_VECTOR_SCALE, measureVectorScale, vectorScaleOf, type VectorScale } from "../../src/memory/vector-scale.js";
import { startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";
import { startTestServer, type TestServer } from "../support/server.js";

// Not among the calibration texts.
const STATEMENT = "We adopted a dog from the shelter in March.";
const PARAPHRASE = "In March we adopted a shelter dog.";
const UNRELATED = "The bakery on the corner sells rye bread.";

async function relevances(embedder: Embedder, scale: VectorScale): Promise<{ paraphrase: number; unrelated: number }> {
  const [statement, paraphrase, unrelated] = (await embedder.embed([STATEMENT, PARAPHRASE, UNRELATED])) as [Float32Array, Float32Array, Float32Array];
  const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);
  return { paraphrase: fuse(cosine(statement, paraphrase), 0, scale), unrelated: fuse(cosine(statement, unrelated), 0, scale) };
}

describe("vector relevance per embedder", () => {
  let fake: FakeEmbeddings;
  let local: Embedder;
  let remote: Embedder;
  before(async () => {
    fake = await startFakeEmbeddings({ dimension: 256, sharedComponent: 1.5 });
    local = await createEmbedder({ backend: "local" });
    remote = await createEmbedder({ backend: "universal_api", apiBase: fake.url, apiKey: "sk-test", model: "fake-embedding", dimensions: undefined });
  });
  after(async () => {
    await local.close();
    await remote.close();
    await fake.close();
  });

  test("the bundled encoder measures to the scale it was tuned with", async () => {
    const scale = await measureVectorScale(local);
    assert.ok(Math.abs(scale.floor - DEFAULT_VECTOR_SCALE.floor) < 0.05, JSON.stringify(scale));
    assert.ok(Math.abs(scale.span - DEFAULT_VECTOR_SCALE.span) < 0.05, JSON.stringify(scale));
  });

  test("another embedder gets its own scale, and a threshold means the same with both", async () => {
    const localScale = await measureVectorScale(local);
    const remoteScale = await measureVectorScale(remote);
    assert.ok(Math.abs(remoteScale.floor - localScale.floor) > 0.05 || Math.abs(remoteScale.span - localScale.span) > 0.05, JSON.stringify(remoteScale));
    for (const [embedder, scale] of [
      [local, localScale],
      [remote, remoteScale],
    ] as const) {
      const { paraphrase, unrelated } = await relevances(embedder, scale);
      assert.ok(paraphrase >= 0.5, `${embedder.name}: paraphrase ${paraphrase}`);
      assert.ok(unrelated < 0.2, `${embedder.name}: unrelated ${unrelated}`);
    }
    // The fixed scale of the bundled encoder would not have told the fake embedder's paraphrase apart.
    const fixed = await relevances(remote, DEFAULT_VECTOR_SCALE);
    assert.ok(fixed.paraphrase < 0.5 || fixed.unrelated >= 0.2, JSON.stringify(fixed));
  });

  test("an embedder that is down gets the default scale, and is measured again once it is back", async () => {
    fake.failNext(503, 10);
    assert.deepEqual(await vectorScaleOf(remote), DEFAULT_VECTOR_SCALE);
    const measured = await vectorScaleOf(remote);
    assert.notDeepEqual(measured, DEFAULT_VECTOR_SCALE);
    assert.equal(await vectorScaleOf(remote), measured);
  });
});

describe("search with an embedder whose unrelated texts score high", () => {
  let fake: FakeEmbeddings;
  let server: TestServer;
  before(async () => {
    fake = await startFakeEmbeddings({ dimension: 256, sharedComponent: 1.5 });
    server = await startTestServer({
      MOS_EMBEDDER_BACKEND: "universal_api",
      MOS_EMBEDDER_API_BASE: fake.url,
      MOS_EMBEDDER_API_KEY: "sk-embed-test",
      MOS_EMBEDDER_MODEL: "fake-embed-1",
    });
    const messages = [STATEMENT, UNRELATED, "Our team meeting moved to Thursday.", "The heating broke again last night."].map((content) => ({
      role: "user",
      content,
    }));
    const added = await server.post("/product/add", { user_id: "calibrated", messages, mode: "fast" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
  });
  after(async () => {
    await server.cleanup();
    await fake.close();
  });

  test("only the memory that says what the query says reaches chat's threshold", async () => {
    const response = await server.post("/product/search", { user_id: "calibrated", query: PARAPHRASE, top_k: 10 });
    assert.equal(response.status, 200);
    const hits = response.body.data.text_mem[0].memories as { memory: string; metadata: { relativity: number } }[];
    const above = hits.filter((hit) => hit.metadata.relativity >= 0.5).map((hit) => hit.memory);
    assert.deepEqual(above, [STATEMENT], hits.map((hit) => `${hit.memory} ${hit.metadata.relativity}`).join(" | "));
  });
});
