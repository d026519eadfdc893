import type { Store } from "../store.js";

/** The Store's methods, by concern: each driver implements every concern in a module of its own. */
export type CubeMethods = Pick<Store, "getCube" | "createCube" | "accessOf" | "shareCube" | "cubesOf">;
export type ErasureMethods = Pick<Store, "deleteCube" | "deleteUser" | "deleteMemories">;
export type WriteMethods = Pick<Store, "addConversation">;
export type VectorMethods = Pick<Store, "embedderIdentity" | "resetVectors" | "recordEmbedder" | "memoryTexts" | "setVectors">;
export type ReadMethods = Pick<
  Store,
  | "memoriesFromMessages"
  | "getMemory"
  | "getMemories"
  | "memoryTextsOf"
  | "listMemories"
  | "recentMemories"
  | "memoryHistory"
  | "memoryIds"
  | "memoriesByKey"
  | "getMessages"
  | "messagesBefore"
  | "followingMessages"
  | "precedingMessages"
>;
export type SearchMethods = Pick<Store, "hasMemories" | "searchVectors" | "searchKeywords" | "wordFrequencies" | "vectorsOf">;
export type JobMethods = Pick<
  Store,
  | "claimJob"
  | "renewJob"
  | "finishJob"
  | "getJob"
  | "listJobs"
  | "countUnfinishedJobs"
  | "countJobs"
  | "pruneJobs"
  | "listParkedJobs"
  | "retryParkedJob"
  | "dropParkedJob"
>;
export type SoftDeleteMethods = Pick<Store, "softDeleteMemories" | "recoverMemories" | "softDeletedMemories">;
export type RefineMethods = Pick<Store, "commitRefinement">;
export type OpsMethods = Pick<Store, "schemaStatus" | "stats" | "cubeUsage" | "addChatTokens" | "chatTokens">;

export interface StoreParts {
  cubes: CubeMethods;
  erasure: ErasureMethods;
  softDelete: SoftDeleteMethods;
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
  getCube(...args: Parameters<Store["getCube"]>): ReturnType<Store["getCube"]> {
    return this.parts.cubes.getCube(...args);
  }
  createCube(...args: Parameters<Store["createCube"]>): ReturnType<Store["createCube"]> {
    return this.parts.cubes.createCube(...args);
  }
  accessOf(...args: Parameters<Store["accessOf"]>): ReturnType<Store["accessOf"]> {
    return this.parts.cubes.accessOf(...args);
  }
  shareCube(...args: Parameters<Store["shareCube"]>): ReturnType<Store["shareCube"]> {
    return this.parts.cubes.shareCube(...args);
  }
  cubesOf(...args: Parameters<Store["cubesOf"]>): ReturnType<Store["cubesOf"]> {
    return this.parts.cubes.cubesOf(...args);
  }
  deleteCube(...args: Parameters<Store["deleteCube"]>): ReturnType<Store["deleteCube"]> {
    return this.parts.erasure.deleteCube(...args);
  }
  deleteUser(...args: Parameters<Store["deleteUser"]>): ReturnType<Store["deleteUser"]> {
    return this.parts.erasure.deleteUser(...args);
  }
  deleteMemories(...args: Parameters<Store["deleteMemories"]>): ReturnType<Store["deleteMemories"]> {
    return this.parts.erasure.deleteMemories(...args);
  }
  softDeleteMemories(...args: Parameters<Store["softDeleteMemories"]>): ReturnType<Store["softDeleteMemories"]> {
    return this.parts.softDelete.softDeleteMemories(...args);
  }
  recoverMemories(...args: Parameters<Store["recoverMemories"]>): ReturnType<Store["recoverMemories"]> {
    return this.parts.softDelete.recoverMemories(...args);
  }
  softDeletedMemories(...args: Parameters<Store["softDeletedMemories"]>): ReturnType<Store["softDeletedMemories"]> {
    return this.parts.softDelete.softDeletedMemories(...args);
  }

  // ---- writes and vectors ----
  addConversation(...args: Parameters<Store["addConversation"]>): ReturnType<Store["addConversation"]> {
    return this.parts.writes.addConversation(...args);
  }
  embedderIdentity(...args: Parameters<Store["embedderIdentity"]>): ReturnType<Store["embedderIdentity"]> {
    return this.parts.vectors.embedderIdentity(...args);
  }
  resetVectors(...args: Parameters<Store["resetVectors"]>): ReturnType<Store["resetVectors"]> {
    return this.parts.vectors.resetVectors(...args);
  }
  recordEmbedder(...args: Parameters<Store["recordEmbedder"]>): ReturnType<Store["recordEmbedder"]> {
    return this.parts.vectors.recordEmbedder(...args);
  }
  memoryTexts(...args: Parameters<Store["memoryTexts"]>): ReturnType<Store["memoryTexts"]> {
    return this.parts.vectors.memoryTexts(...args);
  }
  setVectors(...args: Parameters<Store["setVectors"]>): ReturnType<Store["setVectors"]> {
    return this.parts.vectors.setVectors(...args);
  }

  // ---- reads ----
  memoriesFromMessages(...args: Parameters<Store["memoriesFromMessages"]>): ReturnType<Store["memoriesFromMessages"]> {
    return this.parts.reads.memoriesFromMessages(...args);
  }
  getMemory(...args: Parameters<Store["getMemory"]>): ReturnType<Store["getMemory"]> {
    return this.parts.reads.getMemory(...args);
  }
  getMemories(...args: Parameters<Store["getMemories"]>): ReturnType<Store["getMemories"]> {
    return this.parts.reads.getMemories(...args);
  }
  memoryTextsOf(...args: Parameters<Store["memoryTextsOf"]>): ReturnType<Store["memoryTextsOf"]> {
    return this.parts.reads.memoryTextsOf(...args);
  }
  listMemories(...args: Parameters<Store["listMemories"]>): ReturnType<Store["listMemories"]> {
    return this.parts.reads.listMemories(...args);
  }
  recentMemories(...args: Parameters<Store["recentMemories"]>): ReturnType<Store["recentMemories"]> {
    return this.parts.reads.recentMemories(...args);
  }
  memoryHistory(...args: Parameters<Store["memoryHistory"]>): ReturnType<Store["memoryHistory"]> {
    return this.parts.reads.memoryHistory(...args);
  }
  memoryIds(...args: Parameters<Store["memoryIds"]>): ReturnType<Store["memoryIds"]> {
    return this.parts.reads.memoryIds(...args);
  }
  memoriesByKey(...args: Parameters<Store["memoriesByKey"]>): ReturnType<Store["memoriesByKey"]> {
    return this.parts.reads.memoriesByKey(...args);
  }
  getMessages(...args: Parameters<Store["getMessages"]>): ReturnType<Store["getMessages"]> {
    return this.parts.reads.getMessages(...args);
  }
  messagesBefore(...args: Parameters<Store["messagesBefore"]>): ReturnType<Store["messagesBefore"]> {
    return this.parts.reads.messagesBefore(...args);
  }
  followingMessages(...args: Parameters<Store["followingMessages"]>): ReturnType<Store["followingMessages"]> {
    return this.parts.reads.followingMessages(...args);
  }
  precedingMessages(...args: Parameters<Store["precedingMessages"]>): ReturnType<Store["precedingMessages"]> {
    return this.parts.reads.precedingMessages(...args);
  }

  // ---- search ----
  hasMemories(...args: Parameters<Store["hasMemories"]>): ReturnType<Store["hasMemories"]> {
    return this.parts.search.hasMemories(...args);
  }
  searchVectors(...args: Parameters<Store["searchVectors"]>): ReturnType<Store["searchVectors"]> {
    return this.parts.search.searchVectors(...args);
  }
  searchKeywords(...args: Parameters<Store["searchKeywords"]>): ReturnType<Store["searchKeywords"]> {
    return this.parts.search.searchKeywords(...args);
  }
  wordFrequencies(...args: Parameters<Store["wordFrequencies"]>): ReturnType<Store["wordFrequencies"]> {
    return this.parts.search.wordFrequencies(...args);
  }
  vectorsOf(...args: Parameters<Store["vectorsOf"]>): ReturnType<Store["vectorsOf"]> {
    return this.parts.search.vectorsOf(...args);
  }

  // ---- jobs and refinement ----
  claimJob(...args: Parameters<Store["claimJob"]>): ReturnType<Store["claimJob"]> {
    return this.parts.jobs.claimJob(...args);
  }
  renewJob(...args: Parameters<Store["renewJob"]>): ReturnType<Store["renewJob"]> {
    return this.parts.jobs.renewJob(...args);
  }
  finishJob(...args: Parameters<Store["finishJob"]>): ReturnType<Store["finishJob"]> {
    return this.parts.jobs.finishJob(...args);
  }
  getJob(...args: Parameters<Store["getJob"]>): ReturnType<Store["getJob"]> {
    return this.parts.jobs.getJob(...args);
  }
  listJobs(...args: Parameters<Store["listJobs"]>): ReturnType<Store["listJobs"]> {
    return this.parts.jobs.listJobs(...args);
  }
  countUnfinishedJobs(...args: Parameters<Store["countUnfinishedJobs"]>): ReturnType<Store["countUnfinishedJobs"]> {
    return this.parts.jobs.countUnfinishedJobs(...args);
  }
  countJobs(...args: Parameters<Store["countJobs"]>): ReturnType<Store["countJobs"]> {
    return this.parts.jobs.countJobs(...args);
  }
  pruneJobs(...args: Parameters<Store["pruneJobs"]>): ReturnType<Store["pruneJobs"]> {
    return this.parts.jobs.pruneJobs(...args);
  }
  listParkedJobs(...args: Parameters<Store["listParkedJobs"]>): ReturnType<Store["listParkedJobs"]> {
    return this.parts.jobs.listParkedJobs(...args);
  }
  retryParkedJob(...args: Parameters<Store["retryParkedJob"]>): ReturnType<Store["retryParkedJob"]> {
    return this.parts.jobs.retryParkedJob(...args);
  }
  dropParkedJob(...args: Parameters<Store["dropParkedJob"]>): ReturnType<Store["dropParkedJob"]> {
    return this.parts.jobs.dropParkedJob(...args);
  }
  commitRefinement(...args: Parameters<Store["commitRefinement"]>): ReturnType<Store["commitRefinement"]> {
    return this.parts.refine.commitRefinement(...args);
  }

  // ---- operations ----
  schemaStatus(...args: Parameters<Store["schemaStatus"]>): ReturnType<Store["schemaStatus"]> {
    return this.parts.ops.schemaStatus(...args);
  }
  stats(...args: Parameters<Store["stats"]>): ReturnType<Store["stats"]> {
    return this.parts.ops.stats(...args);
  }
  cubeUsage(...args: Parameters<Store["cubeUsage"]>): ReturnType<Store["cubeUsage"]> {
    return this.parts.ops.cubeUsage(...args);
  }
  addChatTokens(...args: Parameters<Store["addChatTokens"]>): ReturnType<Store["addChatTokens"]> {
    return this.parts.ops.addChatTokens(...args);
  }
  chatTokens(...args: Parameters<Store["chatTokens"]>): ReturnType<Store["chatTokens"]> {
    return this.parts.ops.chatTokens(...args);
  }
}
