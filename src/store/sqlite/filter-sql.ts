import { BOUND_LIST, boundList } from "./bound-list.js";
import { asList, COMPARISONS, FILTER_COLUMNS, INFO_SQL, TAGS_SQL } from "../core/filter-fields.js";
import type { FilterScalar, MemoryFilter, MemoryScope } from "../types.js";

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** A list as one bound JSON array (see bound-list.ts). */
function listOf(values: readonly unknown[]): SqlFragment {
  return { sql: BOUND_LIST, params: [boundList(values)] };
}

function tagCondition(op: string, value: unknown): SqlFragment {
  if (op === "contains" || op === "eq" || op === "in") {
    const wanted = listOf(asList(value).map(String));
    return { sql: `EXISTS (SELECT 1 FROM json_each(${TAGS_SQL}) WHERE json_each.value IN ${wanted.sql})`, params: wanted.params };
  }
  throw new Error(`tags support eq, in and contains, not ${op}`);
}

type ValueKind = "number" | "boolean" | "string";

/** JSON types a filter value of each kind compares with: a number never matches a string, nor true 1. */
const JSON_TYPES: Record<ValueKind, string> = { number: "'integer', 'real'", boolean: "'true', 'false'", string: "'text'" };

function kindOf(value: FilterScalar): ValueKind {
  return typeof value === "number" ? "number" : typeof value === "boolean" ? "boolean" : "string";
}

/** Booleans are compared as json_extract returns them: 1 and 0. */
const sqlValue = (value: FilterScalar) => (typeof value === "boolean" ? Number(value) : value);

/** A comparison with a value of the `info` object, only with values of the same JSON type. */
function infoCondition(key: string, op: string, value: FilterScalar | FilterScalar[]): SqlFragment {
  const path = `$."${key}"`;
  const typed = (kind: ValueKind, comparison: string, operand: SqlFragment): SqlFragment => ({
    sql: `(json_type(${INFO_SQL}, ?) IN (${JSON_TYPES[kind]}) AND json_extract(${INFO_SQL}, ?) ${comparison} ${operand.sql})`,
    params: [path, path, ...operand.params],
  });
  if (op === "in") {
    // One list per JSON type (at most three), each compared only with values of its own type.
    const byKind = new Map<ValueKind, unknown[]>();
    for (const scalar of asList(value)) {
      const list = byKind.get(kindOf(scalar)) ?? [];
      list.push(sqlValue(scalar));
      byKind.set(kindOf(scalar), list);
    }
    const parts = [...byKind].map(([kind, values]) => typed(kind, "IN", listOf(values)));
    return { sql: `(${parts.map((part) => part.sql).join(" OR ")})`, params: parts.flatMap((part) => part.params) };
  }
  const scalar = value as FilterScalar;
  return typed(kindOf(scalar), COMPARISONS[op] ?? "=", { sql: "?", params: [sqlValue(scalar)] });
}

function fieldCondition(filter: Extract<MemoryFilter, { field: string }>): SqlFragment {
  if (filter.field === "tags") return tagCondition(filter.op, filter.value);
  if (filter.field.startsWith("info.") && filter.op !== "contains") return infoCondition(filter.field.slice(5), filter.op, filter.value);
  const column = filter.field.startsWith("info.")
    ? { sql: `json_extract(${INFO_SQL}, ?)`, params: [`$."${filter.field.slice(5)}"`] }
    : { sql: FILTER_COLUMNS[filter.field] ?? "NULL", params: [] as unknown[] };
  if (filter.op === "in") {
    const values = listOf(asList(filter.value).map(sqlValue));
    return { sql: `${column.sql} IN ${values.sql}`, params: [...column.params, ...values.params] };
  }
  if (filter.op === "contains") {
    return { sql: `instr(${column.sql}, ?) > 0`, params: [...column.params, String(filter.value)] };
  }
  const value = typeof filter.value === "boolean" ? Number(filter.value) : filter.value;
  return { sql: `${column.sql} ${COMPARISONS[filter.op]} ?`, params: [...column.params, value] };
}

/** Compiles a memory filter into a WHERE fragment over `memories m`; values are always bound. */
export function filterSql(filter: MemoryFilter): SqlFragment {
  if ("and" in filter || "or" in filter) {
    const parts = ("and" in filter ? filter.and : filter.or).map(filterSql);
    if (parts.length === 0) return { sql: "1", params: [] };
    const joiner = "and" in filter ? " AND " : " OR ";
    return { sql: `(${parts.map((part) => part.sql).join(joiner)})`, params: parts.flatMap((part) => part.params) };
  }
  return fieldCondition(filter);
}

/** WHERE fragment selecting the active memories of a scope. */
export function scopeSql(scope: MemoryScope): SqlFragment {
  const parts: SqlFragment[] = [{ sql: "m.cube_id = ? AND m.status = 'activated'", params: [scope.cubeId] }];
  if (scope.memoryTypes && scope.memoryTypes.length > 0) {
    parts.push({ sql: `m.memory_type IN (${scope.memoryTypes.map(() => "?").join(", ")})`, params: [...scope.memoryTypes] });
  }
  if (scope.filter) parts.push(filterSql(scope.filter));
  return { sql: parts.map((part) => part.sql).join(" AND "), params: parts.flatMap((part) => part.params) };
}
