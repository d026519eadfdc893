import { parseChatTime } from "../memory/time.js";
import type { FilterField, FilterOp, FilterScalar, MemoryFilter } from "../store/types.js";
import { invalidField } from "./api-error.js";

const FIELDS = new Set(["id", "user_id", "memory_type", "session_id", "created_at", "chat_time", "tags"]);
const OPERATORS = new Set<FilterOp>(["gt", "gte", "lt", "lte", "in", "contains"]);
const TIME_FIELDS = new Set(["created_at", "chat_time"]);
const INFO_KEY = /^info\.[A-Za-z0-9_-]{1,64}$/;
/** Bounds that keep a filter within what one SQL statement can hold. */
const MAX_IN_VALUES = 1000;
const MAX_CONDITIONS = 100;

type Path = (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function scalar(value: unknown, field: string, path: Path): FilterScalar {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw invalidField(path, "expected a string, number or boolean");
  }
  if (TIME_FIELDS.has(field) && typeof value === "string") {
    const time = parseChatTime(value);
    if (time === undefined) throw invalidField(path, "expected a date such as 2026-01-31 or 2026-01-31T10:00:00Z");
    return time;
  }
  // Ids are compared as the API stores them (NFC), however the client typed them.
  return field === "user_id" && typeof value === "string" ? value.normalize("NFC") : value;
}

/** MemOS's `file_ids`: a document chunk's file, which memcube keeps as info.file_id. */
const ALIASES = new Map<string, FilterField>([["file_ids", "info.file_id"]]);

function condition(field: string, spec: unknown, path: Path): MemoryFilter {
  if (!FIELDS.has(field) && !INFO_KEY.test(field) && !ALIASES.has(field)) {
    throw invalidField(path, `unknown filter field; use id, user_id, memory_type, session_id, created_at, chat_time, tags, file_ids or info.<key>`);
  }
  const typedField = ALIASES.get(field) ?? (field as FilterField);
  if (!isRecord(spec)) return { field: typedField, op: "eq", value: scalar(spec, field, path) };
  const entries = Object.entries(spec);
  if (entries.length !== 1) throw invalidField(path, "expected exactly one operator (gt, gte, lt, lte, in, contains)");
  const [op, value] = entries[0] as [string, unknown];
  if (!OPERATORS.has(op as FilterOp)) throw invalidField([...path, op], "unknown operator; use gt, gte, lt, lte, in or contains");
  if (field === "tags" && op !== "in" && op !== "contains") {
    throw invalidField([...path, op], "tags support a value, in and contains");
  }
  if (op === "in") {
    if (!Array.isArray(value) || value.length === 0) throw invalidField([...path, op], "expected a non-empty list");
    if (value.length > MAX_IN_VALUES) throw invalidField([...path, op], `more than ${MAX_IN_VALUES} values`);
    return { field: typedField, op: "in", value: value.map((item, index) => scalar(item, field, [...path, op, index])) };
  }
  return { field: typedField, op: op as FilterOp, value: scalar(value, field, [...path, op]) };
}

function conditionCount(filter: MemoryFilter): number {
  if ("and" in filter) return filter.and.reduce((sum, part) => sum + conditionCount(part), 0);
  if ("or" in filter) return filter.or.reduce((sum, part) => sum + conditionCount(part), 0);
  return 1;
}

/**
 * MemOS's filter JSON → a typed filter: `{"and": [...]}`, `{"or": [...]}`, `{field: value}` or
 * `{field: {op: value}}`. Anything else is a 422 naming where it went wrong.
 */
export function parseFilter(json: unknown): MemoryFilter {
  const filter = parseFilterAt(json, ["filter"]);
  if (conditionCount(filter) > MAX_CONDITIONS) throw invalidField(["filter"], `more than ${MAX_CONDITIONS} conditions`);
  return filter;
}

function parseFilterAt(json: unknown, path: Path): MemoryFilter {
  if (!isRecord(json)) throw invalidField(path, "expected an object");
  const entries = Object.entries(json);
  if (entries.length === 0) throw invalidField(path, "must not be empty");
  const parts = entries.map(([key, value]): MemoryFilter => {
    if (key === "and" || key === "or") {
      if (!Array.isArray(value) || value.length === 0) throw invalidField([...path, key], "expected a non-empty list of conditions");
      const children = value.map((child, index) => parseFilterAt(child, [...path, key, index]));
      return key === "and" ? { and: children } : { or: children };
    }
    return condition(key, value, [...path, key]);
  });
  return parts.length === 1 ? (parts[0] as MemoryFilter) : { and: parts };
}
