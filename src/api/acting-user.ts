import type { Context } from "hono";
import type { AppEnv } from "./app-env.js";
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
