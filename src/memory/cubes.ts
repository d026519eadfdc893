import type { UserErasure } from "../store/store.js";
import type { CubeRecord, SharedAccess, UserCube } from "../store/types.js";
import type { MemoryContext } from "./context.js";
import { DomainError, cubeForbidden, cubeNotFound } from "./errors.js";

const CAN_WRITE = new Set(["owner", "write"]);

/**
 * Every cube that exists must be readable by the user; the first that is not decides the error. A
 * cube nobody has written yet reads as empty (as in MemOS: a new user's first search is not an
 * error), and reveals nothing: it holds nothing.
 */
export async function requireReadable(context: MemoryContext, userId: string, cubeIds: readonly string[]): Promise<void> {
  for (const cubeId of cubeIds) {
    const access = await context.store.accessOf(cubeId, userId);
    if (access !== undefined) continue;
    if (await context.store.getCube(cubeId)) throw cubeForbidden(userId, cubeId, "read");
  }
}

/** Every cube must exist and be writable by the user (for deletes: nothing is created). */
export async function requireWritable(context: MemoryContext, userId: string, cubeIds: readonly string[]): Promise<void> {
  for (const cubeId of cubeIds) {
    const access = await context.store.accessOf(cubeId, userId);
    if (access !== undefined && CAN_WRITE.has(access)) continue;
    const cube = await context.store.getCube(cubeId);
    throw cube ? cubeForbidden(userId, cubeId, "write") : cubeNotFound(cubeId);
  }
}

/**
 * The cubes a user may write, checked without writing: returns those that do not exist yet (a
 * write will create them); throws for a cube that exists but is not the user's to write.
 */
export async function checkWritable(context: MemoryContext, userId: string, cubeIds: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const cubeId of cubeIds) {
    const access = await context.store.accessOf(cubeId, userId);
    if (access !== undefined && CAN_WRITE.has(access)) continue;
    if (access !== undefined || reservedForAnother(context, cubeId, userId) || (await context.store.getCube(cubeId))) {
      throw cubeForbidden(userId, cubeId, "write");
    }
    missing.push(cubeId);
  }
  return missing;
}

/** A default cube kept for its user (API keys), asked for by someone else. */
function reservedForAnother(context: MemoryContext, cubeId: string, userId: string): boolean {
  return cubeId !== userId && context.reservedCubes?.has(cubeId) === true;
}

/**
 * Creates the default cube of each user (with API keys, from start-up), so that no one else can
 * take its id. Returns the cubes another user already owned (created before the keys were set).
 */
export async function reserveDefaultCubes(context: MemoryContext, userIds: readonly string[]): Promise<{ cubeId: string; ownerId: string }[]> {
  const taken: { cubeId: string; ownerId: string }[] = [];
  for (const userId of userIds) {
    const createdAt = context.now().toISOString();
    if (await context.store.createCube({ id: userId, name: userId, ownerId: userId, createdAt })) continue;
    const cube = await context.store.getCube(userId);
    if (cube && cube.ownerId !== userId) taken.push({ cubeId: userId, ownerId: cube.ownerId });
  }
  return taken;
}

export async function createCube(context: MemoryContext, request: { ownerId: string; cubeName: string; cubeId?: string }): Promise<CubeRecord> {
  if (request.cubeId !== undefined && reservedForAnother(context, request.cubeId, request.ownerId)) {
    throw cubeForbidden(request.ownerId, request.cubeId, "write");
  }
  const cube = {
    id: request.cubeId ?? crypto.randomUUID(),
    name: request.cubeName,
    ownerId: request.ownerId,
    createdAt: context.now().toISOString(),
  };
  if (!(await context.store.createCube(cube))) throw new DomainError("conflict", `cube '${cube.id}' already exists`);
  return cube;
}

export async function cubeExists(context: MemoryContext, cubeId: string): Promise<boolean> {
  return (await context.store.getCube(cubeId)) !== undefined;
}

/** Who owns a cube; undefined when it does not exist (then it is the default cube of the user of its id). */
export async function cubeOwner(context: MemoryContext, cubeId: string): Promise<string | undefined> {
  return (await context.store.getCube(cubeId))?.ownerId;
}

async function requireOwner(context: MemoryContext, userId: string, cubeId: string): Promise<CubeRecord> {
  const cube = await context.store.getCube(cubeId);
  if (!cube) throw cubeNotFound(cubeId);
  if (cube.ownerId !== userId) throw cubeForbidden(userId, cubeId, "manage");
  return cube;
}

export async function shareCube(
  context: MemoryContext,
  request: { userId: string; cubeId: string; targetUserId: string; access: SharedAccess | "none" },
): Promise<void> {
  await requireOwner(context, request.userId, request.cubeId);
  if (request.targetUserId === request.userId) {
    throw new DomainError("invalid", "target_user_id: the owner's own access cannot be changed");
  }
  await context.store.shareCube(request.cubeId, request.targetUserId, request.access === "none" ? undefined : request.access);
}

export async function deleteCube(context: MemoryContext, userId: string, cubeId: string): Promise<void> {
  await requireOwner(context, userId, cubeId);
  await context.store.deleteCube(cubeId);
}

/**
 * Erases a user (the right to erasure): every cube they own with everything in it, the memories
 * they wrote into cubes others own (and the messages only those cited), their jobs, their access to
 * others' cubes and the user row, in one transaction (but today's chat token count, see below).
 * Erasing an unknown user removes nothing.
 * Who may ask (the user, or an admin key acting for them) is the route's `actor` check.
 */
export async function deleteUser(context: MemoryContext, userId: string): Promise<UserErasure> {
  // The current UTC day's chat token count outlives the erasure (it holds no content, and goes
  // stale by tomorrow): otherwise a user could erase themselves to get a fresh daily budget.
  const today = context.now().toISOString().slice(0, 10);
  const spent = await context.store.chatTokens(userId, today);
  const erased = await context.store.deleteUser(userId);
  if (spent > 0) await context.store.addChatTokens(userId, today, spent);
  return erased;
}

/**
 * Records a cube a MemOS client registers by name or path: the name is kept as a label, and nothing
 * is ever read from that path. Registering a cube again is a no-op for its owner; another user's
 * cube is a 403.
 */
export async function registerCube(context: MemoryContext, request: { ownerId: string; cubeId: string; name: string }): Promise<CubeRecord> {
  const owned = async () => {
    const existing = await context.store.getCube(request.cubeId);
    if (existing && existing.ownerId !== request.ownerId) throw cubeForbidden(request.ownerId, request.cubeId, "manage");
    return existing;
  };
  const existing = await owned();
  if (existing) return existing;
  try {
    return await createCube(context, { ownerId: request.ownerId, cubeName: request.name, cubeId: request.cubeId });
  } catch (error) {
    // Another request created it meanwhile: it is this user's, or a 403 as above.
    const raced = error instanceof DomainError && error.kind === "conflict" ? await owned() : undefined;
    if (raced) return raced;
    throw error;
  }
}

/** The cubes a user owns or was given access to, by id, with their access and active memories. */
export async function listCubes(context: MemoryContext, userId: string): Promise<UserCube[]> {
  return context.store.cubesOf(userId);
}
