/**
 * LLM tokens per user per UTC day (MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY). Every chat the user makes
 * (the chat routes and /v1/chat/completions) adds its prompt and completion tokens to the user's
 * count for the day, kept in the store, so the count survives restarts and is shared by every
 * process on the store. A chat is refused before the model is called once the day's count has
 * reached the budget; the chat that crosses it is finished. Fine-mode extraction is the operator's
 * cost, not a user's chat: it is not counted here (it shows in the LLM token metrics).
 */
import type { Store } from "../store/store.js";

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** The user's chats used up the day's budget: 429 until the next UTC midnight. */
export class ChatTokensExhausted extends Error {
  constructor(
    readonly userId: string,
    readonly used: number,
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `chat token quota: user '${userId}' has used ${used} of ${limit} LLM tokens today (MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY); ` +
        `it renews at 00:00 UTC, in ${retryAfterSeconds} s`,
    );
    this.name = "ChatTokensExhausted";
  }
}

/** The UTC day of a time, `YYYY-MM-DD`. */
export const utcDay = (time: Date): string => time.toISOString().slice(0, 10);

/** Whole seconds until the next UTC midnight (at least 1). */
export function secondsToUtcMidnight(time: Date): number {
  const midnight = Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - time.getTime()) / 1000));
}

export interface TokenQuotaHooks {
  /** A chat's tokens were counted: as the model reported them, or estimated (no report). */
  charged?(tokens: number, source: "reported" | "estimated"): void;
  refused?(): void;
  /** The count could not be stored; the chat has been answered, so it is not failed for it. */
  chargeFailed?(error: unknown): void;
}

export class ChatTokenQuota {
  constructor(
    private readonly store: Store,
    readonly perDay: number,
    private readonly hooks: TokenQuotaHooks = {},
  ) {}

  /** Throws ChatTokensExhausted when the user's chats today have reached the budget. */
  async check(userId: string, now: Date): Promise<void> {
    const used = await this.store.chatTokens(userId, utcDay(now));
    if (used < this.perDay) return;
    this.hooks.refused?.();
    throw new ChatTokensExhausted(userId, used, this.perDay, secondsToUtcMidnight(now));
  }

  /** Adds a chat's tokens to the user's count for the day it was asked on. Never throws. */
  async charge(userId: string, askedAt: Date, usage: TokenUsage, source: "reported" | "estimated"): Promise<void> {
    const tokens = Math.max(0, Math.round(usage.promptTokens + usage.completionTokens));
    try {
      await this.store.addChatTokens(userId, utcDay(askedAt), tokens);
      this.hooks.charged?.(tokens, source);
    } catch (error) {
      this.hooks.chargeFailed?.(error);
    }
  }
}
