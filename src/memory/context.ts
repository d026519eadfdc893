import type { Embedder } from "../embed/embedder.js";
import type { ChatModel } from "../llm/chat-model.js";
import type { Store } from "../store/store.js";
import type { RerankStage } from "./rerank-stage.js";
import type { ChunkBudget, FetchPolicy } from "../documents/index.js";

/** How files sent to add are read: their size limit, the chunk budget, and whether URLs are fetched. */
export interface DocumentSettings {
  /** Largest file, in bytes (MEMCUBE_DOCUMENT_MAX_BYTES). */
  maxBytes: number;
  budget: ChunkBudget;
  /** URLs in file_data: fetched only by this policy (its allowHosts empty: never). */
  fetch: FetchPolicy;
}

/** What the memory domain works with; built once at start-up. */
export interface MemoryContext {
  store: Store;
  embedder: Embedder;
  /** Injected so tests can pin "now". */
  now: () => Date;
  /**
   * With API keys: the users whose default cube (id = user id) is theirs alone, even while it does
   * not exist (e.g. after they deleted it): nobody else may create it.
   */
  reservedCubes?: ReadonlySet<string>;
  /** Per-cube limits on active memories and their bytes (0: none); checked before each add. */
  cubeQuota?: { maxMemories: number; maxBytes: number };
  /** The optional cross-encoder that reorders search results (MOS_RERANKER_URL). */
  reranker?: RerankStage;
  /** Fine mode: present when an extraction model is configured. */
  fine?: FineMode;
  /** Left out: the defaults (10 MiB files, URLs never fetched). */
  documents?: DocumentSettings;
  /** The job runner that stores documents added with async_mode "async" (present whenever this process runs jobs). */
  documentJobs?: JobControl;
}

export interface FineMode {
  /** The extraction model (MEMRADER_* or MEMCUBE_EXTRACT_MODEL). */
  model: ChatModel;
  jobs: JobControl;
}

/** The job runner, as the request side sees it. */
export interface JobControl {
  /** Work was queued by this process: look now instead of at the next poll. */
  wake(): void;
  /**
   * Runs these jobs in the calling request (or waits while another runner has them) until each is
   * finished, has had one attempt here, or the deadline (epoch ms) passes. Never throws for a job's failure.
   */
  settle(taskIds: readonly string[], deadline: number): Promise<void>;
}
