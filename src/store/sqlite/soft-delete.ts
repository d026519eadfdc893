import type { SoftDeleteMethods } from "../core/composed-store.js";
import { bytes, nullable, number, recordOf, text } from "../core/decode.js";
import type { SoftDeletedMemory, SoftDeletedQuery } from "../store.js";
import { vectorBlob, type SqliteConnection } from "./connection.js";
import { dequantize } from "./quantize.js";
import { recoveredKey } from "./vector-index.js";

const setAsideRow = recordOf("memories", { rowid: ["rowid", number], memoryType: ["memory_type", text], vectorQ: ["vector_q", nullable(bytes)] });
const softDeletedRow = recordOf("memories", {
  cubeId: ["cube_id", text],
  id: ["id", text],
  recordId: ["delete_record_id", text],
  deletedAt: ["deleted_at", text],
});

/**
 * Soft deletes on SQLite. A memory set aside leaves the vector table and the cube's vector index
 * (a nearest-neighbour search would otherwise spend its candidates on it); its keyword entry stays,
 * as every keyword query reads active rows only, and its compact vector stays on the row, from
 * which the vector entry is made again when it is recovered.
 */
export class SqliteSoftDelete implements SoftDeleteMethods {
  constructor(private readonly conn: SqliteConnection) {}

  async softDeleteMemories(cubeId: string, recordId: string, now: string): Promise<number> {
    return this.conn.write(() => {
      const rows = this.conn.db
        .prepare("SELECT rowid, memory_type, vector_q FROM memories WHERE cube_id = ? AND status = 'activated'")
        .all(cubeId)
        .map(setAsideRow);
      const setAside = this.conn.db.prepare("UPDATE memories SET status = 'deleted', delete_record_id = ?, deleted_at = ? WHERE rowid = ?");
      const dropVector = this.conn.hasVectorTable ? this.conn.db.prepare("DELETE FROM memory_vectors WHERE rowid = ?") : undefined;
      for (const row of rows) {
        setAside.run(recordId, now, row.rowid);
        dropVector?.run(BigInt(row.rowid));
        this.conn.ann.remove(cubeId, row.rowid);
      }
      return rows.length;
    });
  }

  async recoverMemories(cubeId: string, recordId: string): Promise<number> {
    const recovered = this.conn.write(() => {
      const rows = this.conn.db
        .prepare("SELECT rowid, memory_type, vector_q FROM memories WHERE cube_id = ? AND delete_record_id = ? AND status = 'deleted'")
        .all(cubeId, recordId)
        .map(setAsideRow);
      const bringBack = this.conn.db.prepare("UPDATE memories SET status = 'activated', delete_record_id = NULL, deleted_at = NULL WHERE rowid = ?");
      const dropVector = this.conn.hasVectorTable ? this.conn.db.prepare("DELETE FROM memory_vectors WHERE rowid = ?") : undefined;
      const addVector = this.conn.hasVectorTable
        ? this.conn.db.prepare("INSERT INTO memory_vectors (rowid, cube_id, memory_type, embedding) VALUES (?, ?, ?, ?)")
        : undefined;
      for (const row of rows) {
        bringBack.run(row.rowid);
        if (!row.vectorQ || !addVector) continue;
        dropVector?.run(BigInt(row.rowid));
        addVector.run(BigInt(row.rowid), cubeId, row.memoryType, vectorBlob(dequantize(row.vectorQ)));
      }
      // A cube's vector index only takes rows newer than it holds: the new mark has every process
      // rebuild it with the recovered ones (searching exactly meanwhile).
      if (rows.length > 0) {
        this.conn.db
          .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
          .run(recoveredKey(cubeId), crypto.randomUUID());
      }
      return rows.length;
    });
    if (recovered > 0) this.conn.ann.drop(cubeId);
    return recovered;
  }

  async softDeletedMemories(query: SoftDeletedQuery): Promise<SoftDeletedMemory[]> {
    const conditions = [
      ["cube_id = ?", query.cubeId],
      ["delete_record_id = ?", query.recordId],
      ["deleted_at < ?", query.deletedBefore],
    ] as const;
    const given = conditions.flatMap(([sql, value]) => (value === undefined ? [] : [{ sql, value }]));
    const where = ["status = 'deleted'", "deleted_at IS NOT NULL", ...given.map((condition) => condition.sql)];
    const params = given.map((condition) => condition.value);
    return this.conn.db
      .prepare(`SELECT cube_id, id, delete_record_id, deleted_at FROM memories WHERE ${where.join(" AND ")} ORDER BY deleted_at, rowid LIMIT ?`)
      .all(...params, query.limit)
      .map(softDeletedRow);
  }
}
