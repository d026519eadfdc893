/**
 * What a memory filter compiles to in both stores' SQL: the memory row `m`'s columns, the
 * comparison operators, and where a memory's info is (stored once per cube in memory_infos).
 */

/** Filter fields stored as plain columns of `memories m`. */
export const FILTER_COLUMNS: Record<string, string> = {
  memory_type: "m.memory_type",
  session_id: "m.session_id",
  created_at: "m.created_at",
  chat_time: "m.chat_time",
};

export const COMPARISONS: Record<string, string> = { eq: "=", gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** A memory's info (NULL when it has none: no key matches). */
export const INFO_SQL = "(SELECT i.info FROM memory_infos i WHERE i.id = m.info_id)";

export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
