import type { Context } from "hono";
import type { AppEnv } from "./app-env.js";

/** Aborts when the HTTP client goes away, so the model call stops and nothing partial is stored. */
export function clientGone(c: Context<AppEnv>): AbortController {
  const controller = new AbortController();
  const signal = c.req.raw.signal;
  if (signal.aborted) controller.abort();
  else signal.addEventListener("abort", () => controller.abort(), { once: true });
  return controller;
}
