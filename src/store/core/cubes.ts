import type { CubeRecord, SharedAccess } from "../types.js";
import { use, type Script, type Step } from "./script.js";

/** What creating and sharing cubes needs of a driver, inside its write transaction. */
export interface CubePrimitives {
  /** The user row exists (users come into being with their first cube, write or share). */
  ensureUser(userId: string, now: string): Step<void>;
  /** Inserts the cube unless its id is taken; whether it did. */
  insertCube(cube: CubeRecord): Step<boolean>;
  grantAccess(cubeId: string, userId: string, access: SharedAccess): Step<void>;
  revokeAccess(cubeId: string, userId: string): Step<void>;
}

/** Creates the cube (and its owner) unless the id is taken; false when it was. */
export function* createCube(tx: CubePrimitives, cube: CubeRecord): Script<boolean> {
  yield* use(tx.ensureUser(cube.ownerId, cube.createdAt));
  return yield* use(tx.insertCube(cube));
}

/** Grants read or write access to another user (who then exists); undefined revokes. */
export function* shareCube(tx: CubePrimitives, cubeId: string, userId: string, access: SharedAccess | undefined, now: string): Script<void> {
  if (access === undefined) {
    yield* use(tx.revokeAccess(cubeId, userId));
    return;
  }
  yield* use(tx.ensureUser(userId, now));
  yield* use(tx.grantAccess(cubeId, userId, access));
}
