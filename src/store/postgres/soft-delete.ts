import type { SoftDeleteMethods } from "../core/composed-store.js";
import { recordOf, text } from "../core/decode.js";
import type { SoftDeletedMemory, SoftDeletedQuery } from "../store.js";
import type { PostgresConnection } from "./connection.js";

const softDeletedRow = recordOf("memories", {
  cubeId: ["cube_id", text],
  id: ["id", text],
  recordId: ["delete_record_id", text],
  deletedAt: ["deleted_at", text],
});

/**
 * Soft deletes on PostgreSQL: the status alone takes a memory out of search, as the keyword and
 * vector indexes are partial (active rows only) and every read asks for active rows.
 */
export class PostgresSoftDelete implements SoftDeleteMethods {
  constructor(private readonly conn: PostgresConnection) {}

  /**
   * The cube row is locked first, as writes share-lock it: an add or a refinement committing meanwhile
   * is either waited for (and its memories set aside too) or waits, and then sees what was set aside.
   */
  async softDeleteMemories(cubeId: string, recordId: string, now: string): Promise<number> {
    return this.conn.db.transaction(async (client) => {
      await client.query("SELECT 1 FROM cubes WHERE id = $1 FOR UPDATE", [cubeId]);
      const { rowCount } = await client.query(
        "UPDATE memories SET status = 'deleted', delete_record_id = $2, deleted_at = $3 WHERE cube_id = $1 AND status = 'activated'",
        [cubeId, recordId, now],
      );
      return rowCount ?? 0;
    });
  }

  async recoverMemories(cubeId: string, recordId: string): Promise<number> {
    const { rowCount } = await this.conn.db.query(
      "UPDATE memories SET status = 'activated', delete_record_id = NULL, deleted_at = NULL WHERE cube_id = $1 AND delete_record_id = $2 AND status = 'deleted'",
      [cubeId, recordId],
    );
    return rowCount ?? 0;
  }

  async softDeletedMemories(query: SoftDeletedQuery): Promise<SoftDeletedMemory[]> {
    const conditions = [
      ["cube_id", "=", query.cubeId],
      ["delete_record_id", "=", query.recordId],
      ["deleted_at", "<", query.deletedBefore],
    ] as const;
    const given = conditions.flatMap(([column, op, value]) => (value === undefined ? [] : [{ column, op, value }]));
    const where = ["status = 'deleted'", "deleted_at IS NOT NULL", ...given.map(({ column, op }, index) => `${column} ${op} $${index + 1}`)];
    const { rows } = await this.conn.db.query(
      `SELECT cube_id, id, delete_record_id, deleted_at FROM memories WHERE ${where.join(" AND ")} ORDER BY deleted_at, seq LIMIT $${given.length + 1}`,
      [...given.map(({ value }) => value), query.limit],
    );
    return rows.map(softDeletedRow);
  }
}
