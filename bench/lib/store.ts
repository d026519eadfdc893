/**
 * Which store a benchmark runs on (`npm run bench -- --store postgres`): SQLite in the run's data
 * folder, or PostgreSQL at DATABASE_URL, in a schema of the run's own that is dropped at the end.
 */
import path from "node:path";
import pg from "pg";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { freshSchema, type TestSchema } from "../../test/support/postgres.js";

export interface BenchStore {
  name: "sqlite" | "postgres";
  /** Added to every server process's environment. */
  env: Record<string, string>;
  /** The same data at store level. */
  open(dataDir: string): Promise<Store>;
  /**
   * Runs a large store-level fill. PostgreSQL maintains its HNSW index row by row, which for 180,000
   * random 512-d vectors takes far longer than the benchmark's budget; a bulk load (index dropped,
   * then built once, as a DBA loads a table) is how such a table is filled in practice.
   */
  bulkLoad(fill: () => Promise<void>): Promise<void>;
  /** Removes what the run left in PostgreSQL. */
  close(): Promise<void>;
}

export async function benchStore(name: string): Promise<BenchStore> {
  if (name === "sqlite") {
    return { name, env: {}, open: async (dataDir) => new SqliteStore(path.join(dataDir, "memcube.db")), bulkLoad: (fill) => fill(), close: async () => {} };
  }
  if (name !== "postgres") throw new Error(`--store must be sqlite or postgres, not ${name}`);
  if (!process.env.DATABASE_URL) throw new Error("--store postgres needs DATABASE_URL (bash scripts/setup-postgres.sh prints one)");
  const schema: TestSchema = await freshSchema("bench");
  return {
    name,
    env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url },
    open: () => PostgresStore.open(schema.url),
    bulkLoad: (fill) => withoutVectorIndex(schema.url, fill),
    close: () => schema.drop(),
  };
}

async function withoutVectorIndex(url: string, fill: () => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'memories_embedding'",
    );
    const definition = rows[0]?.indexdef;
    if (definition) await client.query("DROP INDEX memories_embedding");
    await fill();
    if (!definition) return;
    // pgvector builds the graph in memory when it fits: far faster than growing it on disk.
    await client.query("SET maintenance_work_mem = '2GB'");
    await client.query(definition);
    await client.query("ANALYZE memories");
  } finally {
    await client.end();
  }
}
