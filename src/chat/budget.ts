import type { ChatMessage } from "../llm/chat-model.js";

export type TokenCounter = (text: string) => number;

let counter: Promise<TokenCounter> | undefined;
/**
 * The tokenizer (cl100k: close enough for budgeting any model's prompt, and about 25 MB lighter
 * than o200k), loaded on the first chat so that servers that never chat never pay for it.
 */
export function loadTokenCounter(): Promise<TokenCounter> {
  counter ??= import("gpt-tokenizer/encoding/cl100k_base").then((module) => module.countTokens);
  return counter;
}

/** Tokens an answer may need when the request does not say (`max_tokens`). */
const DEFAULT_ANSWER_TOKENS = 1024;
/** Per-message framing tokens in chat formats (role markers and separators). */
const MESSAGE_OVERHEAD = 4;

export function messageTokens(count: TokenCounter, message: ChatMessage): number {
  return count(message.content) + MESSAGE_OVERHEAD;
}

export interface Budget {
  /** Tokens left for the prompt (the context window less the answer's share). */
  promptTokens: number;
}

export function budgetFor(contextWindow: number, maxTokens: number | undefined): Budget {
  const answer = Math.min(maxTokens ?? DEFAULT_ANSWER_TOKENS, Math.floor(contextWindow / 2));
  return { promptTokens: contextWindow - answer };
}

/**
 * Fits memories and history into the budget. History keeps its newest messages within half of what
 * is left after the fixed parts; memories then fill the rest, best-ranked first; older history gets
 * any room the memories did not use. So the lowest-ranked memories and the oldest messages go first,
 * and neither can crowd the other out. `render` builds the system prompt for a list of memories.
 */
export function fitToBudget<M>(options: {
  budget: Budget;
  memories: readonly M[];
  history: readonly ChatMessage[];
  query: ChatMessage;
  render: (memories: readonly M[]) => string;
  memoryTokens: (memory: M) => number;
  count: TokenCounter;
}): { memories: M[]; history: ChatMessage[] } {
  const { count } = options;
  const fixed = count(options.render([])) + MESSAGE_OVERHEAD + messageTokens(count, options.query);
  let room = options.budget.promptTokens - fixed;
  const newestFirst = [...options.history].reverse();
  const historyCosts = newestFirst.map((message) => messageTokens(count, message));

  let keptHistory = 0;
  let historyShare = room / 2;
  while (keptHistory < newestFirst.length && (historyCosts[keptHistory] ?? 0) <= historyShare) {
    historyShare -= historyCosts[keptHistory] ?? 0;
    room -= historyCosts[keptHistory] ?? 0;
    keptHistory += 1;
  }

  const memories: M[] = [];
  for (const memory of options.memories) {
    const cost = options.memoryTokens(memory);
    if (cost > room) break;
    memories.push(memory);
    room -= cost;
  }

  while (keptHistory < newestFirst.length && (historyCosts[keptHistory] ?? 0) <= room) {
    room -= historyCosts[keptHistory] ?? 0;
    keptHistory += 1;
  }
  const history = newestFirst.slice(0, keptHistory).reverse();
  // The per-memory costs are estimates (the block's heading appears only with memories): check the
  // real total and give back memories until it fits.
  const rest = messageTokens(count, options.query) + history.reduce((sum, message) => sum + messageTokens(count, message), 0) + MESSAGE_OVERHEAD;
  while (memories.length > 0 && count(options.render(memories)) + rest > options.budget.promptTokens) memories.pop();
  return { memories, history };
}
