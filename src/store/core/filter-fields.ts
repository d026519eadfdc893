/**
 * What a memory filter compiles to in both stores' SQL: the memory row `m`'s columns, the
 * comparison operators, and where a memory's info and tags are (stored once per cube and distinct
 * content, in memory_infos and memory_tag_sets).
 */

/** Filter fields stored as plain columns of `memories m`. */
export const FILTER_COLUMNS: Record<string, string> = {
  id: "m.id",
  user_id: "m.user_id",
  memory_type: "m.memory_type",
  session_id: "m.session_id",
  created_at: "m.created_at",
  chat_time: "m.chat_time",
};

export const COMPARISONS: Record<string, string> = { eq: "=", gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** A memory's info (NULL when it has none: no key matches). */
export const INFO_SQL = "(SELECT i.info FROM memory_infos i WHERE i.id = m.info_id)";

/** A memory's tags as a JSON array (NULL when it has none: no tag matches). */
export const TAGS_SQL = "(SELECT t.tags FROM memory_tag_sets t WHERE t.id = m.tag_set_id)";

export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
