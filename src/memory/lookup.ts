import type { MemoryRecord } from "../store/types.js";
import type { MemoryContext } from "./context.js";

/** The stored memories among these ids (deleted ones are gone), each once. */
async function found(context: MemoryContext, memoryIds: readonly string[]): Promise<MemoryRecord[]> {
  const unique = [...new Set(memoryIds)];
  return (await context.store.getMemories(unique)).filter((memory) => memory.status !== "deleted");
}

/**
 * Memories by id, in the order asked, each once. Unknown ids are left out, and so are memories in
 * cubes the reader may not read (undefined: any reader, as in open mode), exactly as unknown ones:
 * the answer never tells which ids exist elsewhere.
 */
export async function memoriesByIds(context: MemoryContext, memoryIds: readonly string[], reader: string | undefined): Promise<MemoryRecord[]> {
  const memories = await found(context, memoryIds);
  if (reader === undefined) return memories;
  const readable = new Map<string, boolean>();
  const visible: MemoryRecord[] = [];
  for (const memory of memories) {
    if (!readable.has(memory.cubeId)) readable.set(memory.cubeId, (await context.store.accessOf(memory.cubeId, reader)) !== undefined);
    if (readable.get(memory.cubeId)) visible.push(memory);
  }
  return visible;
}

/** For each id, the cube that holds the memory (MemOS calls it the user name), or null when there is none. */
export async function cubesOfMemories(context: MemoryContext, memoryIds: readonly string[]): Promise<Map<string, string | null>> {
  const holders = new Map((await found(context, memoryIds)).map((memory) => [memory.id, memory.cubeId]));
  return new Map(memoryIds.map((id) => [id, holders.get(id) ?? null]));
}
