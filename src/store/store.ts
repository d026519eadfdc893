import type {
  CubeAccess,
  CubeRecord,
  MemoryRecord,
  MemoryScope,
  MemoryVersion,
  MessageRecord,
  NewMemory,
  Page,
  ScoredId,
  SharedAccess,
} from "./types.js";

/** Identity of the embedder whose vectors a store holds. */
export interface EmbedderIdentity {
  name: string;
  dimension: number;
}

/** A write found a cube that is not the writer's to write (its access changed since it was checked). */
export class CubeWriteRefused extends Error {
  constructor(readonly cubeId: string) {
    super(`cube '${cubeId}' is not writable by this user`);
    this.name = "CubeWriteRefused";
  }
}

/** Messages with one memory each, written by one user. */
export interface ConversationBatch {
  userId: string;
  /** When the batch was written (for cubes it creates). */
  now: string;
  entries: readonly { message: MessageRecord; memory: NewMemory }[];
}

/** The result of writing a batch of messages with the memory made from each. */
export interface ConversationWrite {
  /** Message ids the cube already held; their messages and memories were left as they were. */
  existingMessageIds: string[];
}

/**
 * Persistence for users, cubes, messages, memories and their indexes. Every method is atomic: a
 * memory row, its vector and its keyword entry are written and removed together.
 */
export interface Store {
  readonly kind: string;
  close(): Promise<void>;

  /** The embedder recorded in the store, or undefined for a store that holds no vectors yet. */
  embedderIdentity(): Promise<EmbedderIdentity | undefined>;

  getCube(cubeId: string): Promise<CubeRecord | undefined>;
  /** Creates the cube (and its owner) unless the id is taken; returns false when it was. */
  createCube(cube: CubeRecord): Promise<boolean>;
  /** Removes the cube with its messages, memories, indexes and shares. */
  deleteCube(cubeId: string): Promise<void>;
  accessOf(cubeId: string, userId: string): Promise<CubeAccess | undefined>;
  /** Grants read or write access to another user; undefined revokes. */
  shareCube(cubeId: string, userId: string, access: SharedAccess | undefined): Promise<void>;

  /**
   * Stores messages with one memory each, in one transaction that also checks, at the moment of
   * writing, that the user may write every cube (throws CubeWriteRefused) and creates the missing
   * ones for the user. A message whose id the cube already holds is skipped.
   */
  addConversation(batch: ConversationBatch): Promise<ConversationWrite>;
  /** Active memories made from these messages of the cube. */
  memoriesFromMessages(cubeId: string, messageIds: readonly string[]): Promise<MemoryRecord[]>;

  getMemory(memoryId: string): Promise<MemoryRecord | undefined>;
  getMemories(memoryIds: readonly string[]): Promise<MemoryRecord[]>;
  listMemories(scope: MemoryScope, page?: Page, textContains?: string): Promise<{ memories: MemoryRecord[]; total: number }>;
  /** The latest active memories of a session, newest first. */
  recentMemories(cubeId: string, sessionId: string, limit: number): Promise<MemoryRecord[]>;
  memoryHistory(memoryId: string): Promise<MemoryVersion[]>;

  /** Nearest memories by cosine distance, nearest first (score = 1 - distance). */
  searchVectors(scope: MemoryScope, vector: Float32Array, limit: number): Promise<ScoredId[]>;
  /** Memories matching any of the words, best BM25 first (score = -bm25, higher is better). */
  searchKeywords(scope: MemoryScope, words: readonly string[], limit: number): Promise<ScoredId[]>;
  /**
   * How many active memories of the cube contain each word, and how many it holds. Per cube, so
   * that scores never reveal what other users' cubes contain.
   */
  wordFrequencies(cubeId: string, words: readonly string[]): Promise<{ documents: number; frequencies: Map<string, number> }>;
  vectorsOf(memoryIds: readonly string[]): Promise<Map<string, Float32Array>>;

  /** Ids of active memories in the scope (for deletes by session or filter). */
  memoryIds(scope: MemoryScope & { sessionId?: string }): Promise<string[]>;
  /**
   * Deletes memories of a cube from every index and forgets their source messages, except those
   * another active memory still cites. Returns how many memories were deleted.
   */
  deleteMemories(cubeId: string, memoryIds: readonly string[]): Promise<number>;

  /** Re-embedding: drop every vector and start an index for another embedder. */
  resetVectors(identity: EmbedderIdentity): Promise<void>;
  /** Records which embedder the vectors come from (without touching them). */
  recordEmbedder(identity: EmbedderIdentity): Promise<void>;
  /** Active memory ids with their text, in pages, for re-embedding. */
  memoryTexts(after: string | undefined, limit: number): Promise<{ id: string; cubeId: string; memoryType: string; text: string }[]>;
  setVectors(entries: readonly { id: string; vector: Float32Array }[]): Promise<void>;
}
