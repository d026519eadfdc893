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

function embedQueriesOf(local: LocalEmbedder): (texts: string[]) => Promise<Float32Array[]> {
  return (texts) => (local.embedQueries ? local.embedQueries(texts) : local.embed(texts));
}
