import { z } from "zod";
import type { ExtractedType } from "../extract/schema.js";

/** One change the model asks for, normalised. Memories are named by their number in the prompt, never by id. */
export type FeedbackOperation =
  { op: "update"; memory: number; text: string } | { op: "delete"; memory: number } | { op: "add"; text: string; memoryType: ExtractedType };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isList = (value: unknown): value is unknown[] => Array.isArray(value);
const cleanText = (value: unknown, max: number) => (typeof value === "string" ? value.trim().slice(0, max) : "");

function numberOf(value: unknown): number | undefined {
  const number = Number(typeof value === "string" ? value.replace(/[^\d]/g, "") : value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
}

function opOf(value: unknown): FeedbackOperation["op"] | undefined {
  const text = typeof value === "string" ? value.toLowerCase() : "";
  if (text.startsWith("update") || text.startsWith("correct") || text.startsWith("replace") || text.startsWith("modify")) return "update";
  if (text.startsWith("delete") || text.startsWith("remove") || text.startsWith("forget")) return "delete";
  if (text.startsWith("add") || text === "new" || text === "create") return "add";
  return undefined;
}

function typeOf(value: unknown): ExtractedType {
  const text = typeof value === "string" ? value.toLowerCase().replace(/[^a-z]/g, "") : "";
  if (text.startsWith("pref")) return "PreferenceMemory";
  if (text.startsWith("longterm")) return "LongTermMemory";
  return "UserMemory";
}

/** Lenient: `op`, `operation`, `action` and `event` name the change; `memory`, `target` and `id` its memory. */
const Operation = z.record(z.string(), z.unknown()).transform((item): FeedbackOperation | undefined => {
  const op = opOf(item.op ?? item.operation ?? item.action ?? item.event);
  const memory = numberOf(item.memory ?? item.target ?? item.id ?? item.number);
  const text = cleanText(item.text ?? item.new_text ?? item.corrected ?? item.content, 4000);
  if (op === "delete" && memory !== undefined) return { op, memory };
  if (op === "update" && memory !== undefined && text !== "") return { op, memory, text };
  if (op === "add" && text !== "") return { op, text, memoryType: typeOf(item.memory_type ?? item.type) };
  return undefined;
});

export interface FeedbackAnswer {
  operations: FeedbackOperation[];
  answer: string;
}

/** `{"operations": [...], "answer": "…"}`, or a bare list of operations; unusable operations are skipped. */
export const FeedbackOutput = z.unknown().transform((value, ctx): FeedbackAnswer => {
  const list = isList(value) ? value : isObject(value) ? [value.operations, value.changes, value.actions].find(isList) : undefined;
  if (!list) {
    const got = isObject(value) ? `an object with ${Object.keys(value).join(", ") || "no fields"}` : `a ${value === null ? "null" : typeof value}`;
    ctx.addIssue({ code: "custom", message: `expected {"operations": [...]}, got ${got}` });
    return z.NEVER;
  }
  const operations = list.flatMap((item) => {
    const parsed = Operation.safeParse(item);
    return parsed.success && parsed.data ? [parsed.data] : [];
  });
  return { operations, answer: isObject(value) ? cleanText(value.answer ?? value.corrected_answer, 20_000) : "" };
});
