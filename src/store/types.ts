/** Domain records shared by every store implementation. Timestamps are ISO 8601 strings in UTC. */

export const MEMORY_TYPES = ["WorkingMemory", "LongTermMemory", "UserMemory", "PreferenceMemory"] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];

export const MEMORY_STATUSES = ["activated", "archived", "deleted"] as const;
export type MemoryStatus = (typeof MEMORY_STATUSES)[number];

export type MessageRole = "user" | "assistant" | "system";
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

export interface MessageRecord {
  cubeId: string;
  messageId: string;
  sessionId: string;
  role: MessageRole;
  content: string;
  chatTime: string;
  createdAt: string;
}

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

/** A memory to insert, with what its indexes need. */
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
export type FilterField = "memory_type" | "session_id" | "created_at" | "chat_time" | "tags" | `info.${string}`;
export type FilterOp = "eq" | "gt" | "gte" | "lt" | "lte" | "in" | "contains";
export type FilterScalar = string | number | boolean;
export type MemoryFilter =
  | { and: MemoryFilter[] }
  | { or: MemoryFilter[] }
  | { field: FilterField; op: FilterOp; value: FilterScalar | FilterScalar[] };

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
