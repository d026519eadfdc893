import type { CubeMethods } from "../core/composed-store.js";
import { checkWritable } from "../core/cube-access.js";
import { createCube, shareCube, type CubePrimitives } from "../core/cubes.js";
import { nullable, recordOf, text } from "../core/decode.js";
import { accessRow, cubeFrom, userCubeFrom } from "../core/rows.js";
import { runAsync } from "../core/script.js";
import type { CubeAccess, CubeRecord, SharedAccess, UserCube } from "../types.js";
import type { PostgresConnection } from "./connection.js";
import type { Queryable } from "./database.js";

const cubeForWriting = recordOf("cubes", { ownerId: ["owner_id", text], access: ["access", nullable(text)] });

/** The cube primitives inside one transaction (or on the pool). */
export class PostgresCubePrimitives implements CubePrimitives {
  constructor(private readonly db: Queryable) {}

  async ensureUser(userId: string, now: string): Promise<void> {
    await this.db.query("INSERT INTO users (id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", [userId, now]);
  }

  async insertCube(cube: CubeRecord): Promise<boolean> {
    const { rowCount } = await this.db.query("INSERT INTO cubes (id, name, owner_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", [
      cube.id,
      cube.name,
      cube.ownerId,
      cube.createdAt,
    ]);
    return rowCount === 1;
  }

  async grantAccess(cubeId: string, userId: string, access: SharedAccess): Promise<void> {
    await this.db.query(
      `INSERT INTO cube_access (cube_id, user_id, access) VALUES ($1, $2, $3)
       ON CONFLICT (cube_id, user_id) DO UPDATE SET access = excluded.access`,
      [cubeId, userId, access],
    );
  }

  async revokeAccess(cubeId: string, userId: string): Promise<void> {
    await this.db.query("DELETE FROM cube_access WHERE cube_id = $1 AND user_id = $2", [cubeId, userId]);
  }

  /**
   * The user may write the cube, which is created when missing. The cube row is share-locked until
   * the transaction ends, so a concurrent delete of the cube waits.
   */
  async claimForWriting(cubeId: string, userId: string, now: string): Promise<void> {
    await this.insertCube({ id: cubeId, name: cubeId, ownerId: userId, createdAt: now });
    const { rows } = await this.db.query(
      `SELECT c.owner_id, a.access FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = $2
       WHERE c.id = $1 FOR SHARE OF c`,
      [cubeId, userId],
    );
    // No row: deleted between the two statements.
    checkWritable(cubeId, userId, rows[0] === undefined ? undefined : cubeForWriting(rows[0]));
  }
}

/** Cubes, their owners and their shares. */
export class PostgresCubes implements CubeMethods {
  constructor(private readonly conn: PostgresConnection) {}

  async getCube(cubeId: string): Promise<CubeRecord | undefined> {
    const { rows } = await this.conn.db.query("SELECT id, name, owner_id, created_at FROM cubes WHERE id = $1", [cubeId]);
    return rows[0] === undefined ? undefined : cubeFrom(rows[0]);
  }

  async createCube(cube: CubeRecord): Promise<boolean> {
    return this.conn.db.transaction((client) => runAsync(createCube(new PostgresCubePrimitives(client), cube)));
  }

  async accessOf(cubeId: string, userId: string): Promise<CubeAccess | undefined> {
    const { rows } = await this.conn.db.query(
      `SELECT CASE WHEN c.owner_id = $1 THEN 'owner' ELSE a.access END AS access
       FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = $1
       WHERE c.id = $2`,
      [userId, cubeId],
    );
    return rows[0] === undefined ? undefined : (accessRow(rows[0]).access ?? undefined);
  }

  async shareCube(cubeId: string, userId: string, access: SharedAccess | undefined): Promise<void> {
    await this.conn.db.transaction((client) => runAsync(shareCube(new PostgresCubePrimitives(client), cubeId, userId, access, new Date().toISOString())));
  }

  async cubesOf(userId: string): Promise<UserCube[]> {
    const { rows } = await this.conn.db.query(
      `SELECT c.id, c.name, c.owner_id, c.created_at,
              CASE WHEN c.owner_id = $1 THEN 'owner' ELSE a.access END AS access,
              (SELECT count(*) FROM memories m WHERE m.cube_id = c.id AND m.status = 'activated')::int AS memories
       FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = $1
       WHERE c.owner_id = $1 OR a.user_id IS NOT NULL
       ORDER BY c.id`,
      [userId],
    );
    return rows.map(userCubeFrom);
  }
}
