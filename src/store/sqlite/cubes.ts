import type { CubeMethods } from "../core/composed-store.js";
import type { CubeForWriting } from "../core/cube-access.js";
import { createCube, shareCube, type CubePrimitives } from "../core/cubes.js";
import { nullable, recordOf, text } from "../core/decode.js";
import { accessRow, cubeFrom, userCubeFrom } from "../core/rows.js";
import { runSync } from "../core/script.js";
import type { CubeAccess, CubeRecord, SharedAccess, UserCube } from "../types.js";
import type { SqliteConnection } from "./connection.js";

const cubeForWriting = recordOf("cubes", { ownerId: ["owner_id", text], access: ["access", nullable(text)] });

/** Cubes, their owners and their shares; the primitives run inside the caller's transaction. */
export class SqliteCubes implements CubeMethods, CubePrimitives {
  constructor(private readonly conn: SqliteConnection) {}

  ensureUser(userId: string, now: string): void {
    this.conn.db.prepare("INSERT INTO users (id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING").run(userId, now);
  }

  insertCube(cube: CubeRecord): boolean {
    return (
      this.conn.db
        .prepare("INSERT INTO cubes (id, name, owner_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
        .run(cube.id, cube.name, cube.ownerId, cube.createdAt).changes === 1
    );
  }

  grantAccess(cubeId: string, userId: string, access: SharedAccess): void {
    this.conn.db
      .prepare(
        `INSERT INTO cube_access (cube_id, user_id, access) VALUES (?, ?, ?)
         ON CONFLICT (cube_id, user_id) DO UPDATE SET access = excluded.access`,
      )
      .run(cubeId, userId, access);
  }

  revokeAccess(cubeId: string, userId: string): void {
    this.conn.db.prepare("DELETE FROM cube_access WHERE cube_id = ? AND user_id = ?").run(cubeId, userId);
  }

  /** The cube's owner and the user's shared access, or undefined when there is no cube. */
  forWriting(cubeId: string, userId: string): CubeForWriting | undefined {
    const row = this.conn.db
      .prepare("SELECT c.owner_id, a.access FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = ? WHERE c.id = ?")
      .get(userId, cubeId);
    return row === undefined ? undefined : cubeForWriting(row);
  }

  async getCube(cubeId: string): Promise<CubeRecord | undefined> {
    const row = this.conn.db.prepare("SELECT id, name, owner_id, created_at FROM cubes WHERE id = ?").get(cubeId);
    return row === undefined ? undefined : cubeFrom(row);
  }

  async createCube(cube: CubeRecord): Promise<boolean> {
    return this.conn.write(() => runSync(createCube(this, cube)));
  }

  async accessOf(cubeId: string, userId: string): Promise<CubeAccess | undefined> {
    // Prepared once: every search and write asks it.
    const row = this.conn
      .read(
        `SELECT CASE WHEN c.owner_id = ? THEN 'owner' ELSE a.access END AS access
         FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = ?
         WHERE c.id = ?`,
      )
      .get(userId, userId, cubeId);
    return row === undefined ? undefined : (accessRow(row).access ?? undefined);
  }

  async shareCube(cubeId: string, userId: string, access: SharedAccess | undefined): Promise<void> {
    this.conn.write(() => runSync(shareCube(this, cubeId, userId, access, new Date().toISOString())));
  }

  async cubesOf(userId: string): Promise<UserCube[]> {
    const rows = this.conn.db
      .prepare(
        `SELECT c.id, c.name, c.owner_id, c.created_at,
                CASE WHEN c.owner_id = ? THEN 'owner' ELSE a.access END AS access,
                (SELECT count(*) FROM memories m WHERE m.cube_id = c.id AND m.status = 'activated') AS memories
         FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = ?
         WHERE c.owner_id = ? OR a.user_id IS NOT NULL
         ORDER BY c.id`,
      )
      .all(userId, userId, userId);
    return rows.map(userCubeFrom);
  }
}
