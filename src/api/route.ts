import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { z } from "zod";
import type { App, AppEnv } from "./app-env.js";
import { admitActingUser, admitCaller, resolveActingUser, type Caller } from "./acting-user.js";
import { accessMarker } from "./auth/read-only.js";
import { ErrorEnvelope, envelope, success } from "./schemas/envelope.js";
import { parseWith, readBody, type BodyLimits } from "./validation.js";

const ERROR_RESPONSES = {
  400: "Malformed JSON or a request that cannot be carried out as asked",
  401: "No API key, or an unknown one (when the server has API keys)",
  403: "A cube the user may not use, a user the API key may not act as, or a write with a read-only key",
  404: "A cube, memory or task that does not exist",
  413: "Body larger than MEMCUBE_BODY_LIMIT, or an add into a full cube (MEMCUBE_CUBE_MAX_*)",
  422: "A field that is missing or wrong",
  429: "Over MEMCUBE_RATE_LIMIT_PER_MINUTE, or a chat over MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY (see Retry-After)",
  500: "Server error (with the request id)",
} as const;

function errorResponses() {
  return Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => [status, { description, content: { "application/json": { schema: ErrorEnvelope } } }]),
  );
}

/** The names of an input's string fields (optional ones too): where a route may say its acting user is. */
export type ActorField<T> = { [K in keyof T]-?: NonNullable<T[K]> extends string ? K : never }[keyof T] & string;

/** An input whose acting-user field is decided: handlers always see the user the request acts for. */
export type Acted<T, K extends ActorField<T>> = T & { [P in K]: string };

/**
 * Every route that acts for a user declares which validated field names that user (see "The acting
 * user" in the API spec). Where MemOS lets the field be left out, the route also says which cube the
 * request is about (`actorCube`): the acting user is then decided by src/api/acting-user.ts. Either
 * way it is checked against the request's API key before the handler runs, and written into the
 * field: the handler can then trust it. A route whose request names no user declares its `caller`
 * instead (src/api/acting-user.ts): `admin` for routes that reveal other users, `key` for routes
 * that act for whoever the key is (they narrow what they answer with `readerOf`).
 */
export type ActingUser<T, K extends ActorField<T> = ActorField<T>> =
  | {
      actor: K;
      actorCube?: (input: T, c: Context<AppEnv>) => string | undefined | Promise<string | undefined>;
      caller?: undefined;
    }
  | { actor?: undefined; actorCube?: undefined; caller: Caller };

/** Whether read-only keys may call a route (src/api/auth/read-only.ts); without the flag they may not. */
export interface ReadOnlyFlag {
  /** The route changes nothing (a chat's write-back is off for read-only keys): they may call it. */
  readOnly?: true;
}

/**
 * Admits a validated input as its route declares: a caller of no named user as it is, else the acting
 * user decided (src/api/acting-user.ts) and written into the actor field.
 */
async function admitInput<T, K extends ActorField<T>>(c: Context<AppEnv>, route: ActingUser<T, K>, input: T, source: "body" | "query"): Promise<Acted<T, K>> {
  if (route.caller !== undefined) {
    admitCaller(c, route.caller);
    return input as Acted<T, K>;
  }
  const actorCube = route.actorCube;
  const given = input[route.actor] as string | undefined;
  const cube = actorCube && (async () => actorCube(input, c));
  const actor = await resolveActingUser(c, { field: route.actor, given, source, ...(cube && { cube }) });
  c.set("actorNamed", given !== undefined);
  admitActingUser(c, actor);
  return { ...input, [route.actor]: actor };
}

/** Reads the JSON body, validates it, and admits the user it names (src/api/acting-user.ts). */
export async function readActingBody<S extends z.ZodType, K extends ActorField<z.infer<S>> = never>(
  c: Context<AppEnv>,
  route: { body: S } & ActingUser<z.infer<S>, K>,
  limits: BodyLimits,
): Promise<Acted<z.infer<S>, K>> {
  const body: z.infer<S> = await readBody(c, route.body, limits);
  return admitInput<z.infer<S>, K>(c, route, body, "body");
}

export type JsonRoute<B extends z.ZodType, D extends z.ZodType, K extends ActorField<z.infer<B>> = never> = ActingUser<z.infer<B>, K> &
  ReadOnlyFlag &
  JsonRouteShape<B, D>;

interface JsonRouteShape<B extends z.ZodType, D extends z.ZodType> {
  path: string;
  tag: string;
  summary: string;
  body: B;
  data: D;
  /** The envelope's success message (a function of the result when it depends on it). */
  message?: string | ((data: z.infer<D>) => string);
}

/**
 * A POST route whose JSON body is validated by one schema, which also documents it in the OpenAPI
 * document; the handler's result is wrapped in the envelope.
 */
export function postJson<B extends z.ZodType, D extends z.ZodType, K extends ActorField<z.infer<B>> = never>(
  app: App,
  limits: BodyLimits,
  route: JsonRoute<B, D, K>,
  handler: (body: Acted<z.infer<B>, K>, c: Context<AppEnv>) => Promise<z.infer<D>>,
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
  app.post(route.path, accessMarker(route), async (c) => {
    const body = await readActingBody(c, route, limits);
    const data = await handler(body, c);
    return c.json(success(data, typeof route.message === "function" ? route.message(data) : route.message));
  });
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export type QueryRoute<Q extends AnyObject, P extends AnyObject | undefined, D extends z.ZodType, K extends ActorField<z.infer<Q>> = never> = ActingUser<
  z.infer<Q>,
  K
> &
  ReadOnlyFlag &
  QueryRouteShape<Q, P, D>;

interface QueryRouteShape<Q extends AnyObject, P extends AnyObject | undefined, D extends z.ZodType> {
  method: "get" | "post";
  /** OpenAPI style: `/product/get_memory/{id}`. */
  path: string;
  tag: string;
  summary: string;
  query: Q;
  params?: P;
  data: D;
  description?: string;
  /** The envelope's success message (a function of the result when it depends on it). */
  message?: string | ((data: z.infer<D>, input: { query: z.infer<Q>; params: P extends AnyObject ? z.infer<P> : undefined }) => string);
}

/** The query string as an object (first value of each name). */
const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

/**
 * A route whose input is its query string (and path parameters), as MemOS's GET and scheduler routes
 * take it; validated, documented and enveloped like a JSON route.
 */
export function queryJson<Q extends AnyObject, P extends AnyObject | undefined, D extends z.ZodType, K extends ActorField<z.infer<Q>> = never>(
  app: App,
  route: QueryRoute<Q, P, D, K>,
  handler: (input: { query: Acted<z.infer<Q>, K>; params: P extends AnyObject ? z.infer<P> : undefined }, c: Context<AppEnv>) => Promise<z.infer<D>>,
): void {
  app.openAPIRegistry.registerPath(
    createRoute({
      method: route.method,
      path: route.path,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      request: { query: route.query, ...(route.params ? { params: route.params } : {}) },
      responses: {
        200: { description: "Success", content: { "application/json": { schema: envelope(route.data) } } },
        ...errorResponses(),
      },
    }),
  );
  const honoPath = route.path.replace(/\{(\w+)\}/g, ":$1");
  app[route.method](honoPath, accessMarker(route), async (c) => {
    const params = route.params ? parseWith(route.params, c.req.param(), "path") : undefined;
    const query = await admitInput(c, route, parseWith(route.query, queryOf(c.req.url), "query"), "query");
    const input = { query, params: params as P extends AnyObject ? z.infer<P> : undefined };
    const data = await handler(input, c);
    const message = typeof route.message === "function" ? route.message(data, input) : route.message;
    return c.json(success(data, message));
  });
}

export { errorResponses };
