import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { RateLimiter } from "../ops/rate-limit.js";

/**
 * Who a request acts for: anyone (open mode, or an admin key), or one user. `readOnly` keys may
 * only call the routes declared read-only (src/api/auth/read-only.ts), and their chats write nothing back.
 */
export type Principal = { kind: "open" } | { kind: "admin"; readOnly?: true } | { kind: "user"; userId: string; readOnly?: true };

/** Per-request values the middleware sets for the handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /** Who the request may act as (set by the auth middleware). */
    principal: Principal;
    /** Requests per minute per caller, when configured (checked where the acting user is known). */
    rateLimiter?: RateLimiter | undefined;
    /** The owner of a cube, undefined when it does not exist: whom a request that names no user acts for. */
    cubeOwner: (cubeId: string) => Promise<string | undefined>;
    /** Whether the request named its acting user itself (false: decided by the key or the cube's owner). */
    actorNamed?: boolean;
  };
}

export type App = OpenAPIHono<AppEnv>;
