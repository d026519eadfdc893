import { ComposedStore } from "../core/composed-store.js";
import { SqliteConnection } from "./connection.js";
import { SqliteCubes } from "./cubes.js";
import { SqliteErasure } from "./erasure.js";
import { SqliteJobQueue, SqliteJobs } from "./jobs.js";
import { SqliteOps } from "./ops.js";
import { SqliteReads } from "./reads.js";
import { SqliteRefine } from "./refine.js";
import { SqliteSearch } from "./search.js";
import { SqliteSoftDelete } from "./soft-delete.js";
import { SqliteVectors } from "./vectors.js";
import { SqliteWrites } from "./writes.js";

/** The embedded default store: one SQLite file with sqlite-vec and FTS5. */
export class SqliteStore extends ComposedStore {
  readonly kind = "sqlite";
  private readonly conn: SqliteConnection;

  constructor(readonly file: string) {
    const conn = new SqliteConnection(file);
    const queue = new SqliteJobQueue(conn.db);
    const cubes = new SqliteCubes(conn);
    super({
      cubes,
      erasure: new SqliteErasure(conn),
      softDelete: new SqliteSoftDelete(conn),
      writes: new SqliteWrites(conn, cubes, queue),
      vectors: new SqliteVectors(conn),
      reads: new SqliteReads(conn),
      search: new SqliteSearch(conn),
      jobs: new SqliteJobs(queue),
      refine: new SqliteRefine(conn, queue),
      ops: new SqliteOps(conn, queue),
    });
    this.conn = conn;
  }

  async close(): Promise<void> {
    this.conn.close();
  }

  /** Resolves when no background index build is running (tests and benchmarks). */
  async indexesSettled(): Promise<void> {
    await this.conn.ann.settled();
  }
}
