import type { ChatModel } from "../../llm/chat-model.js";
import type { MemoryRecord } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { keywordQuery, searchScope } from "../search.js";
import { vectorScaleOf } from "../vector-scale.js";
import type { ConversationLanguage } from "./language.js";
import { ModelFormatError, completeJson } from "./model-json.js";
import { formatRetry, updateMessages, type UpdateCase } from "./prompts.js";
import { UpdateOutput } from "./schema.js";

/** A new memory, ready to be compared with what the cube holds. */
export interface NewFact {
  text: string;
  key: string;
  memoryType: string;
  chatTime: string;
  vector: Float32Array | null;
}

/** What becomes of a new memory: a new row, a new row replacing an old one, or nothing (already known). */
export type FactDecision = { action: "add" } | { action: "update"; target: MemoryRecord; text: string } | { action: "duplicate"; target: MemoryRecord };

/** How many similar memories each new one is compared with: enough for the model to see the stale one, short enough for small models. */
const NEIGHBOURS = 5;
const SAME_KEY = 3;
/** Any relation at all: the model, not the score, tells a contradiction from an unrelated fact. */
const MIN_RELEVANCE = 0.05;

/** Text with case, width, spaces and punctuation ironed out: "The user likes tea." ≡ "the user likes tea". */
export function sameText(a: string, b: string): boolean {
  const normal = (text: string) =>
    text
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[\p{P}\p{S}\s]+/gu, "");
  return normal(a) === normal(b);
}

/**
 * The active memories of the cube a new memory may repeat or replace: the nearest by meaning and
 * words (its key counts as words), and those filed under the same key. `exclude` are the raw
 * memories the job is refining (they say the same by construction).
 */
export async function similarMemories(context: MemoryContext, cubeId: string, fact: NewFact, exclude: ReadonlySet<string>): Promise<MemoryRecord[]> {
  const scale = fact.vector ? await vectorScaleOf(context.embedder) : undefined;
  const query = { ...keywordQuery(`${fact.key} ${fact.text}`), vector: fact.vector ?? undefined, scale };
  const [nearest, sameKey] = await Promise.all([
    searchScope(context, query, { cubeId }, { topK: NEIGHBOURS + exclude.size, minRelevance: MIN_RELEVANCE, dedup: "no" }),
    fact.key ? context.store.memoriesByKey(cubeId, [fact.key], SAME_KEY + exclude.size) : Promise.resolve([]),
  ]);
  const found = new Map<string, MemoryRecord>();
  for (const memory of [...sameKey, ...nearest.map((hit) => hit.memory)]) {
    if (!exclude.has(memory.id) && !found.has(memory.id)) found.set(memory.id, memory);
  }
  return [...found.values()].slice(0, NEIGHBOURS + SAME_KEY);
}

/**
 * The update decision for each new memory. The rule decides where it is certain: nothing similar
 * → add; the same text already stored → duplicate. The model decides the rest (only it can tell
 * "moved to Shenzhen" from "lives in Guangzhou" as a change rather than a second fact), all in
 * one call. When the model's answer is unusable twice, or skips a memory, that memory is added:
 * a fact is never lost to a formatting problem, at worst kept twice.
 */
export async function decideUpdates(
  model: ChatModel,
  facts: readonly { fact: NewFact; similar: readonly MemoryRecord[] }[],
  language: ConversationLanguage,
  signal: AbortSignal,
): Promise<{ decisions: FactDecision[]; askedModel: boolean; modelFailed: boolean }> {
  const decisions: (FactDecision | undefined)[] = facts.map(({ fact, similar }) => {
    if (similar.length === 0) return { action: "add" };
    const same = similar.find((memory) => sameText(memory.text, fact.text));
    return same ? { action: "duplicate", target: same } : undefined;
  });
  const open = facts.flatMap((entry, index) => (decisions[index] === undefined ? [{ ...entry, index }] : []));
  if (open.length === 0) return { decisions: decisions as FactDecision[], askedModel: false, modelFailed: false };

  // Existing memories are numbered across the prompt; the model answers with numbers, never ids.
  let number = 0;
  const numbered = open.map(({ fact, similar, index }) => ({
    index,
    fact,
    existing: similar.map((memory) => ({ number: ++number, memory })),
  }));
  const cases: UpdateCase[] = numbered.map(({ fact, existing }) => ({
    fact: { text: fact.text, key: fact.key, memoryType: fact.memoryType, chatTime: fact.chatTime },
    existing: existing.map(({ number: label, memory }) => ({
      number: label,
      text: memory.text,
      key: memory.key,
      memoryType: memory.memoryType,
      chatTime: memory.chatTime,
    })),
  }));

  let modelFailed = false;
  let answered: { fact: number; action: string; target: number | undefined; merged: string | undefined }[] = [];
  try {
    const answer = await completeJson(model, updateMessages(cases, language), UpdateOutput, {
      signal,
      retryTurn: (problem) => formatRetry(problem, language),
    });
    answered = answer.value;
  } catch (error) {
    if (!(error instanceof ModelFormatError)) throw error;
    modelFailed = true;
  }

  numbered.forEach(({ index, fact, existing }, position) => {
    const decision = answered.find((entry) => entry.fact === position + 1);
    const target = existing.find((entry) => entry.number === decision?.target)?.memory;
    if (decision?.action === "update" && target) decisions[index] = { action: "update", target, text: decision.merged ?? fact.text };
    else if (decision?.action === "duplicate" && target) decisions[index] = { action: "duplicate", target };
    else decisions[index] = { action: "add" };
  });
  return { decisions: decisions as FactDecision[], askedModel: true, modelFailed };
}
