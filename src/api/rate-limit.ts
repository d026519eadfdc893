/**
 * MEMCUBE_RATE_LIMIT_PER_MINUTE on the HTTP surface. A step of its own in each route that acts for a
 * user, taken once the acting user is known and allowed: in open mode the budget is the acting
 * user's, who is named in the body, and a request refused earlier (bad body, wrong user) spends
 * nothing. Routes that act for no user (liveness, models, metrics) are not limited.
 */
import type { Context, MiddlewareHandler } from "hono";
import { RateLimiter } from "../ops/rate-limit.js";
import { ApiError } from "./api-error.js";
import type { AppEnv } from "./app-env.js";

/** Hands the requests the limiter (one for the whole app: the budgets outlive the requests). */
export function rateLimiting(perMinute: number): MiddlewareHandler<AppEnv> {
  const limiter = new RateLimiter(perMinute);
  return async (c, next) => {
    c.set("rateLimiter", limiter);
    await next();
  };
}

/** Spends one request of the caller's budget; 429 with Retry-After when it is used up. */
export function spendRequestBudget(c: Context<AppEnv>, actingUser: string): void {
  const limiter = c.get("rateLimiter");
  if (!limiter) return;
  const principal = c.get("principal");
  // Per key: a user key is its user's; the admin keys share one budget. Open mode: per acting user.
  const caller = principal.kind === "admin" ? "admin" : principal.kind === "user" ? `user:${principal.userId}` : `user:${actingUser}`;
  const retryAfter = limiter.take(caller);
  if (retryAfter !== undefined) {
    c.header("Retry-After", String(retryAfter));
    throw new ApiError(429, `rate limit: more than ${limiter.perMinute} requests a minute (MEMCUBE_RATE_LIMIT_PER_MINUTE); retry in ${retryAfter} s`);
  }
}
