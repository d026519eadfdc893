import type {
  CubeAccess,
  CubeRecord,
  JobClaim,
  JobCount,
  JobOutcome,
  JobRecord,
  MemoryRecord,
  MemoryScope,
  MemoryText,
  MemoryVersion,
  MessageRecord,
  NewJob,
  NewMemory,
  Page,
  Refinement,
  RefinementWrite,
  ScoredId,
  SharedAccess,
  UserCube,
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

/**
 * A job write found that the job is no longer the runner's: its lease lapsed and another runner
 * took it, or it was deleted with its cube. Nothing was written.
 */
export class JobLeaseLost extends Error {
  constructor(readonly jobId: number) {
    super(`job ${jobId} is no longer held by this runner`);
    this.name = "JobLeaseLost";
  }
}

/** Counts for operators (`GET /metrics`). */
export interface StoreStats {
  /** Active memories. */
  memories: number;
  cubes: number;
  jobs: { queued: number; running: number; parked: number };
  /** The oldest `run_after` of the queued jobs that are due now (null when none waits). */
  oldestDueAt: string | null;
}

/** Messages with one memory each, written by one user. */
export interface ConversationBatch {
  userId: string;
  /** When the batch was written (for cubes it creates). */
  now: string;
  entries: readonly { message: MessageRecord; memory: NewMemory }[];
  /**
   * Follow-up jobs over the batch's messages, enqueued in the same transaction (so no message is
   * stored without its job). A job whose messages the cube already held is not enqueued.
   */
  jobs?: readonly NewJob[];
  /**
   * Jobs that cover no message of the batch (a document job, which writes its chunks itself),
   * enqueued in the same transaction after the user's right to write their cubes is checked.
   * Their messageIds are ignored.
   */
  standaloneJobs?: readonly NewJob[];
}

/** The result of writing a batch of messages with the memory made from each. */
export interface ConversationWrite {
  /** Message ids the cube already held; their messages and memories were left as they were. */
  existingMessageIds: string[];
  /** The jobs enqueued, with the messages each covers. */
  jobs: { taskId: string; cubeId: string; messageIds: string[] }[];
}

/** What erasing a user removed (`user`: whether the user row existed). */
export interface UserErasure {
  user: boolean;
  /** Cubes the user owned, removed with everything in them and their shares. */
  cubes: number;
  /** Memory rows (active and archived versions), in the user's cubes and written by them elsewhere. */
  memories: number;
  /** Messages: those of the user's cubes, and those elsewhere no remaining memory cites. */
  messages: number;
  jobs: number;
  /** The user's access to cubes of others. */
  shares: number;
}

/** A memory set aside by a soft delete (delete_memory_by_record_id), until it is recovered or purged. */
export interface SoftDeletedMemory {
  cubeId: string;
  id: string;
  /** The record id of the delete that set it aside. */
  recordId: string;
  deletedAt: string;
}

/** Which memories set aside to list: of one cube (and record id), or of any cube set aside before a time. */
export interface SoftDeletedQuery {
  cubeId?: string;
  recordId?: string;
  deletedBefore?: string;
  limit: number;
}

/** What a runner asks for when it claims a job. */
export interface ClaimRequest {
  kinds: readonly string[];
  workerId: string;
  now: string;
  /** The lease: the claim lapses at this time unless renewed. */
  leaseUntil: string;
  /** Claim this job only, even before its `runAfter` (a synchronous request running its own job). */
  taskId?: string;
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
  /**
   * Erases a user in one transaction: every cube they own (as deleteCube), the memories they wrote
   * into cubes of others (as deleteMemories), their jobs, their access to others' cubes, their chat
   * token counts and the user row. Erasing an unknown user removes nothing.
   */
  deleteUser(userId: string): Promise<UserErasure>;
  accessOf(cubeId: string, userId: string): Promise<CubeAccess | undefined>;
  /** The cubes a user owns or was given access to, by id, with their active memories. */
  cubesOf(userId: string): Promise<UserCube[]>;
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
  /**
   * Only the type, status and text of these memories, in the order asked (missing ones left out):
   * a cheap read for a search step that sifts many memories by their text before reading the few it keeps.
   */
  memoryTextsOf(memoryIds: readonly string[]): Promise<MemoryText[]>;
  listMemories(scope: MemoryScope, page?: Page, textContains?: string): Promise<{ memories: MemoryRecord[]; total: number }>;
  /**
   * The latest active memories of a session, the last stored first: by storing time, which the session
   * index holds (by `chat_time` a session of 180,000 memories was sorted whole on every search).
   */
  recentMemories(cubeId: string, sessionId: string, limit: number): Promise<MemoryRecord[]>;
  memoryHistory(memoryId: string): Promise<MemoryVersion[]>;

  /** Whether the scope holds any active memory (a cheap check that lets searches skip empty scopes). */
  hasMemories(scope: MemoryScope): Promise<boolean>;
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
   * Deletes memories of a cube, with the archived versions they replaced, from every index and
   * forgets their source messages, except those another active or soft-deleted memory still cites. Returns how
   * many of the given memories were deleted.
   */
  deleteMemories(cubeId: string, memoryIds: readonly string[]): Promise<number>;

  /**
   * Soft delete: every active memory of the cube is set aside under the record id (status
   * "deleted"), in one transaction. It leaves every read, search and count, its row, history and
   * messages stay (still counted in the cube's bytes) until it is recovered or purged (deleteMemories).
   * Returns how many were set aside.
   */
  softDeleteMemories(cubeId: string, recordId: string, now: string): Promise<number>;
  /** Brings back, active again, the memories of the cube set aside under the record id; how many. */
  recoverMemories(cubeId: string, recordId: string): Promise<number>;
  /** Memories set aside, oldest first: of a cube and record id, or of any cube set aside before a time. */
  softDeletedMemories(query: SoftDeletedQuery): Promise<SoftDeletedMemory[]>;

  /** Re-embedding: drop every vector and start an index for another embedder. */
  resetVectors(identity: EmbedderIdentity): Promise<void>;
  /** Records which embedder the vectors come from (without touching them). */
  recordEmbedder(identity: EmbedderIdentity): Promise<void>;
  /** Active and soft-deleted memory ids with their text, in pages, for re-embedding (a recovered memory needs its vector). */
  memoryTexts(after: string | undefined, limit: number): Promise<{ id: string; cubeId: string; memoryType: string; text: string }[]>;
  setVectors(entries: readonly { id: string; vector: Float32Array }[]): Promise<void>;

  /** Active memories of a cube whose key is one of these (case-insensitive), newest first. */
  memoriesByKey(cubeId: string, keys: readonly string[], limit: number): Promise<MemoryRecord[]>;
  /** Messages of a cube by id, oldest first; forgotten ones are absent. */
  getMessages(cubeId: string, messageIds: readonly string[]): Promise<MessageRecord[]>;
  /** Up to `limit` messages of a session said before `before`, oldest first. */
  messagesBefore(cubeId: string, sessionId: string, before: string, limit: number): Promise<MessageRecord[]>;
  /**
   * For each message id, the next message of its session (by chat time, then insertion order):
   * the reply a short answer's question is missing. Ids without a next message are left out.
   */
  followingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>>;
  /**
   * For each message id, the message before it in its session (the same order as followingMessages):
   * what a turn answers or continues. Ids that open their session are left out.
   */
  precedingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>>;

  /**
   * Claims the oldest job that is ready: queued and due, or running under a lapsed lease (its
   * runner died). Jobs of one cube run one at a time, in order: a job waits while an earlier job
   * of its cube is queued or running. Atomic across processes; increments `attempts`.
   */
  claimJob(request: ClaimRequest): Promise<JobRecord | undefined>;
  /** Extends a claim; false when the job is no longer this runner's. */
  renewJob(claim: JobClaim, leaseUntil: string): Promise<boolean>;
  /** Ends a claim; false (and nothing written) when the job is no longer this runner's. */
  finishJob(claim: JobClaim, outcome: JobOutcome, now: string): Promise<boolean>;
  /**
   * Writes what a refinement job derived and completes the job, in one transaction fenced on the
   * claim (throws JobLeaseLost). Derived memories citing a message that is gone (forgotten by a
   * delete meanwhile) are not written, and the raw memories they were to replace stay.
   */
  commitRefinement(refinement: Refinement): Promise<RefinementWrite>;
  getJob(taskId: string): Promise<JobRecord | undefined>;
  /** A user's jobs, newest first. */
  listJobs(userId: string, limit: number): Promise<JobRecord[]>;
  /** How many of a user's jobs are queued or running. */
  countUnfinishedJobs(userId: string): Promise<number>;
  /** Jobs counted by user, cube, kind and state: one user's, or everyone's when no user is given. */
  countJobs(userId?: string): Promise<JobCount[]>;
  /** Deletes finished (done) jobs last updated before the time; returns how many. */
  pruneJobs(finishedBefore: string): Promise<number>;

  // ---- operations ----

  /** Schema versions applied and known to this build; throws when the store cannot be reached. */
  schemaStatus(): Promise<{ applied: number; latest: number }>;
  /** Counts for `GET /metrics`; `now` decides which queued jobs are due. */
  stats(now: string): Promise<StoreStats>;
  /**
   * For cube quotas: the cube's active memories, and the UTF-8 bytes it stores: its messages' content,
   * its memories' (active and archived) text, key and background, and each distinct info and tag
   * set stored for it, once.
   */
  cubeUsage(cubeId: string): Promise<{ memories: number; bytes: number }>;
  /** Parked jobs of every user, oldest first. */
  listParkedJobs(limit: number): Promise<JobRecord[]>;
  /** A parked job goes back to the queue, due now, with its attempts reset; false when no parked job has the id. */
  retryParkedJob(taskId: string, now: string): Promise<boolean>;
  /** Deletes a parked job; false when no parked job has the id. */
  dropParkedJob(taskId: string): Promise<boolean>;
  /**
   * Adds LLM tokens to a user's chat count for a UTC day (`YYYY-MM-DD`) in one atomic upsert (so
   * processes sharing the store never lose a count); returns the day's new total.
   */
  addChatTokens(userId: string, day: string, tokens: number): Promise<number>;
  /** A user's chat tokens counted for a UTC day (0 when none). */
  chatTokens(userId: string, day: string): Promise<number>;
}
