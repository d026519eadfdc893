import { z } from "zod";

/** The memory types extraction may produce (working memory is the session's raw turns, never extracted). */
export type ExtractedType = "UserMemory" | "LongTermMemory" | "PreferenceMemory";

/** One memory as the extraction model wrote it, normalised. */
export interface ExtractedMemory {
  text: string;
  key: string;
  tags: string[];
  memoryType: ExtractedType;
  /** 1-based numbers of the new messages it comes from; empty when the model did not say. */
  sources: number[];
}

/** Models spell the type many ways: "user_memory", "preference", "LongTermMemory"… */
function memoryTypeOf(value: unknown): ExtractedType {
  const text = typeof value === "string" ? value.toLowerCase().replace(/[^a-z]/g, "") : "";
  if (text.startsWith("pref")) return "PreferenceMemory";
  if (text.startsWith("longterm") || text === "knowledge" || text === "fact") return "LongTermMemory";
  return "UserMemory";
}

const cleanText = (value: unknown, max: number) => (typeof value === "string" ? value.trim().slice(0, max) : "");

function tagsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[,，、]/) : [];
  const tags = list.map((tag) => cleanText(tag, 64).toLowerCase()).filter((tag) => tag !== "");
  return [...new Set(tags)].slice(0, 8);
}

function sourcesOf(value: unknown): number[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const numbers = list.map((item) => Number(typeof item === "string" ? item.replace(/[^\d]/g, "") : item));
  return [...new Set(numbers.filter((number) => Number.isInteger(number) && number > 0))];
}

/**
 * One item. Lenient on purpose: a bare string is a memory; `memory`, `value`, `text` and `fact`
 * all name its text; a wrong key, tag or type falls back rather than dropping the fact.
 */
const Item = z
  .union([z.string().transform((text): Record<string, unknown> => ({ memory: text })), z.record(z.string(), z.unknown())])
  .transform((item): ExtractedMemory | undefined => {
    const text = cleanText(item.memory ?? item.value ?? item.text ?? item.fact ?? item.content, 4000);
    if (text === "") return undefined;
    return {
      text,
      key: cleanText(item.key ?? item.title, 200),
      tags: tagsOf(item.tags),
      memoryType: memoryTypeOf(item.memory_type ?? item.type),
      sources: sourcesOf(item.sources ?? item.source),
    };
  });

const LIST_KEYS = ["memories", "memory_list", "facts", "items", "data"] as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** `Array.isArray` narrows to `any[]`; what a model answered is unknown until read. */
const isList = (value: unknown): value is unknown[] => Array.isArray(value);

/** The list inside an answer: the answer itself, or the first list under one of `keys`. */
function listIn(value: unknown, keys: readonly string[]): unknown[] | undefined {
  if (isList(value)) return value;
  if (!isObject(value)) return undefined;
  for (const key of keys) {
    const list = value[key];
    if (isList(list)) return list;
  }
  return undefined;
}

const describeAnswer = (value: unknown) =>
  isObject(value) ? `an object with ${Object.keys(value).join(", ") || "no fields"}` : `a ${value === null ? "null" : typeof value}`;

/**
 * The answer: `{"memories": [...]}` as asked, or a bare list, or the list under another common
 * name, or one memory object alone. Items that are not usable are skipped; an answer with no list
 * at all is an error whose message tells the model what it sent.
 */
export const ExtractionOutput = z.unknown().transform((value, ctx): ExtractedMemory[] => {
  const list = listIn(value, LIST_KEYS) ?? (isObject(value) && (typeof value.memory === "string" || typeof value.value === "string") ? [value] : undefined);
  if (!list) {
    ctx.addIssue({ code: "custom", message: `expected {"memories": [...]}, got ${describeAnswer(value)}` });
    return z.NEVER;
  }
  return list.flatMap((item) => {
    const parsed = Item.safeParse(item);
    return parsed.success && parsed.data ? [parsed.data] : [];
  });
});

export type UpdateAction = "add" | "update" | "duplicate";

/** One decision of the update step, normalised. */
export interface UpdateDecision {
  /** 1-based number of the new memory. */
  fact: number;
  action: UpdateAction;
  /** 1-based number of the existing memory it updates or duplicates. */
  target: number | undefined;
  /** For an update: the text that replaces both, when the model merged them. */
  merged: string | undefined;
}

function actionOf(value: unknown): UpdateAction | undefined {
  const text = typeof value === "string" ? value.toLowerCase() : "";
  if (text.startsWith("add") || text === "new" || text === "keep") return "add";
  if (text.startsWith("update") || text.startsWith("replace") || text.startsWith("supersede")) return "update";
  if (text.startsWith("dup") || text.startsWith("ignore") || text === "none" || text === "skip") return "duplicate";
  return undefined;
}

const Decision = z.record(z.string(), z.unknown()).transform((item): UpdateDecision | undefined => {
  const fact = sourcesOf(item.new ?? item.fact ?? item.id)[0];
  const action = actionOf(item.action ?? item.decision ?? item.event);
  if (fact === undefined || action === undefined) return undefined;
  const merged = cleanText(item.memory ?? item.text, 4000);
  return { fact, action, target: sourcesOf(item.target ?? item.existing)[0], merged: merged || undefined };
});

/** `{"decisions": [...]}` or a bare list; unusable decisions are skipped (their facts fall back to the rule). */
export const UpdateOutput = z.unknown().transform((value, ctx): UpdateDecision[] => {
  const list = listIn(value, ["decisions", "results", "memories"]);
  if (!list) {
    ctx.addIssue({ code: "custom", message: `expected {"decisions": [...]}, got ${describeAnswer(value)}` });
    return z.NEVER;
  }
  return list.flatMap((item) => {
    const parsed = Decision.safeParse(item);
    return parsed.success && parsed.data ? [parsed.data] : [];
  });
});
