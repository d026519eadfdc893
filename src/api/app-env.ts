import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";

/** Per-request values the middleware sets for the handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
  };
}

export type App = OpenAPIHono<AppEnv>;
