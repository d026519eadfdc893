import { asList, COMPARISONS, FILTER_COLUMNS, INFO_SQL, TAGS_SQL } from "../core/filter-fields.js";
import type { FilterScalar, MemoryFilter, MemoryScope } from "../types.js";

/**
 * Collects bound parameters for one statement and hands out their `$n` placeholders: values never
 * enter the SQL text.
 */
export class Params {
  readonly values: unknown[] = [];
  constructor(...initial: unknown[]) {
    this.values.push(...initial);
  }
  /** The placeholder of a new parameter. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const asText = (value: FilterScalar) => (typeof value === "boolean" ? String(Number(value)) : String(value));

/** How a JSON value of each kind is read for comparison: the jsonb type it must have and the SQL type it is cast to. */
const KINDS = {
  number: { jsonType: "number", read: (element: string) => `(${element})::numeric`, sqlType: "numeric" },
  boolean: { jsonType: "boolean", read: (element: string) => `(${element})::boolean`, sqlType: "boolean" },
  string: { jsonType: "string", read: (element: string) => `(${element} #>> '{}') COLLATE "C"`, sqlType: "text" },
} as const;

type ValueKind = keyof typeof KINDS;

function kindOf(value: FilterScalar): ValueKind {
  return typeof value === "number" ? "number" : typeof value === "boolean" ? "boolean" : "string";
}

/** A condition on a value of the `info` object that holds only when that value has the JSON type of the kind. */
function typedInfo(element: string, kind: ValueKind, comparison: (value: string) => string): string {
  const { jsonType, read } = KINDS[kind];
  return `(CASE WHEN jsonb_typeof(${element}) = '${jsonType}' THEN ${comparison(read(element))} ELSE false END)`;
}

/**
 * A condition on a value of the `info` object, typed as SQLite's json_extract compares: a number
 * with numbers, a string with strings (bytewise), a boolean with booleans; values of another JSON
 * type never match. `in` binds one array per kind (at most three), however many values it lists,
 * so no filter within the API's limits nears PostgreSQL's 65,535 parameters.
 */
function infoCondition(key: string, op: string, value: FilterScalar | FilterScalar[], params: Params): string {
  const element = `(${INFO_SQL} -> ${params.add(key)})`;
  if (op === "in") {
    const byKind = new Map<ValueKind, FilterScalar[]>();
    for (const scalar of asList(value)) {
      const list = byKind.get(kindOf(scalar)) ?? [];
      list.push(scalar);
      byKind.set(kindOf(scalar), list);
    }
    const parts = [...byKind].map(([kind, values]) => typedInfo(element, kind, (read) => `${read} = ANY(${params.add(values)}::${KINDS[kind].sqlType}[])`));
    return `(${parts.join(" OR ")})`;
  }
  const scalar = value as FilterScalar;
  const kind = kindOf(scalar);
  return typedInfo(element, kind, (read) => `${read} ${COMPARISONS[op] ?? "="} ${params.add(scalar)}::${KINDS[kind].sqlType}`);
}

function fieldCondition(filter: Extract<MemoryFilter, { field: string }>, params: Params): string {
  if (filter.field === "tags") {
    if (filter.op !== "contains" && filter.op !== "eq" && filter.op !== "in") throw new Error(`tags support eq, in and contains, not ${filter.op}`);
    return `coalesce(${TAGS_SQL} ?| ${params.add(asList(filter.value).map(String))}::text[], false)`;
  }
  if (filter.field.startsWith("info.")) {
    const key = filter.field.slice(5);
    if (filter.op === "contains") return `strpos(${INFO_SQL} ->> ${params.add(key)}, ${params.add(String(filter.value))}::text) > 0`;
    return infoCondition(key, filter.op, filter.value, params);
  }
  // Text columns: other values compare as their text, as SQLite's column affinity converts them.
  const column = FILTER_COLUMNS[filter.field] ?? "NULL";
  if (filter.op === "in") return `${column} = ANY(${params.add(asList(filter.value).map(asText))}::text[])`;
  if (filter.op === "contains") return `strpos(${column}, ${params.add(asText(filter.value as FilterScalar))}::text) > 0`;
  return `${column} ${COMPARISONS[filter.op]} ${params.add(asText(filter.value as FilterScalar))}::text`;
}

/** Compiles a memory filter into a WHERE fragment over `memories m`; values are always bound. */
export function filterSql(filter: MemoryFilter, params: Params): string {
  if ("and" in filter || "or" in filter) {
    const parts = ("and" in filter ? filter.and : filter.or).map((part) => filterSql(part, params));
    if (parts.length === 0) return "true";
    return `(${parts.join("and" in filter ? " AND " : " OR ")})`;
  }
  return fieldCondition(filter, params);
}

/** WHERE fragment selecting the active memories of a scope (`status = 'activated'` literally, for the partial indexes). */
export function scopeSql(scope: MemoryScope, params: Params): string {
  const parts = [`m.cube_id = ${params.add(scope.cubeId)} AND m.status = 'activated'`];
  if (scope.memoryTypes && scope.memoryTypes.length > 0) parts.push(`m.memory_type = ANY(${params.add([...scope.memoryTypes])}::text[])`);
  if (scope.filter) parts.push(filterSql(scope.filter, params));
  return parts.join(" AND ");
}
