/**
 * An aborted call of the universal_api embedder (its client has gone, the server is stopping):
 * the requests in flight are cancelled and no further request is sent. Counted on the fake
 * embeddings server; the order of events comes from holding its answers, not from timings.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOpenAIEmbedder, MAX_CONCURRENT_REQUESTS, MAX_INPUTS_PER_REQUEST } from "../../src/embed/openai.js";
import type { Embedder } from "../../src/embed/embedder.js";
import { startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";

let fake: FakeEmbeddings;
let embedder: Embedder;
before(async () => {
  fake = await startFakeEmbeddings({ dimension: 16 });
  embedder = await createOpenAIEmbedder(
    { backend: "universal_api", apiBase: fake.url, apiKey: undefined, model: "fake", dimensions: undefined },
    { retryDelayMs: 5 },
  );
});
after(async () => {
  await embedder.close();
  await fake.close();
});

const requestsFor = (prefix: string) => fake.requests.filter((request) => JSON.stringify(request.body).includes(prefix)).length;

test("an abort cancels the requests in flight and sends no further one", async () => {
  const texts = Array.from({ length: MAX_INPUTS_PER_REQUEST * 10 }, (_, i) => `aborted import ${i}`);
  const hold = fake.hold();
  const controller = new AbortController();
  const settled = Promise.allSettled([embedder.embed(texts, { signal: controller.signal })]);
  await hold.arrived;
  controller.abort();
  await hold.abandoned; // the embedder closed a request it had in flight
  hold.release();
  const [outcome] = await settled;
  assert.equal(outcome?.status, "rejected");
  assert.equal(outcome.reason?.name, "AbortError");
  // A later call goes through; by then the aborted one would have sent its next requests.
  assert.equal((await embedder.embed(["a call after the abort"])).length, 1);
  const sent = requestsFor("aborted import");
  assert.ok(sent <= MAX_CONCURRENT_REQUESTS, `${sent} of 10 requests were sent; only those in flight at the abort may be`);
});

test("a call whose signal has already aborted sends nothing", async () => {
  await assert.rejects(embedder.embed(["never sent"], { signal: AbortSignal.abort() }), { name: "AbortError" });
  assert.equal(requestsFor("never sent"), 0);
});
