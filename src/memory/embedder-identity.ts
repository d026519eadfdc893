import type { Embedder } from "../embed/embedder.js";
import type { EmbedderIdentity, Store } from "../store/store.js";
import { DomainError } from "./errors.js";

const INCOMPLETE = " (re-embedding unfinished)";

const identityOf = (embedder: Embedder): EmbedderIdentity => ({ name: embedder.name, dimension: embedder.dimension });

const describe = (identity: EmbedderIdentity) => `${identity.name} (${identity.dimension} dimensions)`;

/**
 * A store's vectors are only comparable with the embedder that made them. A new store adopts the
 * configured embedder; a store made by another one is refused, never silently mixed.
 */
export async function ensureEmbedderMatches(store: Store, embedder: Embedder): Promise<void> {
  const recorded = await store.embedderIdentity();
  const configured = identityOf(embedder);
  if (!recorded) {
    await store.resetVectors(configured);
    return;
  }
  if (recorded.name === configured.name && recorded.dimension === configured.dimension) return;
  throw new DomainError(
    "unavailable",
    `the store's vectors were made by ${describe(recorded)} but the configured embedder is ${describe(configured)}: ` +
      "run `npm run reembed` (or `memcube reembed`) to re-embed every memory with the configured embedder, or configure the old one again",
  );
}

/** Re-embeds every active memory with the embedder; safe to run again if interrupted. */
export async function reembedAll(store: Store, embedder: Embedder, onProgress: (done: number) => void = () => {}, batchSize = 256): Promise<number> {
  const target = identityOf(embedder);
  await store.resetVectors({ ...target, name: target.name + INCOMPLETE });
  let done = 0;
  let after: string | undefined;
  for (;;) {
    const batch = await store.memoryTexts(after, batchSize);
    if (batch.length === 0) break;
    const meaningful = batch.filter((memory) => embedder.represents(memory.text));
    const vectors = await embedder.embed(meaningful.map((memory) => memory.text));
    await store.setVectors(meaningful.map((memory, index) => ({ id: memory.id, vector: vectors[index] as Float32Array })));
    done += batch.length;
    after = batch[batch.length - 1]?.id;
    onProgress(done);
  }
  await store.recordEmbedder(target);
  return done;
}
