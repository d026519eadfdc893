/**
 * Which routes a read-only key may call: those whose declaration says they change nothing (chat
 * included: its write-back is turned off for such keys). The flag sits on the route's own
 * declaration, as a marker handler in front of it; every other route, including any added later
 * and any path no route matches, is refused, so a new write route cannot be missed.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app-env.js";

/**
 * Put in front of a route's handler (`app.get(path, readOnlyRoute, handler)`) to declare that the
 * route changes nothing, so read-only keys may call it. It does nothing when it runs: the
 * authentication middleware looks for it among the handlers the request matched.
 */
export const readOnlyRoute: MiddlewareHandler<AppEnv> = async (_c, next) => {
  await next();
};

/** A route that may change data: read-only keys are refused before it runs (doing nothing itself). */
const writeRoute: MiddlewareHandler<AppEnv> = async (_c, next) => {
  await next();
};

/** The marker to put in front of a route's handler, as its declaration's `readOnly` says. */
export const accessMarker = (route: { readOnly?: true | undefined }): MiddlewareHandler<AppEnv> => (route.readOnly ? readOnlyRoute : writeRoute);

/**
 * The route this request matched was declared read-only. Hono matches before any middleware runs
 * (a HEAD request as GET), so the authentication middleware can ask before the route's handler runs.
 */
export function isReadOnlyRoute(c: Context<AppEnv>): boolean {
  return matchedRoutes(c).some(({ handler }) => handler === readOnlyRoute);
}

/** The request's key may write (false for read-only keys: chats then write nothing back). */
export function mayWrite(c: Context<AppEnv>): boolean {
  const principal = c.get("principal");
  return principal.kind === "open" || principal.readOnly !== true;
}
