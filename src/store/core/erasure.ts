import type { UserErasure } from "../store.js";
import { withEarlierVersions, type LineagePrimitives } from "./lineage.js";
import { use, type Script, type Step } from "./script.js";

/** What forgetting memories needs of a driver, inside its write transaction. */
export interface ForgetPrimitives extends LineagePrimitives {
  /** Those of the memories the cube holds, locked until the transaction ends. */
  lockMemories(cubeId: string, memoryIds: readonly string[]): Step<string[]>;
  /** The messages these memories cite. */
  citedMessages(memoryIds: readonly string[]): Step<string[]>;
  /**
   * Removes memory rows with their history, sources and index entries, and the infos no memory
   * points at any more; how many memory rows went.
   */
  removeMemories(cubeId: string, memoryIds: readonly string[]): Step<number>;
  /** Removes those of the cube's messages that no active or soft-deleted memory cites (recovering it needs them); how many went. */
  forgetUncited(cubeId: string, messageIds: readonly string[]): Step<number>;
}

export interface Forgotten {
  /** Of the memories asked for, how many were deleted. */
  deleted: number;
  /** Memory rows removed (earlier versions included). */
  rows: number;
  /** Messages forgotten. */
  messages: number;
}

/**
 * Deletes memories with their earlier versions from every index and forgets the messages no
 * other active or soft-deleted memory cites.
 */
export function* forgetMemories(tx: ForgetPrimitives, cubeId: string, memoryIds: readonly string[]): Script<Forgotten> {
  const lineage = yield* withEarlierVersions(tx, cubeId, memoryIds);
  const found = yield* use(tx.lockMemories(cubeId, lineage));
  if (found.length === 0) return { deleted: 0, rows: 0, messages: 0 };
  // Read before the rows go: their sources go with them.
  const cited = yield* use(tx.citedMessages(found));
  const rows = yield* use(tx.removeMemories(cubeId, found));
  const messages = yield* use(tx.forgetUncited(cubeId, cited));
  const requested = new Set(memoryIds);
  return { deleted: found.filter((id) => requested.has(id)).length, rows, messages };
}

/** What erasing a user needs of a driver, inside its write transaction. */
export interface ErasurePrimitives extends ForgetPrimitives {
  /** The cubes the user owns, locked (writes to them wait for the erasure), in id order. */
  ownedCubes(userId: string): Step<string[]>;
  /** How many memory rows and messages the cubes hold. */
  contentsOf(cubeIds: readonly string[]): Step<{ memories: number; messages: number }>;
  /** Removes the cubes with everything in them and their shares; how many jobs went with them. */
  dropCubes(cubeIds: readonly string[]): Step<number>;
  /** The memories the user wrote (in any cube still standing), locked, by cube then id. */
  memoriesWrittenBy(userId: string): Step<{ cubeId: string; id: string }[]>;
  /** Removes the user's remaining jobs, their access to others' cubes, their chat counts and the user row. */
  dropUserRows(userId: string): Step<{ jobs: number; shares: number; user: boolean }>;
}

/**
 * Erases a user: every cube they own, the memories they wrote into cubes of others (as a delete of
 * those memories), their jobs, shares, chat counts and the user row.
 */
export function* eraseUser(tx: ErasurePrimitives, userId: string): Script<{ erasure: UserErasure; ownedCubes: string[] }> {
  const owned = yield* use(tx.ownedCubes(userId));
  let { memories, messages } = yield* use(tx.contentsOf(owned));
  let jobs = yield* use(tx.dropCubes(owned));
  // What the user wrote into cubes others own (shared for writing) is theirs to erase too.
  const elsewhere = yield* use(tx.memoriesWrittenBy(userId));
  const byCube = new Map<string, string[]>();
  for (const { cubeId, id } of elsewhere) byCube.set(cubeId, [...(byCube.get(cubeId) ?? []), id]);
  for (const [cubeId, ids] of byCube) {
    const forgotten = yield* forgetMemories(tx, cubeId, ids);
    memories += forgotten.rows;
    messages += forgotten.messages;
  }
  const rest = yield* use(tx.dropUserRows(userId));
  jobs += rest.jobs;
  return { erasure: { user: rest.user, cubes: owned.length, memories, messages, jobs, shares: rest.shares }, ownedCubes: owned };
}
