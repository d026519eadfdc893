import type { EmbedderIdentity } from "../store.js";
import type { VectorMethods } from "../core/composed-store.js";
import { recordOf, rowOf, text } from "../core/decode.js";
import { identityFrom } from "../core/rows.js";
import { HALFVEC_INDEX_MAX, VECTOR_INDEX_MAX, type PostgresConnection } from "./connection.js";
import type { Queryable } from "./database.js";

const EMBEDDER_KEY = "embedder";

const metaRow = rowOf("meta", { value: text });
const memoryText = recordOf("memories", { id: ["id", text], cubeId: ["cube_id", text], memoryType: ["memory_type", text], text: ["text", text] });

async function recordedEmbedder(db: Queryable): Promise<string | undefined> {
  const { rows } = await db.query("SELECT value FROM meta WHERE key = $1", [EMBEDDER_KEY]);
  return rows[0] === undefined ? undefined : metaRow(rows[0]).value;
}

async function writeEmbedder(db: Queryable, identity: EmbedderIdentity): Promise<void> {
  await db.query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
    EMBEDDER_KEY,
    JSON.stringify(identity),
  ]);
}

/** The embedder the vectors come from, the vector column, and re-embedding. */
export class PostgresVectors implements VectorMethods {
  constructor(private readonly conn: PostgresConnection) {}

  async embedderIdentity(): Promise<EmbedderIdentity | undefined> {
    const value = await recordedEmbedder(this.conn.db);
    return value === undefined ? undefined : identityFrom(value);
  }

  /**
   * Drops every vector and makes a vector column (and HNSW index) for the embedder's dimension,
   * under an advisory lock. Resetting to the embedder already recorded, with its column in place,
   * keeps the vectors: processes that start at once on a new database all adopt the embedder, and
   * only the first one creates the column.
   */
  async resetVectors(identity: EmbedderIdentity): Promise<void> {
    const { dimension } = identity;
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16_000) throw new Error("bad embedding dimension");
    await this.conn.db.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('memcube:vectors' || current_schema()))");
      this.conn.setDimension(undefined);
      const recorded = await recordedEmbedder(client);
      if (recorded === JSON.stringify(identity) && (await this.conn.vectorDimension(client)) === dimension) return;
      await client.query("ALTER TABLE memories DROP COLUMN IF EXISTS embedding");
      await client.query(`ALTER TABLE memories ADD COLUMN embedding vector(${dimension})`);
      // Inline with the row whenever it fits a page: exact scans then read no TOAST table.
      await client.query("ALTER TABLE memories ALTER COLUMN embedding SET STORAGE MAIN");
      if (dimension <= VECTOR_INDEX_MAX) {
        await client.query("CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops) WHERE status = 'activated'");
      } else if (dimension <= HALFVEC_INDEX_MAX) {
        await client.query(
          `CREATE INDEX memories_embedding ON memories USING hnsw ((embedding::halfvec(${dimension})) halfvec_cosine_ops) WHERE status = 'activated'`,
        );
      }
      await writeEmbedder(client, identity);
      this.conn.setDimension(dimension);
    });
    // Looked up again when still unknown (a cached dimension is kept).
    await this.conn.vectorDimension();
  }

  async recordEmbedder(identity: EmbedderIdentity): Promise<void> {
    await writeEmbedder(this.conn.db, identity);
  }

  async memoryTexts(after: string | undefined, limit: number): Promise<{ id: string; cubeId: string; memoryType: string; text: string }[]> {
    const { rows } = await this.conn.db.query(
      "SELECT id, cube_id, memory_type, text FROM memories WHERE status IN ('activated', 'deleted') AND id > $1 ORDER BY id LIMIT $2",
      [after ?? "", limit],
    );
    return rows.map(memoryText);
  }

  async setVectors(entries: readonly { id: string; vector: Float32Array }[]): Promise<void> {
    if ((await this.conn.vectorDimension()) === undefined) throw new Error("no vector index: call resetVectors first");
    if (entries.length === 0) return;
    await this.conn.db.query(
      `UPDATE memories m SET embedding = x.embedding::vector
       FROM json_to_recordset($1::json) AS x(id text, embedding text) WHERE m.id = x.id`,
      [JSON.stringify(entries.map(({ id, vector }) => ({ id, embedding: Array.from(vector) })))],
    );
  }
}
