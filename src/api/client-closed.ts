import type { Context } from "hono";
import type { AppEnv } from "./app-env.js";

/**
 * nginx's "client closed request": the status logged and counted when the client went away before
 * its answer (mid-body, or while the server was still working). Nobody receives it; it keeps such
 * requests out of the 5xx a server's own failures are alerted on.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/** The body could not be read to its end: the connection broke while the client was sending it. */
export class ClientClosedRequest extends Error {
  constructor(cause?: unknown) {
    super("the client closed the connection before its request was complete", { cause });
    this.name = "ClientClosedRequest";
  }
}

/** Whether the client has gone: the server noticed its connection close before the answer was sent. */
export const clientHasGone = (c: Context<AppEnv>): boolean => c.req.raw.signal.aborted;

/** The info line of a request whose client left (a client may do this at will: never an error). */
export function logClientClosed(c: Context<AppEnv>, reason: string): void {
  c.get("logger").info({ status: CLIENT_CLOSED_REQUEST, reason }, "client closed request");
}

/** What a request whose client left before its answer ends with: the info line, and 499. */
export function clientClosedResponse(error: Error, c: Context<AppEnv>): Response {
  logClientClosed(c, error.message);
  return new Response(null, { status: CLIENT_CLOSED_REQUEST });
}
