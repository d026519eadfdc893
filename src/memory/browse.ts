import type { MemoryFilter, MemoryRecord, MemoryType, MemoryVersion, Page } from "../store/types.js";
import type { MemoryContext } from "./context.js";
import { requireReadable } from "./cubes.js";
import { cubeForbidden } from "./errors.js";
import { AnswerBudget } from "./answer-budget.js";

export interface ListRequest {
  userId: string;
  cubeIds: readonly string[];
  memoryTypes: readonly MemoryType[];
  page?: Page;
  textContains?: string;
  /** Only the memories it matches (MemOS's filter grammar, file_ids included). */
  filter?: MemoryFilter;
  /** Also count the matches of each memory type (get_all's memory_statistics). */
  countTypes?: boolean;
}

export interface CubeListing {
  cubeId: string;
  memories: MemoryRecord[];
  total: number;
  /** Memories were left out to keep the answer within its byte budget (ANSWER_BYTES): ask smaller pages. */
  truncated: boolean;
  /** With `countTypes`: matches per memory type, over the whole cube, not only the page. */
  typeCounts?: Partial<Record<MemoryType, number>>;
}

/** Rows read from the store at a time when a listing is not paged. */
const READ_PAGE = 100;

/**
 * The active memories of readable cubes, newest first; all of them unless a page is asked, and in
 * either case no more than fit the answer's byte budget (the rest are left out, and the listing
 * says so).
 */
export async function listMemories(context: MemoryContext, request: ListRequest): Promise<CubeListing[]> {
  await requireReadable(context, request.userId, request.cubeIds);
  const budget = new AnswerBudget();
  const listings: CubeListing[] = [];
  for (const cubeId of request.cubeIds) {
    const scope = { cubeId, memoryTypes: request.memoryTypes, ...(request.filter !== undefined && { filter: request.filter }) };
    const wanted = request.page ?? { offset: 0, limit: Number.POSITIVE_INFINITY };
    const memories: MemoryRecord[] = [];
    let total = 0;
    let truncated = false;
    // Read in pages: a large cube is never held whole, only what the answer shows.
    for (let offset = wanted.offset; offset < wanted.offset + wanted.limit; offset += READ_PAGE) {
      const limit = Math.min(READ_PAGE, wanted.offset + wanted.limit - offset);
      const read = await context.store.listMemories(scope, { offset, limit }, request.textContains);
      total = read.total;
      if (budget.spent && read.memories.length > 0) {
        truncated = true;
        break;
      }
      const taken = budget.take(read.memories, (memory) => memory);
      memories.push(...taken.kept);
      if (taken.truncated) {
        truncated = true;
        break;
      }
      if (read.memories.length < limit) break;
    }
    const typeCounts = request.countTypes ? await countTypes(context, cubeId, request.memoryTypes, request.textContains, request.filter) : undefined;
    listings.push({ cubeId, memories, total, truncated, ...(typeCounts && { typeCounts }) });
  }
  return listings;
}

async function countTypes(
  context: MemoryContext,
  cubeId: string,
  memoryTypes: readonly MemoryType[],
  textContains: string | undefined,
  filter: MemoryFilter | undefined,
): Promise<Partial<Record<MemoryType, number>>> {
  const counts: Partial<Record<MemoryType, number>> = {};
  for (const memoryType of memoryTypes) {
    const scope = { cubeId, memoryTypes: [memoryType], ...(filter !== undefined && { filter }) };
    const { total } = await context.store.listMemories(scope, { offset: 0, limit: 1 }, textContains);
    if (total > 0) counts[memoryType] = total;
  }
  return counts;
}

export interface FoundMemory {
  memory: MemoryRecord;
  history: MemoryVersion[];
  /** Undefined when the embedder could not represent its text. */
  vector: Float32Array | undefined;
}

/**
 * One memory with its earlier versions and its vector; undefined when no memory has the id (MemOS
 * answers that with an empty success), 403 when its cube is not readable.
 */
export async function getMemory(context: MemoryContext, userId: string, memoryId: string): Promise<FoundMemory | undefined> {
  const memory = await context.store.getMemory(memoryId);
  if (!memory || memory.status === "deleted") return undefined;
  if ((await context.store.accessOf(memory.cubeId, userId)) === undefined) throw cubeForbidden(userId, memory.cubeId, "read");
  const [history, vectors] = await Promise.all([context.store.memoryHistory(memoryId), context.store.vectorsOf([memoryId])]);
  return { memory, history, vector: vectors.get(memoryId) };
}
