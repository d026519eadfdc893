/**
 * The local embedder's workers shared between requests: a small add or a search that arrives
 * while a large import is being embedded is answered before the import, not after it. Order of
 * events only, no timings.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createLocalEmbedder, type LocalEmbedder } from "../../src/embed/local.js";

let embedder: LocalEmbedder;
before(async () => {
  embedder = await createLocalEmbedder();
});
after(async () => {
  await embedder.close();
});

const importTexts = Array.from({ length: 300 }, (_, i) => `Imported note ${i}: ${"the quarterly planning meeting moved to Thursday. ".repeat(8)}`);

/** Which of the calls settled first, in order. */
async function finishingOrder(calls: Record<string, Promise<unknown>>): Promise<string[]> {
  const order: string[] = [];
  await Promise.all(Object.entries(calls).map(([name, call]) => call.then(() => order.push(name))));
  return order;
}

test("a 6-message add that arrives during a large import is embedded before the import", async () => {
  const large = embedder.embed(importTexts);
  await new Promise((resolve) => setImmediate(resolve)); // the import's first model call is under way
  const small = embedder.embed(Array.from({ length: 6 }, (_, i) => `Another user's message ${i} about lunch`));
  assert.deepEqual(await finishingOrder({ large, small }), ["small", "large"]);
});

test("a long search query that arrives during a large import is embedded before the import", async () => {
  const large = embedder.embed(importTexts);
  await new Promise((resolve) => setImmediate(resolve));
  const query = "where did the planning meeting move to? ".repeat(2_500); // 100,000 characters: 8 windows
  const search = embedQueriesOf(embedder)([query]);
  assert.deepEqual(await finishingOrder({ large, search }), ["search", "large"]);
});

test("an aborted import makes no model call after the one under way", async () => {
  const controller = new AbortController();
  const large = embedder.embed(importTexts, { signal: controller.signal });
  const settled = Promise.allSettled([large]);
  await new Promise((resolve) => setImmediate(resolve)); // its first model call is under way
  const callsAtAbort = embedder.stats().modelCalls;
  controller.abort();
  const [outcome] = await settled;
  assert.equal(outcome?.status, "rejected");
  // The next call is embedded after whatever was running at the abort; nothing of the import is.
  await embedder.embed(["a call after the abort"]);
  assert.ok(embedder.stats().modelCalls <= callsAtAbort + 1, `${embedder.stats().modelCalls - callsAtAbort} model calls after the abort`);
});

test("an identical query asked twice at once: the caller that leaves does not fail the other", async () => {
  const leaving = new AbortController();
  const query = "which café did we like in Lisbon?";
  const left = Promise.allSettled([embedQueriesOf(embedder)([query], leaving.signal)]);
  const stayed = embedQueriesOf(embedder)([query]);
  leaving.abort();
  assert.equal((await left)[0]?.status, "rejected");
  assert.equal((await stayed)[0]?.length, 512);
});

function embedQueriesOf(local: LocalEmbedder): (texts: string[], signal?: AbortSignal) => Promise<Float32Array[]> {
  const options = (signal?: AbortSignal) => (signal ? { signal } : {});
  return (texts, signal) => (local.embedQueries ? local.embedQueries(texts, options(signal)) : local.embed(texts, options(signal)));
}
