/**
 * PostgreSQL for tests: runs when DATABASE_URL is set (scripts/setup-postgres.sh prints one), and
 * each test file works in a schema of its own, dropped at the end, so files never see each other's rows.
 */
import pg from "pg";

export const DATABASE_URL = process.env.DATABASE_URL?.trim() || undefined;

/** For `describe(..., { skip })`: false when PostgreSQL is there, else why the tests are skipped. */
export const POSTGRES_SKIP: string | false = DATABASE_URL
  ? false
  : "DATABASE_URL is not set: PostgreSQL tests SKIPPED (run `bash scripts/setup-postgres.sh` and export the DATABASE_URL it prints)";

export interface TestSchema {
  /** DATABASE_URL whose connections work in the schema (search_path). */
  url: string;
  schema: string;
  drop: () => Promise<void>;
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty schema in the test database; pgvector's types stay reachable through `public`. */
export async function freshSchema(label = "t"): Promise<TestSchema> {
  if (!DATABASE_URL) throw new Error("DATABASE_URL is not set");
  const schema = `memcube_${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${crypto.randomUUID().slice(0, 8)}`;
  await withClient((client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(DATABASE_URL);
  url.searchParams.set("options", `-c search_path=${schema},public`);
  return {
    url: url.toString(),
    schema,
    drop: () => withClient(async (client) => void (await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))),
  };
}

/** One query in the schema (for tests that look under the store). */
export async function querySchema<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
