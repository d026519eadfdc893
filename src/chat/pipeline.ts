import type { ChatMessage, ChatModel } from "../llm/chat-model.js";
import type { ModelRegistry } from "../llm/registry.js";
import { addMessages, checkQuota } from "../memory/add.js";
import type { MemoryContext } from "../memory/context.js";
import { checkWritable } from "../memory/cubes.js";
import { cubeForbidden } from "../memory/errors.js";
import { ADVICE_CONTEXT_MESSAGES } from "../memory/recall/advice-context.js";
import { searchWithPreferences, startQuery, textMemoryTypes, type ScoredMemory } from "../memory/search.js";
import { budgetFor, fitToBudget, loadTokenCounter, messageTokens } from "./budget.js";
import type { ChatTokenQuota, TokenUsage } from "./token-quota.js";
import { memoryLine, promptLanguage, systemPrompt, type PromptMemory } from "./prompt.js";

export interface ChatDeps {
  memory: MemoryContext;
  models: ModelRegistry;
  /** LLM tokens per user per day, when configured: checked before the model is called, charged after. */
  tokenQuota?: ChatTokenQuota | undefined;
  /**
   * Called once when a turn whose model was called is over, also when its client left or the model
   * failed: whether the turn was written back to memory. Operators count it (`/metrics`); it is the
   * one signal that a turn whose client left is finished and stored nothing.
   */
  turnEnded?: ((outcome: TurnOutcome) => void) | undefined;
}

/** How a chat turn ended for memory: written back, or not (not asked to, client gone, model failed). */
export type TurnOutcome = "stored" | "not_stored";

export interface ChatRequest {
  userId: string;
  query: string;
  readableCubeIds: readonly string[];
  writableCubeIds: readonly string[];
  history: readonly ChatMessage[];
  systemPrompt?: string;
  topK: number;
  sessionId: string;
  modelName?: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  addMessageOnAnswer: boolean;
  threshold: number;
  includePreference: boolean;
  preferenceTopK: number;
  /** false: no memory is recalled, and the model answers from the history alone (MemOS's business chat without need_search). */
  recall?: boolean;
}

/** A chat that passed every check that can fail before the first byte of the answer. */
export interface PreparedChat {
  request: ChatRequest;
  model: ChatModel;
  /** The readable cubes that exist (one nobody has written yet reads as empty). */
  cubesToSearch: string[];
}

export type ChatStage = "searching" | "searched" | "generating";

/** What happens during a chat, in order; the API turns these into frames or one response. */
export type ChatEvent =
  | { type: "status"; stage: ChatStage }
  | { type: "reference"; memories: PromptMemory[] }
  | { type: "reasoning"; text: string }
  | { type: "text"; text: string }
  | {
      type: "time";
      totalTime: number;
      searchTime: number;
      firstTokenTime: number;
      /** The call's tokens: as the model reported them, else estimated. */
      usage?: TokenUsage;
    };

/** At least this many memories reach the prompt when any were found, whatever the threshold. */
const MIN_MEMORIES = 3;
const WORKING_MEMORY = 20;
const HISTORY_MESSAGES = 20;

/**
 * Everything that can refuse the request: cube access (first, as on every route), then the model.
 * A cube nobody has written yet reads as empty (MemOS answers from no memories too).
 */
export async function prepareChat(deps: ChatDeps, request: ChatRequest): Promise<PreparedChat> {
  const context = deps.memory;
  if (request.addMessageOnAnswer) await checkWritable(context, request.userId, request.writableCubeIds);
  const cubesToSearch: string[] = [];
  for (const cubeId of request.readableCubeIds) {
    if ((await context.store.accessOf(cubeId, request.userId)) !== undefined) {
      cubesToSearch.push(cubeId);
      continue;
    }
    // A cube nobody has written yet reads as empty, as on search: nothing to recall from it.
    if ((await context.store.getCube(cubeId)) !== undefined) throw cubeForbidden(request.userId, cubeId, "read");
  }
  const model = deps.models.resolve(request.modelName);
  await deps.tokenQuota?.check(request.userId, context.now());
  if (request.addMessageOnAnswer) await checkQuota(context, { cubeIds: request.writableCubeIds, messages: [{ role: "user", content: request.query }] });
  return { request, model, cubesToSearch };
}

/** Hits of every cube merged by relevance, the same text once. */
function mergeByRelevance(hits: readonly ScoredMemory[]): ScoredMemory[] {
  const seen = new Set<string>();
  return [...hits].sort((a, b) => b.relevance - a.relevance).filter(({ memory }) => !seen.has(memory.text) && seen.add(memory.text));
}

/**
 * Searches every readable cube and merges the hits by relevance: `top_k` facts overall, then up to
 * `pref_top_k` preferences. Preferences have a budget of their own and no threshold: "never stays in
 * hostels" shares few words with "which hotel in Guangzhou?" yet is exactly what the answer needs.
 * An advice request also gets the user's messages nearest it by vector, among the facts.
 */
async function recallMemories(deps: ChatDeps, prepared: PreparedChat, signal: AbortSignal): Promise<ScoredMemory[]> {
  const { request } = prepared;
  const context = deps.memory;
  const query = startQuery(context, request.query, signal);
  const options = { topK: request.topK, sessionId: request.sessionId, minRelevance: 0, dedup: "mmr" as const, adviceContext: true };
  const withPreferences = request.includePreference && request.preferenceTopK > 0;
  // Facts and preferences from one ranking of each cube (a stated preference is one memory, in both).
  const perCube = await Promise.all(
    prepared.cubesToSearch.map(async (cubeId) => {
      const hits = await searchWithPreferences(
        context,
        query,
        { cubeId, memoryTypes: textMemoryTypes("All") },
        options,
        withPreferences ? request.preferenceTopK : 0,
      );
      return { facts: hits.text, preferences: hits.preference, nearest: hits.adviceContext };
    }),
  );
  await query.embedded; // with no cube to search too, a failing embedder fails the chat

  const merged = mergeByRelevance(perCube.flatMap((cube) => cube.facts));
  const relevant = merged.filter((hit) => hit.relevance >= request.threshold);
  const kept = relevant.length >= MIN_MEMORIES ? relevant : merged.slice(0, MIN_MEMORIES);
  const ranked = kept.slice(0, Math.max(request.topK, MIN_MEMORIES));
  const shown = new Set(ranked.map(({ memory }) => memory.text));
  const preferences = mergeByRelevance(perCube.flatMap((cube) => cube.preferences))
    .filter(({ memory }) => !shown.has(memory.text))
    .slice(0, request.preferenceTopK);
  for (const { memory } of preferences) shown.add(memory.text);
  // What the user said nearest an advice request is a fact about them, not a stated preference:
  // it joins the facts, whatever its relevance (chat's threshold dropped it for sharing no word).
  const nearest = adviceContextOf(
    perCube.flatMap((cube) => cube.nearest),
    shown,
  );
  const facts = [...ranked, ...nearest].sort((a, b) => b.relevance - a.relevance);
  return [...facts, ...preferences];
}

/**
 * An advice request's nearest user messages (recall/advice-context.ts) of every cube, as many as
 * one cube gives, best first; those the prompt already shows are shown once, where they are.
 */
function adviceContextOf(hits: readonly ScoredMemory[], shown: ReadonlySet<string>): ScoredMemory[] {
  return mergeByRelevance(hits)
    .slice(0, ADVICE_CONTEXT_MESSAGES)
    .filter(({ memory }) => !shown.has(memory.text));
}

/** The session's latest memories, so a follow-up sees the turn before it even without shared words. */
async function workingMemory(deps: ChatDeps, prepared: PreparedChat, shown: readonly ScoredMemory[]): Promise<PromptMemory[]> {
  const { request } = prepared;
  const perCube = await Promise.all(prepared.cubesToSearch.map((cubeId) => deps.memory.store.recentMemories(cubeId, request.sessionId, WORKING_MEMORY)));
  const already = new Set([...shown.map(({ memory }) => memory.text), ...request.history.map((message) => message.content)]);
  return perCube
    .flat()
    .sort((a, b) => b.chatTime.localeCompare(a.chatTime))
    .filter((memory) => !already.has(memory.text) && already.add(memory.text))
    .slice(0, WORKING_MEMORY)
    .map((memory) => ({ memory }));
}

const seconds = (milliseconds: number) => Math.round(milliseconds) / 1000;

async function buildMessages(prepared: PreparedChat, memories: readonly PromptMemory[], now: Date) {
  const count = await loadTokenCounter();
  const { request, model } = prepared;
  const language = promptLanguage(request.query);
  const render = (chosen: readonly PromptMemory[]) => systemPrompt({ memories: chosen, language, now, custom: request.systemPrompt });
  const query: ChatMessage = { role: "user", content: request.query };
  const fitted = fitToBudget({
    budget: budgetFor(model.contextWindow, request.maxTokens),
    memories,
    history: request.history.slice(-HISTORY_MESSAGES),
    query,
    render,
    memoryTokens: (memory) => count(memoryLine(99, memory)) + 1,
    count,
  });
  const messages: ChatMessage[] = [{ role: "system", content: render(fitted.memories) }, ...fitted.history, query];
  return { messages, memories: fitted.memories };
}

/**
 * Search → prompt → model → write-back, as a sequence of events. With `stream` the answer comes
 * in pieces as the model writes it; otherwise in one piece. The turn is written back (when asked)
 * before the last event, and not at all when `signal` aborts.
 */
export async function* runChat(deps: ChatDeps, prepared: PreparedChat, options: { stream: boolean; signal: AbortSignal }): AsyncGenerator<ChatEvent> {
  const { request, model } = prepared;
  const started = performance.now();
  const askedAt = deps.memory.now();
  yield { type: "status", stage: "searching" };
  const recalls = request.recall !== false;
  const recalled = recalls ? await recallMemories(deps, prepared, options.signal) : [];
  const recent = recalls ? await workingMemory(deps, prepared, recalled) : [];
  const searchTime = performance.now() - started;
  yield { type: "status", stage: "searched" };

  const { messages, memories } = await buildMessages(prepared, [...recalled, ...recent], askedAt);
  yield { type: "reference", memories };
  yield { type: "status", stage: "generating" };

  let reported: TokenUsage | undefined;
  let usage: TokenUsage | undefined;
  const callOptions = {
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    topP: request.topP,
    signal: options.signal,
    onUsage: (usage: TokenUsage) => (reported = usage),
  };
  let answer = "";
  let generated = ""; // reasoning and text: what the completion tokens paid for
  let firstToken: number | undefined;
  let stored = false;
  try {
    try {
      if (options.stream) {
        for await (const delta of model.stream(messages, callOptions)) {
          firstToken ??= performance.now();
          if (delta.type === "text") answer += delta.text;
          generated += delta.text;
          yield delta;
        }
      } else {
        const completion = await model.complete(messages, callOptions);
        firstToken = performance.now();
        answer = completion.text;
        generated = (completion.reasoning ?? "") + completion.text;
        reported = completion.usage;
        if (completion.reasoning) yield { type: "reasoning", text: completion.reasoning };
        yield { type: "text", text: completion.text };
      }
    } finally {
      // Also when the model failed midway or the client left: what was generated was paid for.
      // Nothing is charged for a call that produced nothing.
      const counted = reported !== undefined && isTokenCount(reported.promptTokens) && isTokenCount(reported.completionTokens) ? reported : undefined;
      if (reported !== undefined || generated !== "") {
        usage = counted ?? (await estimateUsage(messages, generated));
        await deps.tokenQuota?.charge(request.userId, askedAt, usage, counted ? "reported" : "estimated");
      }
    }

    if (request.addMessageOnAnswer && !options.signal.aborted) {
      await writeBack(deps, request, askedAt, answer);
      stored = true;
    }
  } finally {
    deps.turnEnded?.(stored ? "stored" : "not_stored");
  }
  yield {
    type: "time",
    totalTime: seconds(performance.now() - started),
    searchTime: seconds(searchTime),
    firstTokenTime: seconds((firstToken ?? performance.now()) - started),
    usage,
  };
}

/**
 * A count the model server may be trusted with: some report `usage` without one of the two fields
 * (or as null), and a missing count must not turn the chat's charge into NaN, which the store
 * refuses, so that the chat would go uncounted.
 */
const isTokenCount = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

/** The tokens of a chat whose model reported none, by the tokenizer the prompt budget uses. */
async function estimateUsage(messages: readonly ChatMessage[], generated: string): Promise<TokenUsage> {
  const count = await loadTokenCounter();
  return { promptTokens: messages.reduce((sum, message) => sum + messageTokens(count, message), 0), completionTokens: count(generated) };
}

async function writeBack(deps: ChatDeps, request: ChatRequest, askedAt: Date, answer: string): Promise<void> {
  const turn = [
    { role: "user" as const, content: request.query, chatTime: askedAt.toISOString() },
    ...(answer.trim() ? [{ role: "assistant" as const, content: answer, chatTime: deps.memory.now().toISOString() }] : []),
  ];
  await addMessages(deps.memory, {
    userId: request.userId,
    cubeIds: request.writableCubeIds,
    sessionId: request.sessionId,
    messages: turn,
  });
}
