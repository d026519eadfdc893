import type { UpstreamError } from "./errors.js";

/** How often and how patiently a failed upstream call is tried again (only before any token arrived). */
export interface RetryPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
  /** Backoff before retry n (0-based) is `baseDelayMs · 2ⁿ`, capped, minus up to 25 % jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error surfaces instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 10_000,
};

/** Milliseconds to wait before retry number `attempt` (0-based), or undefined when not to retry. */
export function retryDelay(attempt: number, error: UpstreamError, policy: RetryPolicy): number | undefined {
  if (!error.retryable || attempt >= policy.maxRetries) return undefined;
  if (error.retryAfterMs !== undefined) {
    // A chat user is waiting: honour a short Retry-After, give up on a long one.
    return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : undefined;
  }
  const backoff = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return backoff * (1 - Math.random() * 0.25);
}

/** The error an aborted signal should surface as (its reason, normally a DOMException named AbortError). */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
}

/** Like `setTimeout` as a promise, but rejects at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      if (signal) reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
