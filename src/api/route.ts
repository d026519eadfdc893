import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { z } from "zod";
import type { App, AppEnv } from "./app-env.js";
import { ErrorEnvelope, envelope, success } from "./envelope.js";
import { readBody, type BodyLimits } from "./validation.js";

const ERROR_RESPONSES = {
  400: "Malformed JSON or a request that cannot be carried out as asked",
  403: "A cube the user may not use",
  404: "A cube, memory or task that does not exist",
  413: "Body larger than MEMCUBE_BODY_LIMIT",
  422: "A field that is missing or wrong",
  500: "Server error (with the request id)",
} as const;

function errorResponses() {
  return Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => [
      status,
      { description, content: { "application/json": { schema: ErrorEnvelope } } },
    ]),
  );
}

export interface JsonRoute<B extends z.ZodType, D extends z.ZodType> {
  path: string;
  tag: string;
  summary: string;
  body: B;
  data: D;
  /** The envelope's success message. */
  message?: string;
}

/**
 * A POST route whose JSON body is validated by one schema, which also documents it in the OpenAPI
 * document; the handler's result is wrapped in the envelope.
 */
export function postJson<B extends z.ZodType, D extends z.ZodType>(
  app: App,
  limits: BodyLimits,
  route: JsonRoute<B, D>,
  handler: (body: z.infer<B>, c: Context<AppEnv>) => Promise<z.infer<D>>,
): void {
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "post",
      path: route.path,
      tags: [route.tag],
      summary: route.summary,
      request: { body: { required: true, content: { "application/json": { schema: route.body } } } },
      responses: {
        200: { description: "Success", content: { "application/json": { schema: envelope(route.data) } } },
        ...errorResponses(),
      },
    }),
  );
  app.post(route.path, async (c) => {
    const body = await readBody(c, route.body, limits);
    return c.json(success(await handler(body, c), route.message));
  });
}

export { errorResponses };
