import type { AddressInfo } from "node:net";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import type { Logger } from "pino";
import { createApp } from "./api/app.js";
import type { Config } from "./config/index.js";
import { createEmbedder } from "./embed/index.js";
import type { MemoryContext } from "./memory/context.js";
import { ModelRegistry } from "./llm/registry.js";
import { ensureEmbedderMatches } from "./memory/embedder-identity.js";
import { enableFineMode } from "./memory/jobs/fine-mode.js";
import { createLogger } from "./logger.js";
import { SqliteStore } from "./store/sqlite/sqlite-store.js";
import type { Store } from "./store/store.js";
import { VERSION } from "./version.js";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function openStore(config: Config): Store {
  return new SqliteStore(path.join(config.dataDir, "memcube.db"));
}

/** Builds the memory context the domain works with: store, embedder, clock. */
export async function openContext(config: Config): Promise<MemoryContext> {
  const store = openStore(config);
  try {
    const embedder = await createEmbedder(config.embedder);
    await ensureEmbedderMatches(store, embedder);
    return { store, embedder, now: () => new Date() };
  } catch (error) {
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

/** Opens the store and the embedder, then serves the API until close(). */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const context = await openContext(config);
  const jobs = enableFineMode(context, config, logger);
  const models = new ModelRegistry(config.chatModels);
  const app = createApp({ config, context, models, logger, version: VERSION });
  let server: ServerType;
  try {
    server = await listen(app, config);
  } catch (error) {
    await context.store.close();
    await context.embedder.close();
    throw error;
  }
  jobs?.start();
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    {
      url,
      store: context.store.kind,
      embedder: context.embedder.name,
      models: models.names(),
      extraction: config.extraction?.model ?? null,
      version: VERSION,
    },
    "memcube is serving",
  );
  return {
    url,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      // Jobs still running go back to the queue before the store closes.
      await jobs?.stop();
      await context.embedder.close();
      await context.store.close();
    },
  };
}
