export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatOptions {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  /** Aborts the upstream request (e.g. when the HTTP client went away). */
  signal?: AbortSignal;
  /**
   * Streaming: called with the token counts when the upstream reports them (its last chunk, asked
   * for with `stream_options.include_usage`). `complete` returns them in its result instead.
   */
  onUsage?: (usage: { promptTokens: number; completionTokens: number }) => void;
}

/** One streamed piece of the answer: reasoning (thinking) or answer text, never both. */
export type ChatDelta = { type: "reasoning"; text: string } | { type: "text"; text: string };

export interface ChatCompletion {
  text: string;
  reasoning: string | null;
  /** Token counts when the upstream reports them. */
  usage?: { promptTokens: number; completionTokens: number };
}

/** A configured chat model (one `CHAT_MODEL_LIST` entry, addressed by one of its names). */
export interface ChatModel {
  /** The name sent upstream as `model`. */
  readonly model: string;
  /** Tokens the prompt and the answer must fit in (`context_window`, default 32k); the pipeline trims to it. */
  readonly contextWindow: number;
  /**
   * The whole answer, reasoning separated from the text. Rejects with `UpstreamError` (from
   * `errors.ts`) when the model server fails, or with the signal's reason (an `AbortError`) when aborted.
   */
  complete(messages: readonly ChatMessage[], options?: ChatOptions): Promise<ChatCompletion>;
  /**
   * The answer as it is generated; the request starts on the first `next()`. Errors as for
   * `complete`, possibly after some deltas. Leaving the loop early (break) cancels the request.
   */
  stream(messages: readonly ChatMessage[], options?: ChatOptions): AsyncIterable<ChatDelta>;
}
