import type { Embedder } from "../embed/embedder.js";
import type { Store } from "../store/store.js";

/** What the memory domain works with; built once at start-up. */
export interface MemoryContext {
  store: Store;
  embedder: Embedder;
  /** Injected so tests can pin "now". */
  now: () => Date;
}
