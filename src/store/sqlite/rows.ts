import type { JobRow, MemoryRow } from "../rows.js";

/** A `memories` row as SQLite returns it: JSON columns as text, and the rowid. */
export type SqliteMemoryRow = Omit<MemoryRow, "tags" | "info"> & { rowid: number; tags: string; info: string };

/** A `jobs` row as SQLite returns it: JSON columns as text. */
export type SqliteJobRow = Omit<JobRow, "payload" | "result"> & { payload: string; result: string | null };

export function decodeMemoryRow(row: SqliteMemoryRow): MemoryRow & { rowid: number } {
  return { ...row, tags: JSON.parse(row.tags) as string[], info: JSON.parse(row.info) as Record<string, unknown> };
}

export function decodeJobRow(row: SqliteJobRow): JobRow {
  return {
    ...row,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    result: row.result === null ? null : (JSON.parse(row.result) as Record<string, unknown>),
  };
}
