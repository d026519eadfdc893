import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { Principal } from "./auth.js";

/** Per-request values the middleware sets for the handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /** Who the request may act as (set by the auth middleware). */
    principal: Principal;
  };
}

export type App = OpenAPIHono<AppEnv>;
