import type { MemoryRecord, MemoryType, MemoryVersion, Page } from "../store/types.js";
import type { MemoryContext } from "./context.js";
import { requireReadable } from "./cubes.js";
import { DomainError, cubeForbidden } from "./errors.js";

export interface ListRequest {
  userId: string;
  cubeIds: readonly string[];
  memoryTypes: readonly MemoryType[];
  page?: Page;
  textContains?: string;
}

export interface CubeListing {
  cubeId: string;
  memories: MemoryRecord[];
  total: number;
}

/** The active memories of readable cubes, newest first; all of them unless a page is asked. */
export async function listMemories(context: MemoryContext, request: ListRequest): Promise<CubeListing[]> {
  await requireReadable(context, request.userId, request.cubeIds);
  return Promise.all(
    request.cubeIds.map(async (cubeId) => {
      const { memories, total } = await context.store.listMemories(
        { cubeId, memoryTypes: request.memoryTypes },
        request.page,
        request.textContains,
      );
      return { cubeId, memories, total };
    }),
  );
}

/** One memory with its earlier versions; 404 when unknown, 403 when its cube is not readable. */
export async function getMemory(
  context: MemoryContext,
  userId: string,
  memoryId: string,
): Promise<{ memory: MemoryRecord; history: MemoryVersion[] }> {
  const memory = await context.store.getMemory(memoryId);
  if (!memory || memory.status === "deleted") throw new DomainError("not_found", `memory '${memoryId}' does not exist`);
  if ((await context.store.accessOf(memory.cubeId, userId)) === undefined) throw cubeForbidden(userId, memory.cubeId, "read");
  return { memory, history: await context.store.memoryHistory(memoryId) };
}
