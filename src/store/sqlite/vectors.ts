import type { EmbedderIdentity } from "../store.js";
import type { VectorMethods } from "../core/composed-store.js";
import { number, recordOf, rowOf, text } from "../core/decode.js";
import { vectorBlob, type SqliteConnection } from "./connection.js";
import { quantize } from "./quantize.js";

const memoryText = recordOf("memories", { id: ["id", text], cubeId: ["cube_id", text], memoryType: ["memory_type", text], text: ["text", text] });
const vectorTarget = rowOf("memories", { rowid: number, cube_id: text, memory_type: text, status: text });

/** The embedder the vectors come from, and re-embedding. */
export class SqliteVectors implements VectorMethods {
  constructor(private readonly conn: SqliteConnection) {}

  async embedderIdentity(): Promise<EmbedderIdentity | undefined> {
    return this.conn.identity;
  }

  async resetVectors(identity: EmbedderIdentity): Promise<void> {
    if (!Number.isInteger(identity.dimension) || identity.dimension < 1) throw new Error("bad embedding dimension");
    const { db } = this.conn;
    this.conn.write(() => {
      db.exec("DROP TABLE IF EXISTS memory_vectors");
      db.exec(
        `CREATE VIRTUAL TABLE memory_vectors USING vec0(
           cube_id TEXT PARTITION KEY, memory_type TEXT, embedding FLOAT[${identity.dimension}] distance_metric=cosine)`,
      );
      db.exec("UPDATE memories SET vector_q = NULL WHERE vector_q IS NOT NULL");
      this.conn.writeEmbedder(identity);
    });
    this.conn.vectorTableCreated();
    this.conn.ann.dropAll();
  }

  async recordEmbedder(identity: EmbedderIdentity): Promise<void> {
    this.conn.writeEmbedder(identity);
  }

  async memoryTexts(after: string | undefined, limit: number): Promise<{ id: string; cubeId: string; memoryType: string; text: string }[]> {
    return this.conn.db
      .prepare("SELECT id, cube_id, memory_type, text FROM memories WHERE status IN ('activated', 'deleted') AND id > ? ORDER BY id LIMIT ?")
      .all(after ?? "", limit)
      .map(memoryText);
  }

  async setVectors(entries: readonly { id: string; vector: Float32Array }[]): Promise<void> {
    if (!this.conn.hasVectorTable) throw new Error("no vector index: call resetVectors first");
    const { db } = this.conn;
    this.conn.write(() => {
      const find = db.prepare("SELECT rowid, cube_id, memory_type, status FROM memories WHERE id = ?");
      const remove = db.prepare("DELETE FROM memory_vectors WHERE rowid = ?");
      const insert = db.prepare("INSERT INTO memory_vectors (rowid, cube_id, memory_type, embedding) VALUES (?, ?, ?, ?)");
      const compact = db.prepare("UPDATE memories SET vector_q = ? WHERE rowid = ?");
      for (const { id, vector } of entries) {
        const found = find.get(id);
        if (found === undefined) continue;
        const row = vectorTarget(found);
        remove.run(BigInt(row.rowid));
        // A memory set aside by a soft delete keeps only its compact vector; its recovery indexes it.
        if (row.status !== "deleted") insert.run(BigInt(row.rowid), row.cube_id, row.memory_type, vectorBlob(vector));
        compact.run(quantize(vector), row.rowid);
      }
    });
  }
}
