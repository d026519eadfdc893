import type { Context } from "hono";
import type { AppEnv } from "./app-env.js";
import { ApiError } from "./api-error.js";
import { authorize } from "./auth/authorize.js";
import { spendRequestBudget } from "./rate-limit.js";

/**
 * The steps a route takes once it knows whom the request acts for, before its handler runs: the key
 * may act as that user (403), then the caller's rate budget (429).
 */
export function admitActingUser(c: Context<AppEnv>, actingUser: string): void {
  authorize(c, actingUser);
  spendRequestBudget(c, actingUser);
}

/**
 * Who may call a route whose request names no user: `admin` routes reveal other users, so with API
 * keys they need an admin key; `key` routes act for the key's user (anyone in open mode).
 */
export type Caller = "admin" | "key";

/** The same steps for a route that names no user: the caller's kind (403), then its rate budget. */
export function admitCaller(c: Context<AppEnv>, caller: Caller): void {
  const principal = c.get("principal");
  if (caller === "admin" && principal.kind === "user") throw new ApiError(403, "this route reveals other users: it needs an admin API key");
  spendRequestBudget(c, principal.kind === "user" ? principal.userId : "");
}

/**
 * Whose access narrows what a `key` route answers: the key's user, or undefined (everything) in
 * open mode, where the acting user is each cube's owner, and for admin keys.
 */
export function readerOf(c: Context<AppEnv>): string | undefined {
  const principal = c.get("principal");
  return principal.kind === "user" ? principal.userId : undefined;
}
