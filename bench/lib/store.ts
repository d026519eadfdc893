/**
 * Which store a benchmark runs on (`npm run bench -- --store postgres`): SQLite in the run's data
 * folder, or PostgreSQL at DATABASE_URL, in a schema of the run's own that is dropped at the end.
 */
import path from "node:path";
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
  /** Removes what the run left in PostgreSQL. */
  close(): Promise<void>;
}

export async function benchStore(name: string): Promise<BenchStore> {
  if (name === "sqlite") {
    return { name, env: {}, open: async (dataDir) => new SqliteStore(path.join(dataDir, "memcube.db")), close: async () => {} };
  }
  if (name !== "postgres") throw new Error(`--store must be sqlite or postgres, not ${name}`);
  if (!process.env.DATABASE_URL) throw new Error("--store postgres needs DATABASE_URL (bash scripts/setup-postgres.sh prints one)");
  const schema: TestSchema = await freshSchema("bench");
  return {
    name,
    env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url },
    open: () => PostgresStore.open(schema.url),
    close: () => schema.drop(),
  };
}
