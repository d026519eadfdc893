import OpenAI, { AzureOpenAI } from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { ChatModelEntry } from "../config/chat-models.js";
import type { ChatCompletion, ChatDelta, ChatMessage, ChatModel, ChatOptions } from "./chat-model.js";
import { UpstreamError } from "./errors.js";
import { DEFAULT_RETRY_POLICY, abortError, retryDelay, sleep, type RetryPolicy } from "./retry.js";
import { ThinkSplitter, splitThink } from "./think-splitter.js";
import { errorNormalizingFetch, timeoutError, toUpstreamError } from "./upstream-error.js";

export interface ChatClientOptions {
  /** Overrides of the retry policy (tests use a tiny `baseDelayMs`). */
  retry?: Partial<RetryPolicy>;
}

/**
 * One openai-package client for a `CHAT_MODEL_LIST` entry. Every option the package would otherwise
 * read from `OPENAI_*` environment variables is given explicitly, so only the entry decides where
 * requests go and which key they carry. Retries are ours (see `OpenAIChatModel`), so the package's are off.
 */
export function createOpenAIClient(entry: ChatModelEntry): OpenAI {
  const common = {
    maxRetries: 0,
    timeout: entry.timeoutMs,
    fetch: errorNormalizingFetch,
    logLevel: "off" as const,
    organization: null,
    project: null,
    webhookSecret: null,
  };
  if (entry.backend === "azure") {
    // `api_base` is the resource endpoint (https://name.openai.azure.com); one already ending in
    // /openai is taken as the base URL. The deployment is the model name, the key goes in `api-key`.
    const target = /\/openai\/?$/.test(new URL(entry.apiBase).pathname) ? { baseURL: entry.apiBase } : { endpoint: entry.apiBase };
    return new AzureOpenAI({ ...common, ...target, apiKey: entry.apiKey, apiVersion: entry.apiVersion });
  }
  return new OpenAI({
    ...common,
    baseURL: entry.apiBase,
    // The package insists on a key; keyless local servers (ollama, vllm) get a placeholder that is
    // then removed, so no Authorization header is sent at all.
    apiKey: entry.apiKey || "unused",
    adminAPIKey: null,
    defaultHeaders: entry.apiKey ? undefined : { Authorization: null },
  });
}

/** Fields some servers add to a message or delta: DeepSeek/Qwen/vLLM `reasoning_content`, newer vLLM `reasoning`. */
function reasoningOf(part: object): string {
  const fields = part as { reasoning_content?: unknown; reasoning?: unknown };
  const value = fields.reasoning_content ?? fields.reasoning;
  return typeof value === "string" ? value : "";
}

/**
 * One attempt's cancellation: the caller's signal, plus a watchdog that fires when the upstream
 * stays silent for `timeoutMs` (no answer, or no new chunk while streaming). The openai package's
 * own timeout stops at the response headers, so a stream that stalls later would hang forever.
 */
class Attempt {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    if (outer?.aborted) throw abortError(outer); // send nothing for a caller that already left
    outer?.addEventListener("abort", this.abort, { once: true });
    this.resume();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the watchdog while the consumer holds a delta: a slow reader is not a slow upstream. */
  pause(): void {
    clearTimeout(this.timer);
  }

  resume(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
  }

  /** The openai stream ends quietly when aborted; this turns that quiet end back into an error. */
  throwIfStopped(): void {
    if (this.outer?.aborted) throw abortError(this.outer);
    if (this.timedOut) throw timeoutError(this.timeoutMs);
  }

  /** Always called: stops the timer and closes the upstream connection if still open. */
  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener("abort", this.abort);
    this.controller.abort();
  }

  private readonly abort = () => this.controller.abort();
}

/**
 * A chat model served over the OpenAI chat-completions protocol (OpenAI, Qwen/DashScope, DeepSeek,
 * Ollama, vLLM, MiniMax, Azure OpenAI…).
 *
 * Failures become `UpstreamError`s. Connection errors and 429/5xx answers are retried with backoff
 * while nothing of the answer has reached the caller; once a delta was yielded, a failure surfaces
 * as is (`kind: "interrupted"`), since the caller may already have shown the text. Timeouts are
 * not retried (the user has waited long enough). When `options.signal` aborts, the upstream
 * request is cancelled and the call rejects with the signal's reason (an `AbortError`).
 */
export class OpenAIChatModel implements ChatModel {
  readonly contextWindow: number;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly entry: ChatModelEntry,
    readonly model: string,
    private readonly client: OpenAI,
    options: ChatClientOptions = {},
  ) {
    this.contextWindow = entry.contextWindow;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  async complete(messages: readonly ChatMessage[], options: ChatOptions = {}): Promise<ChatCompletion> {
    for (let attempt = 0; ; attempt++) {
      const call = new Attempt(this.entry.timeoutMs, options.signal);
      try {
        const response = await this.client.chat.completions.create({ ...this.body(messages, options), stream: false }, { signal: call.signal, maxRetries: 0 });
        const message = response.choices[0]?.message;
        if (!message) throw new UpstreamError("protocol", "model server answered without a message");
        const split = splitThink(message.content ?? "");
        const reasoning = [reasoningOf(message).trim(), split.reasoning].filter(Boolean).join("\n\n");
        return {
          text: split.text,
          reasoning: reasoning || null,
          ...(response.usage && {
            usage: { promptTokens: response.usage.prompt_tokens, completionTokens: response.usage.completion_tokens },
          }),
        };
      } catch (error) {
        await this.backoffOrThrow(error, call, attempt, false, options.signal);
      } finally {
        call.dispose();
      }
    }
  }

  async *stream(messages: readonly ChatMessage[], options: ChatOptions = {}): AsyncGenerator<ChatDelta> {
    let received = false;
    for (let attempt = 0; ; attempt++) {
      const call = new Attempt(this.entry.timeoutMs, options.signal);
      try {
        const chunks = await this.client.chat.completions.create(
          { ...this.body(messages, options), ...this.streamOptions(), stream: true },
          { signal: call.signal, maxRetries: 0 },
        );
        const splitter = new ThinkSplitter();
        const deliver = function* (deltas: ChatDelta[]) {
          for (const delta of deltas) {
            received = true;
            call.pause();
            yield delta;
            call.resume();
          }
        };
        for await (const chunk of chunks) {
          call.resume();
          if (chunk.usage) options.onUsage?.({ promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens });
          yield* deliver(this.deltasOf(chunk, splitter));
        }
        call.throwIfStopped();
        yield* deliver(splitter.end());
        return;
      } catch (error) {
        await this.backoffOrThrow(error, call, attempt, received, options.signal);
      } finally {
        call.dispose();
      }
    }
  }

  /** Rethrows the failure as the caller should see it, or waits out the backoff before the next attempt. */
  private async backoffOrThrow(error: unknown, call: Attempt, attempt: number, received: boolean, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    const failure = call.timedOut
      ? timeoutError(this.entry.timeoutMs)
      : toUpstreamError(error, { secrets: [this.entry.apiKey], timeoutMs: this.entry.timeoutMs, received });
    const delay = received ? undefined : retryDelay(attempt, failure, this.retry);
    if (delay === undefined) throw failure;
    await sleep(delay, signal);
  }

  private deltasOf(chunk: ChatCompletionChunk, splitter: ThinkSplitter): ChatDelta[] {
    const delta = chunk.choices[0]?.delta;
    if (!delta) return []; // e.g. a usage-only chunk
    const out: ChatDelta[] = [];
    const reasoning = reasoningOf(delta);
    if (reasoning) out.push({ type: "reasoning", text: reasoning });
    if (delta.content) out.push(...splitter.push(delta.content));
    return out;
  }

  /**
   * Streams ask for the token counts in a last chunk (OpenAI, vLLM, Ollama, DashScope and DeepSeek
   * support it), for the token metrics and quota. An entry's `extra_body` may set `stream_options`
   * itself, or to null to send none (for a server that rejects the field).
   */
  private streamOptions(): { stream_options?: { include_usage: boolean } } {
    const extra = this.entry.extraBody as Record<string, unknown> | undefined;
    if (extra && "stream_options" in extra) {
      return extra.stream_options === null ? { stream_options: undefined } : {};
    }
    return { stream_options: { include_usage: true } };
  }

  /**
   * The request body: `extra_body` first, so provider switches reach the top level, then what the
   * client owns. Sampling parameters come from the request, else the entry, and are sent only when
   * set, so the server's own defaults apply otherwise.
   */
  private body(messages: readonly ChatMessage[], options: ChatOptions): ChatCompletionCreateParamsBase {
    const temperature = options.temperature ?? this.entry.temperature;
    const maxTokens = options.maxTokens ?? this.entry.maxTokens;
    const topP = options.topP ?? this.entry.topP;
    return {
      ...this.entry.extraBody,
      model: this.model,
      messages: messages.map((message) => ({ role: message.role, content: message.content })),
      ...(temperature !== undefined && { temperature }),
      ...(maxTokens !== undefined && { max_tokens: maxTokens }),
      ...(topP !== undefined && { top_p: topP }),
    };
  }
}
