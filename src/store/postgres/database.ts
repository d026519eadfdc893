import pg from "pg";
import { nullable, number, rowOf, text } from "../core/decode.js";
import { PG_MIGRATIONS } from "./migrations.js";

const versionRow = rowOf("schema_migrations", { version: nullable(number) });
const extensionRow = rowOf("pg_extension", { extversion: text });

/** A pool or a client inside a transaction: anything that runs a query. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

const INT8_OID = 20;
/** bigint columns (seq, job ids, counts) as numbers: they stay far below 2^53. */
function parserOf(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID) return (value: string) => Number(value);
  // @types/pg types the built-in parsers loosely (any); each takes the column's text.
  return pg.types.getTypeParser(oid, format as "text") as (value: string) => unknown;
}
const types = { getTypeParser: parserOf as typeof pg.types.getTypeParser };

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** Deadlocks and serialisation failures: the transaction is run again (a few times). */
const RETRYABLE = new Set(["40P01", "40001"]);

const MIN_PGVECTOR = [0, 8, 0];

function versionAtLeast(version: string, minimum: number[]): boolean {
  const parts = version.split(".").map((part) => Number.parseInt(part, 10) || 0);
  for (let index = 0; index < minimum.length; index += 1) {
    const have = parts[index] ?? 0;
    const want = minimum[index] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}

/**
 * The URL with pgvector's session settings added to its startup options: ef_search, the candidates an
 * HNSW scan keeps (recall); and on 0.8+, iterative scans in relaxed order: with a filter (a cube), the
 * scan goes on until enough rows pass it. Results may then come slightly out of order: queries re-sort.
 */
function withSessionSettings(url: string, iterativeScan: boolean): string {
  const parsed = new URL(url);
  const settings = ["-c hnsw.ef_search=100", ...(iterativeScan ? ["-c hnsw.iterative_scan=relaxed_order"] : [])];
  parsed.searchParams.set("options", [parsed.searchParams.get("options") ?? "", ...settings].join(" ").trim());
  return parsed.toString();
}

/** The schema versions applied (0 on a new database). */
export async function appliedSchema(db: Queryable): Promise<number> {
  const { rows } = await db.query("SELECT max(version) AS version FROM schema_migrations");
  return (rows[0] === undefined ? null : versionRow(rows[0]).version) ?? 0;
}

/** A fixed key for `pg_advisory_xact_lock`, combined with the schema so that schemas migrate independently. */
const MIGRATION_LOCK = "memcube:migrate";

/**
 * Brings the schema up to date: in one transaction under an advisory lock, so that processes
 * starting at once wait for the first one's migrations instead of racing it.
 */
async function migrate(client: pg.Client, url: string): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1 || current_schema()))", [MIGRATION_LOCK]);
    const extension = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
    if (extension.rowCount === 0) {
      try {
        await client.query("CREATE EXTENSION IF NOT EXISTS vector");
      } catch (error) {
        throw new Error(
          `the pgvector extension is not enabled in ${redactUrl(url)} and this role may not enable it ` +
            `(${error instanceof Error ? error.message : String(error)}): run \`CREATE EXTENSION vector;\` in that database as a superuser ` +
            "(scripts/setup-postgres.sh does it)",
        );
      }
    }
    await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    const applied = await appliedSchema(client);
    if (applied > PG_MIGRATIONS.length) {
      throw new Error(`${redactUrl(url)} was written by a newer memcube (schema ${applied}, this one knows ${PG_MIGRATIONS.length})`);
    }
    for (let index = applied; index < PG_MIGRATIONS.length; index += 1) {
      await client.query(PG_MIGRATIONS[index] as string);
      await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [index + 1]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

export interface DatabaseOptions {
  /** Most connections this process holds. */
  maxConnections?: number;
}

/** A connection pool on a migrated database, with per-session settings for pgvector's index scans. */
export class Database {
  private constructor(
    readonly pool: pg.Pool,
    /** Whether pgvector can continue an HNSW scan until a filter has let enough rows through (0.8+). */
    readonly iterativeScan: boolean,
  ) {}

  static async open(url: string, options: DatabaseOptions = {}): Promise<Database> {
    const client = new pg.Client({ connectionString: url, types });
    client.on("error", () => {}); // reported by the query that fails
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    let iterativeScan = false;
    try {
      await migrate(client, url);
      const { rows } = await client.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
      iterativeScan = versionAtLeast(rows[0] === undefined ? "0" : extensionRow(rows[0]).extversion, MIN_PGVECTOR);
    } finally {
      await client.end();
    }
    const pool = new pg.Pool({
      connectionString: withSessionSettings(url, iterativeScan),
      types,
      max: options.maxConnections ?? 10,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection that breaks (a server restart) is dropped by the pool; the next query reconnects.
    pool.on("error", () => {});
    return new Database(pool, iterativeScan);
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(sql, params);
  }

  /** Runs the work in one transaction on one connection; a deadlock or serialisation failure is retried. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work(client);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        const code = (error as { code?: string }).code;
        if (attempt < 4 && code !== undefined && RETRYABLE.has(code)) continue;
        throw error;
      } finally {
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
