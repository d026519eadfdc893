import type { Context } from "hono";
import { invalidField } from "./api-error.js";
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

/** Where a request names (or may leave out) the user it acts for. */
export interface ActorHint {
  /** The field that names the user, for the error when nothing decides it. */
  field: string;
  /** Where that field is (the error's `loc`); default the body. */
  source?: "body" | "query";
  /** The user the request names, if it does. */
  given: string | undefined;
  /** The cube the request is about, when the route lets the user be left out (as MemOS does); asked only when needed. */
  cube?: () => Promise<string | undefined>;
}

/**
 * Whom a request acts for when it leaves its user out, as issue 17's rule says: the named user;
 * else, with a user's API key, that key's user (a key never acts for anyone else: so on every route
 * that acts for a user); else (open mode or an admin key), where the route names a cube (`actorCube`),
 * the owner of that cube, and for a cube that does not exist yet its own id, whose default cube it is.
 */
export async function resolveActingUser(c: Context<AppEnv>, hint: ActorHint): Promise<string> {
  if (hint.given !== undefined) return hint.given;
  const principal = c.get("principal");
  if (principal.kind === "user") return principal.userId;
  if (hint.cube === undefined) {
    throw invalidField([hint.field], principal.kind === "admin" ? "field required: an admin key acts for no user of its own" : "field required", hint.source);
  }
  const cube = await hint.cube();
  if (cube === undefined) throw invalidField([hint.field], "field required (or name a cube, whose owner then acts)", hint.source);
  return (await c.get("cubeOwner")(cube)) ?? cube;
}
