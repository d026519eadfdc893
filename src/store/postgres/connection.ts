import { infoDecoder, jobDecoder, memoryDecoder } from "../core/rows.js";
import { jsonValue, number, rowOf, text } from "../core/decode.js";
import type { Database, Queryable } from "./database.js";

/** `memories` and `jobs` rows as PostgreSQL returns them (jsonb already parsed). */
export const decodeMemory = memoryDecoder(jsonValue);
export const decodeJob = jobDecoder(jsonValue);
/** A memory's info (selected as `info` with its row: see MEMORY_COLUMNS). */
export const decodeInfo = infoDecoder(jsonValue);
export const decodeIdRow = rowOf("memories", { id: text });
const countRow = rowOf("count", { n: number });
const dimensionRow = rowOf("pg_attribute", { dimension: number });

/** The `n` of a `SELECT count(*)::int AS n` (0 when there is no row). */
export function countOf(rows: readonly unknown[]): number {
  return rows[0] === undefined ? 0 : countRow(rows[0]).n;
}

/** pgvector indexes `vector` up to 2,000 dimensions, and up to 4,000 as `halfvec`; beyond, search is exact. */
export const VECTOR_INDEX_MAX = 2_000;
export const HALFVEC_INDEX_MAX = 4_000;

/**
 * The pool, and what this process keeps about the database: the vector column's dimension (looked
 * up again while unknown). Everything else lives in the database.
 */
export class PostgresConnection {
  private dimension: number | undefined;

  constructor(readonly db: Database) {}

  /** The vector column's dimension, or undefined when no embedder has been set up yet. */
  async vectorDimension(db: Queryable = this.db): Promise<number | undefined> {
    if (this.dimension !== undefined) return this.dimension;
    const { rows } = await db.query(
      `SELECT atttypmod AS dimension FROM pg_attribute
       WHERE attrelid = 'memories'::regclass AND attname = 'embedding' AND NOT attisdropped`,
    );
    this.dimension = rows[0] === undefined ? undefined : dimensionRow(rows[0]).dimension;
    return this.dimension;
  }

  /** While the column is being replaced (the next lookup reads it again), and once it is known. */
  setDimension(dimension: number | undefined): void {
    this.dimension = dimension;
  }
}
