/**
 * What the HTTP clients of upstream model services (embeddings, rerankers) say when a call fails:
 * short, single-line, and never with the API key in it.
 */
const ERROR_EXCERPT_CHARS = 200;

/** A failed call to an upstream model service (embeddings, reranker). The message never contains the API key. */
export class UpstreamRequestError extends Error {
  override readonly name = "UpstreamRequestError";
  constructor(
    message: string,
    /** The HTTP status when the service answered; undefined for connection errors and timeouts. */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A short, single-line piece of an error body, with the API key masked should the server echo it. */
export function excerpt(text: string, apiKey: string | undefined): string {
  let shown = text.replace(/\s+/g, " ").trim();
  if (apiKey) shown = shown.split(apiKey).join("***");
  if (shown === "") return "(empty body)";
  return shown.length > ERROR_EXCERPT_CHARS ? `${shown.slice(0, ERROR_EXCERPT_CHARS)}…` : shown;
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/** fetch reports every network failure as "fetch failed"; the useful part (ECONNREFUSED…) is its cause. */
export function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause instanceof Error ? error.cause : undefined;
  const code = inner && "code" in inner ? String(inner.code) : undefined;
  return [error.message, code ?? inner?.message].filter(Boolean).join(": ");
}

/** Cuts at a code-point boundary, so a surrogate pair is never split. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}
