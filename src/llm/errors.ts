/** The request named a model that is not in `CHAT_MODEL_LIST` (the API answers 400). */
export class UnknownModelError extends Error {
  constructor(
    readonly requested: string,
    readonly available: readonly string[],
  ) {
    super(`Unknown model ${JSON.stringify(requested)}; configured models: ${available.length > 0 ? available.join(", ") : "none"}`);
    this.name = "UnknownModelError";
  }
}

/** Chat was asked for but `CHAT_MODEL_LIST` is empty (the API answers 503). */
export class NoModelConfiguredError extends Error {
  constructor() {
    super(
      'No chat model is configured: set CHAT_MODEL_LIST to a JSON list of models, e.g. CHAT_MODEL_LIST=[{"backend":"openai","api_base":"https://api.openai.com/v1","api_key":"sk-…","model_name_or_path":"gpt-4o-mini"}]',
    );
    this.name = "NoModelConfiguredError";
  }
}

/**
 * How an upstream call failed:
 * - `http`: the server answered with an error status (`status` is set);
 * - `connection`: it could not be reached (refused, DNS, TLS, reset before any answer);
 * - `timeout`: no answer (or no new chunk while streaming) within the entry's `timeout`;
 * - `interrupted`: the stream broke after part of the answer was sent (never retried);
 * - `protocol`: the server answered something that is not a chat completion, or an error event in the stream.
 */
export type UpstreamErrorKind = "http" | "connection" | "timeout" | "interrupted" | "protocol";

/**
 * A failed call to a model server. `status` is the upstream HTTP status when there was one and
 * undefined otherwise (connection refused, timeout, broken stream): map those to 502/504 as fits.
 * The message is short, one line, and has the entry's API key (and anything key-like) redacted.
 */
export class UpstreamError extends Error {
  /** The upstream HTTP status, when it answered with one. */
  readonly status: number | undefined;
  /** How long the upstream asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = "UpstreamError";
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** Worth another attempt if nothing of the answer was received yet. */
  get retryable(): boolean {
    if (this.kind === "connection") return true;
    return this.kind === "http" && this.status !== undefined && (this.status === 429 || this.status >= 500);
  }
}
