import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ChatTokensExhausted } from "../chat/token-quota.js";
import { NoModelConfiguredError, UnknownModelError, UpstreamError } from "../llm/errors.js";
import { DomainError, type DomainErrorKind } from "../memory/errors.js";
import { ApiError } from "./api-error.js";
import type { AppEnv } from "./app-env.js";
import { ClientClosedRequest, clientClosedResponse, clientHasGone } from "./client-closed.js";
import type { ErrorBody } from "./schemas/envelope.js";
import { SERVER_STOPPING_STATUS, ServerStopping } from "./server-stopping.js";
import { UpstreamRequestError } from "../upstream-http.js";

const STATUS_OF: Record<DomainErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unprocessable: 422,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  full: 413,
  upstream: 502,
  unavailable: 503,
};

// Any context will do: it only writes the body (hono's bodyLimit hands its onError an untyped one).
export function errorResponse(c: Context, status: ContentfulStatusCode, message: string, detail?: ErrorBody["detail"]) {
  const body: ErrorBody = { code: status, message, data: null, ...(detail ? { detail } : {}) };
  return c.json(body, status);
}

function upstreamMessage(error: UpstreamError): string {
  return `the model failed${error.status === undefined ? "" : ` (upstream HTTP ${error.status})`}: ${error.message}`;
}

/** What a client is told of a failed embedding service: its HTTP status (an error one), not its text or address. */
function embeddingFailure(error: UpstreamRequestError, requestId: string): string {
  const status = error.status !== undefined && error.status >= 400 ? ` (upstream HTTP ${error.status})` : "";
  return `the embedding service failed${status}; the details are in the server's log (request id ${requestId})`;
}

/** Maps every error to the envelope; unexpected ones are logged and answered without internals. */
export function handleError(error: Error, c: Context<AppEnv>) {
  // Cut by the operator's shutdown (its connection may be cut too): neither the client's doing nor a bug.
  if (error instanceof ServerStopping) {
    c.get("logger").info({ status: SERVER_STOPPING_STATUS }, "request cut by the server stopping");
    c.header("Retry-After", "1");
    return errorResponse(c, SERVER_STOPPING_STATUS, `${error.message}; retry the request`);
  }
  // Whatever failed once the client had gone (its body cut off, the model call aborted) failed because it went.
  if (error instanceof ClientClosedRequest || clientHasGone(c)) return clientClosedResponse(error, c);
  if (error instanceof ApiError) return errorResponse(c, error.status, error.message, error.detail);
  if (error instanceof DomainError) return errorResponse(c, STATUS_OF[error.kind], error.message);
  if (error instanceof ChatTokensExhausted) {
    c.header("Retry-After", String(error.retryAfterSeconds));
    return errorResponse(c, 429, error.message);
  }
  if (error instanceof UnknownModelError) return errorResponse(c, 400, `model_name_or_path: ${error.message}`);
  if (error instanceof NoModelConfiguredError) return errorResponse(c, 503, error.message);
  if (error instanceof UpstreamError) return errorResponse(c, error.kind === "timeout" ? 504 : 502, upstreamMessage(error));
  if (error instanceof HTTPException) {
    return errorResponse(c, error.status, error.status === 413 ? "body: larger than the server's body limit" : error.message);
  }
  const requestId = c.get("requestId");
  // The embedding service (the only upstream whose failure reaches a route: a reranker's is absorbed)
  // failed: the operator's to fix, so logged as an error, but a bad gateway, not a bug of ours. Its
  // text (key redacted already) and address stay in the log.
  if (error instanceof UpstreamRequestError) {
    c.get("logger").error({ err: error }, "embedding service failed");
    return errorResponse(c, 502, embeddingFailure(error, requestId));
  }
  c.get("logger").error({ err: error }, "request failed");
  return c.json({ code: 500, message: `internal server error (request id ${requestId})`, data: null, request_id: requestId }, 500);
}

/** The message for an error met after a stream started (sent in an `error` frame). */
export function describeError(error: unknown, c: Context<AppEnv>): string {
  if (error instanceof UpstreamError) return upstreamMessage(error);
  if (error instanceof DomainError || error instanceof ApiError) return error.message;
  if (error instanceof ServerStopping) {
    c.get("logger").info({ status: SERVER_STOPPING_STATUS }, "request cut by the server stopping");
    return `${error.message}; retry the request`;
  }
  if (error instanceof UpstreamRequestError) {
    c.get("logger").error({ err: error }, "embedding service failed");
    return embeddingFailure(error, c.get("requestId"));
  }
  c.get("logger").error({ err: error }, "chat stream failed");
  return `internal server error (request id ${c.get("requestId")})`;
}
