import { CubeWriteRefused } from "../store.js";

/** A cube as a write finds it: its owner and the writer's shared access (null when none). */
export interface CubeForWriting {
  ownerId: string;
  access: string | null;
}

/**
 * Inside a write transaction: throws CubeWriteRefused unless the user owns the cube or it is shared
 * with them for writing. A cube that is not there (deleted meanwhile) is not writable.
 */
export function checkWritable(cubeId: string, userId: string, cube: CubeForWriting | undefined): void {
  if (!cube) throw new CubeWriteRefused(cubeId);
  if (cube.ownerId !== userId && cube.access !== "write") throw new CubeWriteRefused(cubeId);
}
