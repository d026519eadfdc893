import type { MemoryFilter } from "../store/types.js";
import type { MemoryContext } from "./context.js";
import { requireWritable } from "./cubes.js";

export type DeleteSelector = { memoryIds: readonly string[] } | { sessionId: string } | { filter: MemoryFilter };

/**
 * Deletes the selected memories of writable cubes from every index and forgets the messages they
 * were made from (unless another active or soft-deleted memory still cites them). Returns how many were deleted.
 */
export async function deleteMemories(
  context: MemoryContext,
  request: { userId: string; cubeIds: readonly string[]; selector: DeleteSelector },
): Promise<number> {
  await requireWritable(context, request.userId, request.cubeIds);
  let deleted = 0;
  for (const cubeId of request.cubeIds) {
    const ids = await selectedIds(context, cubeId, request.selector);
    deleted += await context.store.deleteMemories(cubeId, ids);
  }
  return deleted;
}

async function selectedIds(context: MemoryContext, cubeId: string, selector: DeleteSelector): Promise<readonly string[]> {
  if ("memoryIds" in selector) return selector.memoryIds;
  if ("sessionId" in selector) return context.store.memoryIds({ cubeId, sessionId: selector.sessionId });
  return context.store.memoryIds({ cubeId, filter: selector.filter });
}

/** The cubes that hold any of these memories, in the order first met (MemOS deletes ids wherever they are). */
export async function cubesHolding(context: MemoryContext, memoryIds: readonly string[]): Promise<string[]> {
  const memories = await context.store.getMemories(memoryIds);
  return [...new Set(memories.map((memory) => memory.cubeId))];
}
