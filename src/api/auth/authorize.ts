import type { Context } from "hono";
import { ApiError } from "../api-error.js";
import type { AppEnv } from "../app-env.js";

/**
 * The request's key may act as this user (403 otherwise). Routes declare where their acting user
 * is (`actor` in src/api/route.ts), so no handler checks it itself.
 */
export function authorize(c: Context<AppEnv>, actingUser: string): void {
  const principal = c.get("principal");
  if (principal.kind === "user" && principal.userId !== actingUser) {
    throw new ApiError(403, `this API key may not act as user '${actingUser}'`);
  }
}
