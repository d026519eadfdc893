import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { RateLimiter } from "../ops/rate-limit.js";
import type { Principal } from "./auth.js";

/** Per-request values the middleware sets for the handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /** Who the request may act as (set by the auth middleware). */
    principal: Principal;
    /** Requests per minute per caller, when configured (checked where the acting user is known). */
    rateLimiter?: RateLimiter | undefined;
  };
}

export type App = OpenAPIHono<AppEnv>;
