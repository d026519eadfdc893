import type { JobRow, MemoryRow } from "../rows.js";

/** A `memories` row as SQLite returns it: JSON columns as text, the rowid, and its info's row (null: none). */
export type SqliteMemoryRow = Omit<MemoryRow, "tags" | "info"> & { rowid: number; tags: string; info_id: number | null };

/** A `jobs` row as SQLite returns it: JSON columns as text. */
export type SqliteJobRow = Omit<JobRow, "payload" | "result"> & { payload: string; result: string | null };

export function decodeMemoryRow(row: SqliteMemoryRow, info: Record<string, unknown>): MemoryRow & { rowid: number } {
  return { ...row, tags: JSON.parse(row.tags) as string[], info };
}

export function decodeJobRow(row: SqliteJobRow): JobRow {
  return {
    ...row,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    result: row.result === null ? null : (JSON.parse(row.result) as Record<string, unknown>),
  };
}
