/**
 * A failed tool call as the caller is told it: the same messages the HTTP API answers (the domain's
 * errors carry them), and for anything unexpected a short line, the details going to the log.
 */
import { ChatTokensExhausted } from "../chat/token-quota.js";
import { NoModelConfiguredError, UnknownModelError, UpstreamError } from "../llm/errors.js";
import { DomainError } from "../memory/errors.js";
import { UpstreamRequestError } from "../upstream-http.js";
import { ToolFailure } from "./port.js";

/** Where a failure the caller is not told the details of is recorded (stderr on stdio: stdout is the protocol's). */
export type FailureLog = (error: unknown, what: string) => void;

export function describeFailure(error: unknown, log: FailureLog): string {
  if (error instanceof ToolFailure || error instanceof DomainError || error instanceof ChatTokensExhausted) return error.message;
  if (error instanceof NoModelConfiguredError) return error.message;
  if (error instanceof UnknownModelError) return `model: ${error.message}`;
  if (error instanceof UpstreamError) return `the model failed${error.status === undefined ? "" : ` (upstream HTTP ${error.status})`}: ${error.message}`;
  if (error instanceof UpstreamRequestError) {
    log(error, "embedding service failed");
    return "the embedding service failed; the details are in the server's log";
  }
  log(error, "tool call failed");
  return "internal error; the details are in the server's log";
}
