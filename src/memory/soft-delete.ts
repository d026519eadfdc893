/**
 * The soft delete of MemOS's record-id routes: every active memory of a cube is set aside under a
 * record id the client names, and can be brought back under that id until it is purged: by the
 * client (a hard delete of the record id) or once the retention has passed (the server's sweep,
 * and, so that no expired memory is ever brought back, at each recover).
 */
import type { MemoryContext } from "./context.js";
import { cubeForbidden } from "./errors.js";

/** Memories read and purged at a time. */
const PURGE_BATCH = 500;

export interface RecordRequest {
  userId: string;
  cubeId: string;
  recordId: string;
}

/**
 * A cube that exists must be the user's to write; one that does not holds nothing, so acting on it
 * changes nothing (MemOS answers success there too). Returns whether there is a cube to act on.
 */
async function writableCube(context: MemoryContext, userId: string, cubeId: string): Promise<boolean> {
  const access = await context.store.accessOf(cubeId, userId);
  if (access === "owner" || access === "write") return true;
  if (access !== undefined || (await context.store.getCube(cubeId))) throw cubeForbidden(userId, cubeId, "write");
  return false;
}

/** Hard-deletes (as delete_memory does) the memories set aside that the query finds, a batch at a time; how many. */
async function purge(context: MemoryContext, query: { cubeId?: string; recordId?: string; deletedBefore?: string }): Promise<number> {
  let purged = 0;
  for (;;) {
    const batch = await context.store.softDeletedMemories({ ...query, limit: PURGE_BATCH });
    const byCube = new Map<string, string[]>();
    for (const { cubeId, id } of batch) byCube.set(cubeId, [...(byCube.get(cubeId) ?? []), id]);
    let removed = 0;
    for (const [cubeId, ids] of byCube) removed += await context.store.deleteMemories(cubeId, ids);
    purged += removed;
    // A full batch of which nothing went (another process purges the same rows) ends the round too.
    if (batch.length < PURGE_BATCH || removed === 0) return purged;
  }
}

/** The oldest deletion time still inside the retention. */
function retainedSince(context: MemoryContext, retentionMs: number): string {
  return new Date(context.now().getTime() - retentionMs).toISOString();
}

/** Sets aside every active memory of the cube under the record id, or (hard) erases those set aside under it; how many. */
export async function deleteByRecordId(context: MemoryContext, request: RecordRequest & { hard: boolean }): Promise<number> {
  if (!(await writableCube(context, request.userId, request.cubeId))) return 0;
  if (request.hard) return purge(context, { cubeId: request.cubeId, recordId: request.recordId });
  return context.store.softDeleteMemories(request.cubeId, request.recordId, context.now().toISOString());
}

/** Brings back the memories set aside under the record id, unless their retention has passed (they are purged then); how many. */
export async function recoverByRecordId(context: MemoryContext, request: RecordRequest & { retentionMs: number }): Promise<number> {
  if (!(await writableCube(context, request.userId, request.cubeId))) return 0;
  await purge(context, { cubeId: request.cubeId, recordId: request.recordId, deletedBefore: retainedSince(context, request.retentionMs) });
  return context.store.recoverMemories(request.cubeId, request.recordId);
}

/** Purges every memory set aside longer ago than the retention, in every cube; how many. */
export async function purgeExpired(context: MemoryContext, retentionMs: number): Promise<number> {
  return purge(context, { deletedBefore: retainedSince(context, retentionMs) });
}
