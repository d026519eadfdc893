import type { Store } from "../store/store.js";

/** How many memories `reembedAll` will walk (the same listing, counted ahead for the progress bar). */
export async function countMemoryTexts(store: Store, batchSize = 2000): Promise<number> {
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const batch = await store.memoryTexts(after, batchSize);
    if (batch.length === 0) return count;
    count += batch.length;
    after = batch[batch.length - 1]?.id;
  }
}
