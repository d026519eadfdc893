import { ComposedStore } from "../core/composed-store.js";
import { EXACT_SEARCH_LIMIT } from "../core/tuning.js";
import { PostgresConnection } from "./connection.js";
import { PostgresCubes } from "./cubes.js";
import { Database, type DatabaseOptions } from "./database.js";
import { PostgresErasure } from "./erasure.js";
import { PostgresJobs } from "./jobs.js";
import { PostgresOps } from "./ops.js";
import { PostgresReads } from "./reads.js";
import { PostgresRefine } from "./refine.js";
import { PostgresSearch } from "./search.js";
import { PostgresSoftDelete } from "./soft-delete.js";
import { PostgresVectors } from "./vectors.js";
import { LARGE_CUBE } from "./word-counts.js";
import { PostgresWrites } from "./writes.js";

export interface PostgresStoreOptions extends DatabaseOptions {
  /** Scopes with at most this many vectors are searched exactly (default EXACT_SEARCH_LIMIT; tests lower it). */
  exactSearchLimit?: number;
  /** Cubes with at least this many memories count as large (default LARGE_CUBE; tests lower it). */
  largeCube?: number;
}

/**
 * PostgreSQL with pgvector: the store for several memcube processes, on as many machines, sharing
 * one database. Everything lives in the database (the queue, the indexes, the access rules): a
 * process keeps only its connection pool, the vector column's dimension and recent word counts.
 */
export class PostgresStore extends ComposedStore {
  readonly kind = "postgres";
  private closed = false;

  private constructor(
    private readonly conn: PostgresConnection,
    options: PostgresStoreOptions,
  ) {
    super({
      cubes: new PostgresCubes(conn),
      erasure: new PostgresErasure(conn),
      softDelete: new PostgresSoftDelete(conn),
      writes: new PostgresWrites(conn),
      vectors: new PostgresVectors(conn),
      reads: new PostgresReads(conn),
      search: new PostgresSearch(conn, options.exactSearchLimit ?? EXACT_SEARCH_LIMIT, options.largeCube ?? LARGE_CUBE),
      jobs: new PostgresJobs(conn.db),
      refine: new PostgresRefine(conn),
      ops: new PostgresOps(conn),
    });
  }

  /** Connects, migrates the schema (several processes may start at once) and reads the vector column. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const conn = new PostgresConnection(await Database.open(url, options));
    await conn.vectorDimension();
    return new PostgresStore(conn, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.db.close();
  }
}
