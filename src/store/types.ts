/** Domain records shared by every store implementation. Timestamps are ISO 8601 strings in UTC. */

export const MEMORY_TYPES = ["WorkingMemory", "LongTermMemory", "UserMemory", "PreferenceMemory"] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];

export const MEMORY_STATUSES = ["activated", "archived", "deleted"] as const;
export type MemoryStatus = (typeof MEMORY_STATUSES)[number];

export type MessageRole = "user" | "assistant" | "system" | "tool";
export type MemorySourceKind = "conversation" | "file" | "system";

/** What a user may do with a cube. */
export type CubeAccess = "owner" | "write" | "read";
export type SharedAccess = Exclude<CubeAccess, "owner">;

export interface CubeRecord {
  id: string;
  name: string;
  ownerId: string;
  createdAt: string;
}

/** A cube a user may use: owned or shared with them, with its active memories. */
export interface UserCube {
  cube: CubeRecord;
  access: CubeAccess;
  memories: number;
}

export interface MessageRecord {
  cubeId: string;
  messageId: string;
  sessionId: string;
  role: MessageRole;
  content: string;
  chatTime: string;
  createdAt: string;
}

/** A memory's text with what decides whether a search may use it (see Store.memoryTextsOf). */
export type MemoryText = Pick<MemoryRecord, "id" | "memoryType" | "status" | "text">;

export interface MemoryRecord {
  id: string;
  cubeId: string;
  userId: string;
  sessionId: string;
  text: string;
  memoryType: MemoryType;
  key: string;
  tags: string[];
  status: MemoryStatus;
  confidence: number;
  source: MemorySourceKind;
  background: string;
  info: Record<string, unknown>;
  /** The conversation time the memory speaks of. */
  chatTime: string;
  createdAt: string;
  updatedAt: string;
  /** The messages the memory was made from, oldest first. */
  sources: MessageRecord[];
}

/**
 * A memory to insert, with what its indexes need. Its `info` is stored once per cube and distinct
 * content, not per memory: memories of one add share one info object, which must not change.
 */
export interface NewMemory extends Omit<MemoryRecord, "sources" | "status"> {
  sourceMessageIds: string[];
  /** Null when the embedder cannot represent the text (the keyword channel ranks it). */
  vector: Float32Array | null;
  /** Space-separated words for the keyword index (already segmented). */
  keywords: string;
}

export interface MemoryVersion {
  memoryId: string;
  text: string;
  memoryType: MemoryType;
  status: MemoryStatus;
  replacedBy: string | null;
  changedAt: string;
  reason: string;
}

/** Filter over memory fields, compiled to each store's query language. */
export type FilterField = "id" | "user_id" | "memory_type" | "session_id" | "created_at" | "chat_time" | "tags" | `info.${string}`;
export type FilterOp = "eq" | "gt" | "gte" | "lt" | "lte" | "in" | "contains";
export type FilterScalar = string | number | boolean;
export type MemoryFilter = { and: MemoryFilter[] } | { or: MemoryFilter[] } | { field: FilterField; op: FilterOp; value: FilterScalar | FilterScalar[] };

/** Which active memories of a cube a query considers. */
export interface MemoryScope {
  cubeId: string;
  memoryTypes?: readonly MemoryType[];
  filter?: MemoryFilter;
}

export interface ScoredId {
  id: string;
  /** Cosine distance (vector channel) or BM25 score, higher is better (keyword channel). */
  score: number;
}

export interface Page {
  offset: number;
  limit: number;
}

/** A job's state in the queue: waiting to run (maybe after a backoff), claimed, finished, or given up on. */
export const JOB_STATUSES = ["queued", "running", "done", "parked"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job to enqueue together with the messages it works on (in the same transaction). */
export interface NewJob {
  /** Public id, handed to clients as `task_id`. */
  taskId: string;
  kind: string;
  cubeId: string;
  /** The user who asked for it: only they see it in the scheduler routes. */
  userId: string;
  /**
   * The batch's messages this job covers; only those the batch actually stored end up in it, and a
   * job none of whose messages is new is not enqueued. A job naming no message (feedback, the record
   * of a client's task) is always enqueued.
   */
  messageIds: readonly string[];
  /** Anything else the job needs, stored as JSON with `messageIds` and `memoryIds` added. */
  payload: Record<string, unknown>;
  /** Not claimed by background runners before this time (a synchronous request reserves its job). */
  runAfter: string;
  /**
   * Work the request did itself, recorded as a finished job with this result (never claimed), so
   * that the scheduler routes report the client's task id as MemOS does.
   */
  finished?: Record<string, unknown>;
}

export interface JobRecord {
  id: number;
  taskId: string;
  kind: string;
  cubeId: string;
  userId: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  /** Claims so far, the current one included. */
  attempts: number;
  runAfter: string;
  lastError: string | null;
  result: Record<string, unknown> | null;
  lockedBy: string | null;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How many jobs one user asked for in one cube, of one kind, are in one state. */
export interface JobCount {
  userId: string;
  cubeId: string;
  kind: string;
  status: JobStatus;
  count: number;
}

/** Who holds a job: the runner's id fences every write against a runner whose claim expired. */
export interface JobClaim {
  jobId: number;
  workerId: string;
}

/** How a claimed job ends: done with a result, back in the queue after a backoff, or parked. */
export type JobOutcome =
  { status: "done"; result: Record<string, unknown> } | { status: "queued"; runAfter: string; error: string } | { status: "parked"; error: string };

/** One memory derived by a job, optionally replacing an older active memory of the cube. */
export interface DerivedMemory {
  memory: NewMemory;
  supersedes?: { memoryId: string; reason: string };
}

/**
 * What a refinement job writes, in one transaction that also completes the job: new memories
 * (some replacing older ones) and the raw memories they make redundant.
 */
export interface Refinement {
  claim: JobClaim;
  cubeId: string;
  now: string;
  derived: readonly DerivedMemory[];
  /** Raw memories to archive, each pointing to the memory that now stands for it. */
  retire: readonly { memoryId: string; successorId: string; reason: string }[];
  /** Stored as the job's result, with what was actually written added. */
  result: Record<string, unknown>;
}

export interface RefinementWrite {
  /** Derived memories written (those whose messages were forgotten meanwhile are not). */
  insertedIds: string[];
  /** Memories archived: superseded ones and retired raw ones. */
  archivedIds: string[];
}
