import type { AddressInfo } from "node:net";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import type { Logger } from "pino";
import { createApp } from "./api/app.js";
import { ChatTokenQuota } from "./chat/token-quota.js";
import { checkExposure } from "./api/auth/exposure.js";
import type { KeyRing } from "./api/auth/key-ring.js";
import { reloadKeys, setUpAuth } from "./api/auth/start-up.js";
import { ServerStopping } from "./api/server-stopping.js";
import type { Config, RerankerConfig } from "./config/index.js";
import { abortableEmbedder } from "./embed/abortable.js";
import { createEmbedder, workerPlanOf, type Embedder } from "./embed/index.js";
import type { DocumentSettings, MemoryContext } from "./memory/context.js";
import { PurgeSweep } from "./memory/purge-sweep.js";
import { DEFAULT_BUDGET, systemResolver } from "./documents/index.js";
import { ModelRegistry } from "./llm/registry.js";
import { ensureEmbedderMatches } from "./memory/embedder-identity.js";
import { RerankStage } from "./memory/rerank-stage.js";
import { createHttpReranker } from "./rerank/index.js";
import { enableFineMode } from "./memory/jobs/fine-mode.js";
import { documentJobHandler } from "./memory/jobs/document-job.js";
import { DOCUMENT_JOB } from "./memory/document-job-payload.js";
import { createLogger } from "./logger.js";
import { Metrics, instrumentEmbedder, instrumentModel, instrumentStore } from "./ops/metrics.js";
import { PostgresStore } from "./store/postgres/postgres-store.js";
import { SqliteStore } from "./store/sqlite/sqlite-store.js";
import type { Store } from "./store/store.js";
import { VERSION } from "./version.js";

export interface RunningServer {
  url: string;
  port: number;
  /**
   * Stops taking connections, lets requests and streams in flight finish for up to `graceMs`
   * (default 0: none), then puts running jobs back in the queue and aborts whatever still runs
   * (embedding of requests and jobs: nothing half-written), gives the requests aborted a moment to
   * send their 503, cuts the connections left, and stops the embedder's workers and the store.
   */
  close(graceMs?: number): Promise<void>;
  /**
   * Reads MEMCUBE_API_KEYS_FILE again and swaps the keys in (SIGHUP). Requests in flight are not
   * disturbed; a bad file keeps the old keys (logged). Resolves whether the keys were replaced.
   */
  reloadKeys: () => Promise<boolean>;
}

/** The SQLite store's file in the data folder. */
const sqliteFile = (config: Config) => path.join(config.dataDir, "memcube.db");

/** The configured store: SQLite in the data folder, or PostgreSQL (migrated on open). */
export async function openStore(config: Config): Promise<Store> {
  if (config.store === "postgres") return PostgresStore.open(config.databaseUrl ?? "");
  return new SqliteStore(sqliteFile(config));
}

/** Where the data is, for the start-up log: the SQLite file, or PostgreSQL's host and database (never its password). */
function dataLocation(config: Config): string {
  if (config.store !== "postgres") return path.resolve(sqliteFile(config));
  try {
    const url = new URL(config.databaseUrl ?? "");
    return `postgres://${url.host}${url.pathname}`;
  } catch {
    return "postgres";
  }
}

/** Builds the memory context the domain works with: store, embedder, clock. */
export async function openContext(config: Config): Promise<MemoryContext> {
  const store = await openStore(config);
  let embedder: Embedder | undefined;
  try {
    embedder = await createEmbedder(config.embedder);
    await ensureEmbedderMatches(store, embedder);
    return { store, embedder, now: () => new Date() };
  } catch (error) {
    await embedder?.close();
    await store.close();
    throw error;
  }
}

function listen(app: ReturnType<typeof createApp>, config: Config): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(server));
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? new Error(`PORT: ${config.host}:${config.port} is already in use; set PORT to another port`) : error);
    });
  });
}

/** The reranker of search results; a failure is a warning and searches keep the built-in order. */
function createRerankStage(config: RerankerConfig, metrics: Metrics, logger: Logger): RerankStage {
  const reranker = createHttpReranker(config);
  return new RerankStage(reranker, {
    candidates: config.candidates,
    retryAfterMs: config.retryAfterMs,
    onFailure: (error) => {
      metrics.rerankerFailures.inc({ reranker: reranker.name });
      logger.warn(
        { reranker: reranker.name, error: error instanceof Error ? error.message : String(error), retryAfterMs: config.retryAfterMs },
        "reranker failed; searches use the built-in ranking until it is tried again",
      );
    },
  });
}

/** MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY, counted in the store and shown in the metrics; undefined when off. */
function chatTokenQuota(config: Config, context: MemoryContext, metrics: Metrics, logger: Logger): ChatTokenQuota | undefined {
  const perDay = config.quotas.chatTokensPerUserPerDay;
  if (perDay <= 0) return undefined;
  return new ChatTokenQuota(context.store, perDay, {
    charged: (tokens, source) => metrics.chatQuotaTokens.inc({ source }, tokens),
    refused: () => metrics.chatQuotaRefusals.inc(),
    chargeFailed: (error) => logger.error({ err: error }, "could not count a chat's tokens against the user's daily budget"),
  });
}

/** After the grace period and the abort, how long the requests aborted have to send their 503 before their connections are cut. */
const STOPPING_ANSWER_MS = 1_000;

/** Whether the promise settles within `ms` (for 0 or less: not waited for, false). */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How files sent to add are read and which URLs may be fetched (MEMCUBE_DOCUMENT_MAX_BYTES, MEMCUBE_FETCH_URLS). */
export function documentSettings(config: Config): DocumentSettings {
  const { maxBytes, fetchHosts, fetchTimeoutMs } = config.documents;
  return { maxBytes, budget: DEFAULT_BUDGET, fetch: { allowHosts: fetchHosts, maxBytes, timeoutMs: fetchTimeoutMs, maxRedirects: 3, resolve: systemResolver } };
}

/** Opens the store and the embedder, then serves the API until close(). */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  checkExposure(config); // before opening anything: open mode off loopback needs --insecure-open
  const context = await openContext(config);
  const metrics = new Metrics();
  const encoderThreads = workerPlanOf(context.embedder); // before the embedder is wrapped below
  const { cubeMaxMemories: maxMemories, cubeMaxBytes: maxBytes } = config.quotas;
  if (maxMemories > 0 || maxBytes > 0) context.cubeQuota = { maxMemories, maxBytes };
  context.documents = documentSettings(config);
  context.store = instrumentStore(context.store, metrics);
  // Aborted when the server stops: no embedding outlives the grace period.
  const stopping = new AbortController();
  context.embedder = abortableEmbedder(instrumentEmbedder(context.embedder, metrics), stopping.signal);
  if (config.reranker) context.reranker = createRerankStage(config.reranker, metrics, logger);
  const jobs = enableFineMode(context, config, logger, (model) => instrumentModel(model, metrics), new Map([[DOCUMENT_JOB, documentJobHandler(context)]]));
  if (jobs) context.documentJobs = jobs;
  const models = new ModelRegistry(config.chatModels);
  const resolveModel = models.resolve.bind(models);
  models.resolve = (name) => instrumentModel(resolveModel(name), metrics);
  let server: ServerType;
  let keys: KeyRing | undefined;
  try {
    keys = await setUpAuth(config, context, logger);
    const app = createApp({ config, context, models, logger, version: VERSION, keys, metrics, tokenQuota: chatTokenQuota(config, context, metrics, logger) });
    server = await listen(app, config);
  } catch (error) {
    await context.store.close();
    await context.embedder.close();
    throw error;
  }
  jobs?.start();
  const sweep = new PurgeSweep(
    context,
    config.softDeleteRetentionMs,
    (error) => logger.error({ err: error }, "purging expired soft-deleted memories failed"),
    (count) => logger.info({ purged: count }, "soft-deleted memories past their retention purged"),
  );
  sweep.start();
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    {
      url,
      playground: `${url}/playground`,
      docs: `${url}/docs`,
      data: dataLocation(config),
      store: context.store.kind,
      embedder: context.embedder.name,
      ...(encoderThreads ? { embeddingWorkers: encoderThreads } : {}),
      models: models.names(),
      reranker: context.reranker?.reranker.name ?? null,
      extraction: config.extraction?.model ?? null,
      version: VERSION,
    },
    "memcube is serving",
  );
  return {
    url,
    port,
    reloadKeys: () => reloadKeys(config, keys, context, logger),
    close: async (graceMs = 0) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const http = "closeAllConnections" in server ? server : undefined;
      // Keep-alive connections go as soon as their request is answered.
      const idle = http ? setInterval(() => http.closeIdleConnections(), 50) : undefined;
      http?.closeIdleConnections();
      const drained = await settlesWithin(closed, graceMs);
      // Jobs still running go back to the queue before their work is aborted (the runner knows it
      // is stopping before their embedding is aborted, so that is no failed attempt).
      const jobsStopped = jobs?.stop();
      // What still runs is aborted first, so that its request is answered 503 ("the server is
      // stopping") rather than cut without an answer; what has not answered a moment later is cut.
      stopping.abort(new ServerStopping());
      if (!drained && http && !(await settlesWithin(closed, STOPPING_ANSWER_MS))) http.closeAllConnections();
      await closed;
      clearInterval(idle);
      await jobsStopped;
      await sweep.stop();
      await context.embedder.close();
      await context.store.close();
    },
  };
}
