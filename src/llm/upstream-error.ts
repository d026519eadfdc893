import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { UpstreamError } from "./errors.js";
import { redactSecrets } from "../redact.js";

const MAX_DETAIL = 300;

/** One short line: error bodies can be whole HTML pages or pretty-printed JSON. */
function shorten(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL)}…` : line;
}

/** The human part of an error body: `{error:{message}}`, `{message}`, `{detail}`, HTML or text. */
function describeBody(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // An HTML error page from a proxy (nginx "502 Bad Gateway"): keep its words, drop the markup.
    return text.trimStart().startsWith("<") ? text.replace(/<[^>]*>/g, " ") : text;
  }
  if (typeof json !== "object" || json === null) return text;
  const body = json as Record<string, unknown>;
  for (const candidate of [body.error, body.message, body.detail]) {
    if (typeof candidate === "string") return candidate;
    if (typeof candidate === "object" && candidate !== null) {
      const message = (candidate as Record<string, unknown>).message;
      return typeof message === "string" ? message : JSON.stringify(candidate);
    }
  }
  return text;
}

/**
 * A `fetch` for the openai client that rewrites error bodies to the `{error:{message}}` shape it reads.
 * Without it, the SDK drops the message of servers that answer `{"message": …}` (vLLM) or
 * `{"detail": …}` (FastAPI-based proxies), and the user sees a bare status code.
 */
export const errorNormalizingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const response = await fetch(input, init);
  if (response.ok) return response;
  const text = await response.text().catch(() => "");
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  headers.delete("content-encoding");
  const message = shorten(describeBody(text)) || response.statusText || "no details";
  return new Response(JSON.stringify({ error: { message } }), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
};

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const millis = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(millis) && millis >= 0) return millis;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The first `code` (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET…) along an error's cause chain. */
function causeCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return undefined;
}

export interface FailureContext {
  /** Redacted from every message (the entry's API key). */
  secrets: readonly string[];
  timeoutMs: number;
  /** Whether part of the answer was already passed on (decides connection vs interrupted). */
  received: boolean;
}

/** `instanceof APIError` alone narrows to `APIError<any, any, any>`: this keeps its declared field types. */
const isApiError = (error: unknown): error is APIError => error instanceof APIError;

/** Maps whatever the openai client or the network threw to an `UpstreamError` with a safe message. */
export function toUpstreamError(error: unknown, context: FailureContext): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const safe = (text: string) => redactSecrets(shorten(text), context.secrets);

  if (error instanceof APIConnectionTimeoutError) return timeoutError(context.timeoutMs);
  if (error instanceof APIConnectionError) {
    const code = causeCode(error.cause);
    return new UpstreamError("connection", `could not reach the model server${code ? ` (${code})` : ""}`);
  }
  if (isApiError(error)) {
    const detail = describeBody(typeof error.error === "string" ? error.error : error.error ? JSON.stringify(error.error) : "");
    if (error.status === undefined) {
      // An `{"error": …}` event inside an otherwise successful stream.
      return new UpstreamError("protocol", safe(`model server error: ${detail || "no details"}`));
    }
    return new UpstreamError("http", safe(`model server answered ${error.status}: ${detail || "no details"}`), {
      status: error.status,
      retryAfterMs: retryAfterMs(error.headers),
    });
  }
  if (error instanceof SyntaxError) {
    return new UpstreamError("protocol", "model server sent a malformed response");
  }
  // Typically undici's "terminated": the socket closed while the body was being read.
  const code = causeCode(error);
  return context.received
    ? new UpstreamError("interrupted", `model server closed the stream mid-answer${code ? ` (${code})` : ""}`)
    : new UpstreamError("connection", `model server closed the connection before answering${code ? ` (${code})` : ""}`);
}

export function timeoutError(timeoutMs: number): UpstreamError {
  return new UpstreamError("timeout", `model server did not answer within ${timeoutMs / 1000} s`);
}
