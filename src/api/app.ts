import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { matchedRoutes } from "hono/route";
import type { Logger } from "pino";
import type { ChatTokenQuota } from "../chat/token-quota.js";
import type { Config } from "../config/index.js";
import type { ModelRegistry } from "../llm/registry.js";
import type { MemoryContext } from "../memory/context.js";
import { cubeOwner } from "../memory/cubes.js";
import { Metrics } from "../ops/metrics.js";
import { ReadinessProbe } from "../ops/readiness.js";
import type { App, AppEnv } from "./app-env.js";
import { authenticate } from "./auth/authenticate.js";
import type { KeyRing } from "./auth/key-ring.js";
import { errorResponse, handleError } from "./errors.js";
import { rateLimiting } from "./rate-limit.js";
import { chatRoutes } from "./routes/chat.js";
import { chatStreamRoutes } from "./routes/chat-streams.js";
import type { ChatDeps } from "../chat/pipeline.js";
import { cubeRoutes } from "./routes/cubes.js";
import { identityRoutes } from "./routes/identity.js";
import { memoryRoutes } from "./routes/memory.js";
import { feedbackRoutes } from "./routes/feedback.js";
import { memoryLookupRoutes } from "./routes/memory-lookup.js";
import { mcpRoutes } from "./routes/mcp.js";
import { softDeleteRoutes } from "./routes/soft-delete.js";
import { metaRoutes } from "./routes/meta.js";
import { openAIErrorShape, openAIRoutes } from "./routes/openai.js";
import { opsRoutes } from "./routes/ops.js";
import { playgroundRoutes } from "./routes/playground.js";
import { schedulerRoutes } from "./routes/scheduler.js";
import { suggestionRoutes } from "./routes/suggestions.js";

export interface AppDeps {
  config: Config;
  context: MemoryContext;
  models: ModelRegistry;
  logger: Logger;
  version: string;
  /** API keys; undefined: open mode (the body's user_id is trusted). */
  keys?: KeyRing | undefined;
  /** Counters and histograms for `GET /metrics` (a fresh set when omitted). */
  metrics?: Metrics;
  /** What `GET /ready` checks (the context's store and embedder when omitted). */
  readiness?: ReadinessProbe;
  /** LLM tokens per user per day on the chat routes (MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY), when set. */
  tokenQuota?: ChatTokenQuota | undefined;
}

/** The route template a request matched (`/product/get_memory/:id`), or `unmatched` (a 404). */
function routeTemplate(c: Parameters<typeof matchedRoutes>[0]): string {
  const handlers = matchedRoutes(c).filter((route) => route.method !== "ALL");
  return handlers.at(-1)?.path ?? "unmatched";
}

const REQUEST_ID = /^[A-Za-z0-9_\-.:]{1,128}$/;

/** The HTTP surface: parsing, validation and the envelope; every decision is the domain's. */
export function createApp(deps: AppDeps): App {
  const app = new OpenAPIHono<AppEnv>();
  const metrics = deps.metrics ?? new Metrics();

  app.use(async (c, next) => {
    const given = c.req.header("x-request-id") ?? c.req.header("trace-id");
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    const logger = deps.logger.child({ requestId });
    c.set("requestId", requestId);
    c.set("logger", logger);
    c.set("cubeOwner", (cubeId) => cubeOwner(deps.context, cubeId));
    const started = performance.now();
    try {
      await next();
    } catch (thrown) {
      // Hono hands only Error instances to onError: anything else thrown would escape as a bare 500.
      const what = typeof thrown === "string" ? thrown : Object.prototype.toString.call(thrown);
      c.res = handleError(new Error(`non-Error thrown: ${what}`, { cause: thrown }), c);
    }
    c.header("x-request-id", requestId);
    const labels = { method: c.req.method, route: routeTemplate(c), status: String(c.res.status) };
    metrics.requests.inc(labels);
    metrics.requestSeconds.observe(labels, (performance.now() - started) / 1000);
    logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, "request");
  });
  if (deps.config.corsOrigins.length > 0) {
    app.use(cors({ origin: deps.config.corsOrigins, exposeHeaders: ["x-request-id"], maxAge: 600 }));
  }
  app.use("/v1/*", openAIErrorShape()); // before auth: a 401 on /v1 is OpenAI-shaped too
  app.use(authenticate(deps.keys));
  if ((deps.config.quotas?.requestsPerMinute ?? 0) > 0) {
    app.use(rateLimiting(deps.config.quotas.requestsPerMinute));
  }
  app.use(
    bodyLimit({
      maxSize: deps.config.limits.bodyBytes,
      onError: (c) => {
        // The rest of the body is never read: the connection cannot carry another request.
        c.header("Connection", "close");
        return errorResponse(c, 413, `body: larger than ${deps.config.limits.bodyBytes} bytes (MEMCUBE_BODY_LIMIT)`);
      },
    }),
  );

  metaRoutes(app, deps.version);
  opsRoutes(app, {
    context: deps.context,
    metrics,
    readiness: deps.readiness ?? new ReadinessProbe(deps.context.store, deps.context.embedder),
  });
  memoryRoutes(app, deps.context, deps.config.limits);
  memoryLookupRoutes(app, deps.context, deps.config.limits);
  softDeleteRoutes(app, deps.context, deps.config.limits, deps.config.softDeleteRetentionMs);
  feedbackRoutes(app, deps.context, deps.config.limits);
  cubeRoutes(app, deps.context, deps.config.limits);
  identityRoutes(app);
  schedulerRoutes(app, deps.context);
  const chatDeps: ChatDeps = {
    memory: deps.context,
    models: deps.models,
    tokenQuota: deps.tokenQuota,
    turnEnded: (outcome) => metrics.chatTurns.inc({ outcome }),
  };
  chatRoutes(app, chatDeps, deps.config.limits);
  chatStreamRoutes(app, chatDeps, deps.config.limits, deps.config.businessChatKeys);
  suggestionRoutes(app, chatDeps, deps.config.limits);
  openAIRoutes(app, chatDeps, deps.config.limits);
  mcpRoutes(app, { config: deps.config, context: deps.context, chat: chatDeps, version: deps.version });
  playgroundRoutes(app);

  app.notFound((c) => errorResponse(c, 404, `no route ${c.req.method} ${c.req.path}`));
  app.onError(handleError);
  return app;
}
