import type { JobClaim, JobOutcome, NewMemory, Refinement, RefinementWrite } from "../types.js";
import { JobLeaseLost } from "../store.js";
import { use, type Script, type Step } from "./script.js";

/** An active memory as refinement reads it (a driver may add its own row id). */
export interface ActiveMemory {
  id: string;
  text: string;
  memoryType: string;
}

/** What committing a refinement needs of a driver, inside its write transaction. */
export interface RefinePrimitives<Row extends ActiveMemory> {
  /** Whether the claim is still this runner's (the job row stays locked until the transaction ends). */
  holds(claim: JobClaim): Step<boolean>;
  /** Whether the cube still holds every one of these messages. */
  messagesExist(cubeId: string, messageIds: readonly string[]): Step<boolean>;
  /** Whether a memory set aside by a soft delete cites any of these messages of the cube. */
  messagesSetAside(cubeId: string, messageIds: readonly string[]): Step<boolean>;
  insertMemory(memory: NewMemory): Step<void>;
  /** The memory if it is active in the cube, locked until the transaction ends. */
  activeMemory(cubeId: string, memoryId: string): Step<Row | undefined>;
  /** The memory leaves search (its status and every index) and records its successor in its history. */
  archive(row: Row, successorId: string, reason: string, now: string): Step<void>;
  /** Copies one memory's history onto another (a new version carries its whole lineage). */
  inheritHistory(memoryId: string, fromMemoryId: string): Step<void>;
  finishJob(claim: JobClaim, outcome: JobOutcome, now: string): Step<boolean>;
}

/**
 * Writes what a refinement job derived and completes the job, fenced on the claim. Derived
 * memories citing a message that is gone, or that a soft-deleted memory cites, are not written,
 * and the raw memories they were to replace stay.
 */
export function* commitRefinement<Row extends ActiveMemory>(tx: RefinePrimitives<Row>, refinement: Refinement): Script<RefinementWrite> {
  const { cubeId, now } = refinement;
  if (!(yield* use(tx.holds(refinement.claim)))) throw new JobLeaseLost(refinement.claim.jobId);
  const insertedIds: string[] = [];
  const archivedIds: string[] = [];
  for (const { memory, supersedes } of refinement.derived) {
    // A message forgotten while the job ran must not come back through what was derived from it.
    if (!(yield* use(tx.messagesExist(cubeId, memory.sourceMessageIds)))) continue;
    // Nor through a soft delete: what a memory set aside was made from stays aside with it.
    if (yield* use(tx.messagesSetAside(cubeId, memory.sourceMessageIds))) continue;
    yield* use(tx.insertMemory(memory));
    insertedIds.push(memory.id);
    const old = supersedes ? yield* use(tx.activeMemory(cubeId, supersedes.memoryId)) : undefined;
    if (old && supersedes) {
      yield* use(tx.archive(old, memory.id, supersedes.reason, now));
      // The new version carries the whole lineage, so its history reads newest first.
      yield* use(tx.inheritHistory(memory.id, old.id));
      archivedIds.push(old.id);
    }
  }
  const standing = new Set(insertedIds);
  for (const { memoryId, successorId, reason } of refinement.retire) {
    if (!standing.has(successorId) && (yield* use(tx.activeMemory(cubeId, successorId))) === undefined) continue;
    const raw = yield* use(tx.activeMemory(cubeId, memoryId));
    if (!raw) continue;
    yield* use(tx.archive(raw, successorId, reason, now));
    archivedIds.push(raw.id);
  }
  yield* use(tx.finishJob(refinement.claim, { status: "done", result: { ...refinement.result, insertedIds, archivedIds } }, now));
  return { insertedIds, archivedIds };
}
