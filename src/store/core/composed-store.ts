import type { ClaimRequest, ConversationBatch, ConversationWrite, EmbedderIdentity, Store, StoreStats, UserErasure } from "../store.js";
import type {
  CubeAccess,
  CubeRecord,
  JobClaim,
  JobOutcome,
  JobRecord,
  MemoryRecord,
  MemoryScope,
  MemoryVersion,
  MessageRecord,
  Page,
  Refinement,
  RefinementWrite,
  ScoredId,
  SharedAccess,
} from "../types.js";

/** The Store's methods, by concern: each driver implements every concern in a module of its own. */
export type CubeMethods = Pick<Store, "getCube" | "createCube" | "accessOf" | "shareCube">;
export type ErasureMethods = Pick<Store, "deleteCube" | "deleteUser" | "deleteMemories">;
export type WriteMethods = Pick<Store, "addConversation">;
export type VectorMethods = Pick<Store, "embedderIdentity" | "resetVectors" | "recordEmbedder" | "memoryTexts" | "setVectors">;
export type ReadMethods = Pick<
  Store,
  | "memoriesFromMessages"
  | "getMemory"
  | "getMemories"
  | "listMemories"
  | "recentMemories"
  | "memoryHistory"
  | "memoryIds"
  | "memoriesByKey"
  | "getMessages"
  | "messagesBefore"
  | "followingMessages"
>;
export type SearchMethods = Pick<Store, "hasMemories" | "searchVectors" | "searchKeywords" | "wordFrequencies" | "vectorsOf">;
export type JobMethods = Pick<
  Store,
  "claimJob" | "renewJob" | "finishJob" | "getJob" | "listJobs" | "countUnfinishedJobs" | "pruneJobs" | "listParkedJobs" | "retryParkedJob" | "dropParkedJob"
>;
export type RefineMethods = Pick<Store, "commitRefinement">;
export type OpsMethods = Pick<Store, "schemaStatus" | "stats" | "cubeUsage" | "addChatTokens" | "chatTokens">;

export interface StoreParts {
  cubes: CubeMethods;
  erasure: ErasureMethods;
  writes: WriteMethods;
  vectors: VectorMethods;
  reads: ReadMethods;
  search: SearchMethods;
  jobs: JobMethods;
  refine: RefineMethods;
  ops: OpsMethods;
}

/** A Store made of one module per concern; a driver adds its kind, its connection and `close`. */
export abstract class ComposedStore implements Store {
  abstract readonly kind: string;
  abstract close(): Promise<void>;

  protected constructor(private readonly parts: StoreParts) {}

  // ---- cubes and erasure ----
  getCube(cubeId: string): Promise<CubeRecord | undefined> {
    return this.parts.cubes.getCube(cubeId);
  }
  createCube(cube: CubeRecord): Promise<boolean> {
    return this.parts.cubes.createCube(cube);
  }
  accessOf(cubeId: string, userId: string): Promise<CubeAccess | undefined> {
    return this.parts.cubes.accessOf(cubeId, userId);
  }
  shareCube(cubeId: string, userId: string, access: SharedAccess | undefined): Promise<void> {
    return this.parts.cubes.shareCube(cubeId, userId, access);
  }
  deleteCube(cubeId: string): Promise<void> {
    return this.parts.erasure.deleteCube(cubeId);
  }
  deleteUser(userId: string): Promise<UserErasure> {
    return this.parts.erasure.deleteUser(userId);
  }
  deleteMemories(cubeId: string, memoryIds: readonly string[]): Promise<number> {
    return this.parts.erasure.deleteMemories(cubeId, memoryIds);
  }

  // ---- writes and vectors ----
  addConversation(batch: ConversationBatch): Promise<ConversationWrite> {
    return this.parts.writes.addConversation(batch);
  }
  embedderIdentity(): Promise<EmbedderIdentity | undefined> {
    return this.parts.vectors.embedderIdentity();
  }
  resetVectors(identity: EmbedderIdentity): Promise<void> {
    return this.parts.vectors.resetVectors(identity);
  }
  recordEmbedder(identity: EmbedderIdentity): Promise<void> {
    return this.parts.vectors.recordEmbedder(identity);
  }
  memoryTexts(after: string | undefined, limit: number): Promise<{ id: string; cubeId: string; memoryType: string; text: string }[]> {
    return this.parts.vectors.memoryTexts(after, limit);
  }
  setVectors(entries: readonly { id: string; vector: Float32Array }[]): Promise<void> {
    return this.parts.vectors.setVectors(entries);
  }

  // ---- reads ----
  memoriesFromMessages(cubeId: string, messageIds: readonly string[]): Promise<MemoryRecord[]> {
    return this.parts.reads.memoriesFromMessages(cubeId, messageIds);
  }
  getMemory(memoryId: string): Promise<MemoryRecord | undefined> {
    return this.parts.reads.getMemory(memoryId);
  }
  getMemories(memoryIds: readonly string[]): Promise<MemoryRecord[]> {
    return this.parts.reads.getMemories(memoryIds);
  }
  listMemories(scope: MemoryScope, page?: Page, textContains?: string): Promise<{ memories: MemoryRecord[]; total: number }> {
    return this.parts.reads.listMemories(scope, page, textContains);
  }
  recentMemories(cubeId: string, sessionId: string, limit: number): Promise<MemoryRecord[]> {
    return this.parts.reads.recentMemories(cubeId, sessionId, limit);
  }
  memoryHistory(memoryId: string): Promise<MemoryVersion[]> {
    return this.parts.reads.memoryHistory(memoryId);
  }
  memoryIds(scope: MemoryScope & { sessionId?: string }): Promise<string[]> {
    return this.parts.reads.memoryIds(scope);
  }
  memoriesByKey(cubeId: string, keys: readonly string[], limit: number): Promise<MemoryRecord[]> {
    return this.parts.reads.memoriesByKey(cubeId, keys, limit);
  }
  getMessages(cubeId: string, messageIds: readonly string[]): Promise<MessageRecord[]> {
    return this.parts.reads.getMessages(cubeId, messageIds);
  }
  messagesBefore(cubeId: string, sessionId: string, before: string, limit: number): Promise<MessageRecord[]> {
    return this.parts.reads.messagesBefore(cubeId, sessionId, before, limit);
  }
  followingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>> {
    return this.parts.reads.followingMessages(cubeId, messageIds);
  }

  // ---- search ----
  hasMemories(scope: MemoryScope): Promise<boolean> {
    return this.parts.search.hasMemories(scope);
  }
  searchVectors(scope: MemoryScope, vector: Float32Array, limit: number): Promise<ScoredId[]> {
    return this.parts.search.searchVectors(scope, vector, limit);
  }
  searchKeywords(scope: MemoryScope, words: readonly string[], limit: number): Promise<ScoredId[]> {
    return this.parts.search.searchKeywords(scope, words, limit);
  }
  wordFrequencies(cubeId: string, words: readonly string[]): Promise<{ documents: number; frequencies: Map<string, number> }> {
    return this.parts.search.wordFrequencies(cubeId, words);
  }
  vectorsOf(memoryIds: readonly string[]): Promise<Map<string, Float32Array>> {
    return this.parts.search.vectorsOf(memoryIds);
  }

  // ---- jobs and refinement ----
  claimJob(request: ClaimRequest): Promise<JobRecord | undefined> {
    return this.parts.jobs.claimJob(request);
  }
  renewJob(claim: JobClaim, leaseUntil: string): Promise<boolean> {
    return this.parts.jobs.renewJob(claim, leaseUntil);
  }
  finishJob(claim: JobClaim, outcome: JobOutcome, now: string): Promise<boolean> {
    return this.parts.jobs.finishJob(claim, outcome, now);
  }
  getJob(taskId: string): Promise<JobRecord | undefined> {
    return this.parts.jobs.getJob(taskId);
  }
  listJobs(userId: string, limit: number): Promise<JobRecord[]> {
    return this.parts.jobs.listJobs(userId, limit);
  }
  countUnfinishedJobs(userId: string): Promise<number> {
    return this.parts.jobs.countUnfinishedJobs(userId);
  }
  pruneJobs(finishedBefore: string): Promise<number> {
    return this.parts.jobs.pruneJobs(finishedBefore);
  }
  listParkedJobs(limit: number): Promise<JobRecord[]> {
    return this.parts.jobs.listParkedJobs(limit);
  }
  retryParkedJob(taskId: string, now: string): Promise<boolean> {
    return this.parts.jobs.retryParkedJob(taskId, now);
  }
  dropParkedJob(taskId: string): Promise<boolean> {
    return this.parts.jobs.dropParkedJob(taskId);
  }
  commitRefinement(refinement: Refinement): Promise<RefinementWrite> {
    return this.parts.refine.commitRefinement(refinement);
  }

  // ---- operations ----
  schemaStatus(): Promise<{ applied: number; latest: number }> {
    return this.parts.ops.schemaStatus();
  }
  stats(now: string): Promise<StoreStats> {
    return this.parts.ops.stats(now);
  }
  cubeUsage(cubeId: string): Promise<{ memories: number; bytes: number }> {
    return this.parts.ops.cubeUsage(cubeId);
  }
  addChatTokens(userId: string, day: string, tokens: number): Promise<number> {
    return this.parts.ops.addChatTokens(userId, day, tokens);
  }
  chatTokens(userId: string, day: string): Promise<number> {
    return this.parts.ops.chatTokens(userId, day);
  }
}
