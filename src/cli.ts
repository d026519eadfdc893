import cluster from "node:cluster";
import { parseArgs } from "node:util";
import { checkExposure } from "./api/auth/exposure.js";
import { runPrimary } from "./cluster.js";
import { ConfigError, loadConfig } from "./config/index.js";
import { loadEnv } from "./config/env.js";
import { createEmbedder } from "./embed/index.js";
import { reembedAll } from "./memory/embedder-identity.js";
import { createLogger } from "./logger.js";
import { chatCommand } from "./cli/chat.js";
import { backupCommand, restoreCommand } from "./cli/backup.js";
import { jobsCommand } from "./cli/jobs.js";
import { mcpCommand, type LocalMemory } from "./cli/mcp.js";
import { keysCommand } from "./cli/keys.js";
import { progressBar } from "./cli/progress.js";
import { countMemoryTexts } from "./cli/reembed.js";
import { UsageError, addCommand, exportCommand, importCommand, searchCommand, standardIO } from "./cli/remote.js";
import { importDocsCommand } from "./cli/import-docs.js";
import { migrateCommand } from "./migrate.js";
import { documentSettings, openContext, openStore, startServer } from "./server.js";
import { ModelRegistry } from "./llm/registry.js";
import { enableFineMode } from "./memory/jobs/fine-mode.js";
import { domainPort } from "./mcp/domain-port.js";
import { mcpFilterParser } from "./api/routes/mcp.js";
import { VERSION } from "./version.js";

const USAGE = `usage: memcube <command> [options]

commands:
  serve [--port N] [--host H] [--insecure-open] [--workers N]
                                serve the API (default 127.0.0.1:8001); without API keys a
                                non-loopback host needs --insecure-open; --workers N forks N
                                server processes on one port and one store (default 1)
  reembed                       re-embed every memory with the configured embedder (server stopped)
  migrate --from sqlite:<file> --to postgres:<url>
                                copy a SQLite store into PostgreSQL (resumable; verified by counts)
  chat [--model M] [--session S] [--cube C]
                                interactive chat with streaming answers, against a running server
  add <text> [--cube C] [--session S] [--role R]
                                remember a message
  search <query> [--cube C] [--top-k N] [--json]
                                search memories
  import <file.jsonl> [--cube C] [--batch N]
                                add messages, one JSON object a line ({"role","content",…})
  import-docs <file or folder>... [--cube C] [--session S] [--tag T]
                                add documents (PDF, DOCX, HTML, Markdown, JSON, CSV, text),
                                skipping files the cube holds unchanged
  export <cube> [--out file.jsonl]
                                write a cube's memories as JSONL (stdout by default)
  mcp --user U [--read-only] [--url URL [--api-key K]]
                                the MCP server on stdio for agents (Claude, Cursor, IDEs):
                                on the local store, or through a running server with --url
                                (there a user's --api-key stands for --user)
                                client commands take --url (MEMCUBE_URL, default
                                http://127.0.0.1:8001), --user (MEMCUBE_USER) and
                                --api-key (MEMCUBE_API_KEY)
  jobs list [--limit N] [--json] | jobs retry <task_id> | jobs drop <task_id>
                                parked jobs (fine mode) in the configured store: list them with
                                their errors, queue one again, or delete it
  keys add <user_id|*> [--read-only] | keys revoke <id> | keys list [--json]
                                edit the keys file (MEMCUBE_API_KEYS_FILE, or --file F): add
                                prints a new key once and stores its SHA-256 only; a running
                                server reloads the file on SIGHUP
  backup <file>                 copy the SQLite store to a new file, consistent while serving
  restore <file> [--force]      put a backup into MEMCUBE_DATA_DIR (server stopped); refuses a
                                store that holds memories unless --force
  help                          this text

Configuration comes from the environment and .env (see README).`;

/** How long SIGTERM/SIGINT wait for requests and streams in flight before cutting them. */
const DRAIN_MS = 10_000;
/**
 * After the drain, what is cut is aborted (embedding included) and the process exits within
 * moments; should anything still hold it this much later, it exits anyway (committed writes are
 * durable, and an add is written whole or not at all).
 */
const EXIT_MARGIN_MS = 5_000;

async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string" }, host: { type: "string" }, "insecure-open": { type: "boolean" }, workers: { type: "string" } },
  });
  const config = loadConfig({ PORT: values.port, HOST: values.host, MEMCUBE_INSECURE_OPEN: values["insecure-open"] ? "true" : undefined });
  const workers = parseWorkers(values.workers);
  // Each server process runs its own encoder threads: they share the cores.
  if (config.embedder.backend === "local") config.embedder.processes = workers;
  if (workers > 1 && cluster.isPrimary) {
    checkExposure(config); // a configuration error stops the primary before any worker starts
    process.exit(await runPrimary({ workers, logger: createLogger(config.logLevel), stopWithinMs: DRAIN_MS + EXIT_MARGIN_MS }));
  }
  // Installed before start-up so that an early SIGHUP does not end the process (Node's default).
  // One that arrives while starting came after the keys file was read: it is carried out once serving.
  // eslint-disable-next-line prefer-const -- the handler above may run before start-up assigns it: a const there would be in its temporal dead zone
  let reload: (() => Promise<boolean>) | undefined;
  let reloadWhenServing = false;
  process.on("SIGHUP", () => {
    if (reload) void reload();
    else reloadWhenServing = true;
  });
  const server = await startServer(config);
  reload = server.reloadKeys;
  if (reloadWhenServing) void reload();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const backstop = setTimeout(() => {
      process.stderr.write(`memcube: still not stopped ${(DRAIN_MS + EXIT_MARGIN_MS) / 1000} s after the signal; exiting\n`);
      process.exit(1);
    }, DRAIN_MS + EXIT_MARGIN_MS);
    backstop.unref();
    await server.close(DRAIN_MS); // requests and streams in flight finish first
    process.exit(0);
  };
  // Not `once`: under `npm start`, Ctrl-C reaches the server twice (from the terminal, and passed on
  // by npm), and a second signal without a listener would end the process before it has drained.
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

/** `--workers N`: 1 to 64 server processes. */
function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > 64) throw new ConfigError("--workers", `expected a whole number from 1 to 64, got '${value}'`);
  return workers;
}

async function reembedCommand(): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config);
  const embedder = await createEmbedder(config.embedder);
  process.stderr.write(`re-embedding with ${embedder.name} (${embedder.dimension} dimensions)\n`);
  const bar = progressBar("re-embedding", await countMemoryTexts(store));
  const total = await reembedAll(store, embedder, (done) => bar.update(done));
  bar.finish(`done: ${total} memories re-embedded`);
  await embedder.close();
  await store.close();
}

/** `memcube mcp` without --url: the configured store, models and fine-mode jobs in this process; logs on stderr (stdout is the protocol's). */
async function openLocalMemory(userId: string, readOnly: boolean): Promise<LocalMemory> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, process.stderr);
  const context = await openContext(config);
  const { cubeMaxMemories: maxMemories, cubeMaxBytes: maxBytes } = config.quotas;
  if (maxMemories > 0 || maxBytes > 0) context.cubeQuota = { maxMemories, maxBytes };
  // add_document reads files under the same limits as the server's /product/add.
  context.documents = documentSettings(config);
  // As in the server: the default cube of each key's user is theirs alone, here too.
  if (config.apiKeys) context.reservedCubes = new Set(config.apiKeys.flatMap(({ actor }) => (actor === "*" ? [] : [actor])));
  const jobs = enableFineMode(context, config, logger);
  jobs?.start();
  const chat = { memory: context, models: new ModelRegistry(config.chatModels) };
  const port = domainPort({ context, limits: config.limits, chat, parseFilter: mcpFilterParser }, userId, { readOnly });
  return {
    port,
    close: async () => {
      await jobs?.stop();
      await context.embedder.close();
      await context.store.close();
    },
  };
}

const logToStderr = (error: unknown, what: string) =>
  process.stderr.write(`memcube mcp: ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);

async function main(argv: string[]): Promise<void> {
  const [command = "serve", ...rest] = argv;
  switch (command) {
    case "serve":
      return serveCommand(rest);
    case "reembed":
      return reembedCommand();
    case "migrate":
      return migrateCommand(rest);
    case "chat":
      return chatCommand(rest, standardIO());
    case "add":
      return addCommand(rest, standardIO());
    case "search":
      return searchCommand(rest, standardIO());
    case "import":
      return importCommand(rest, standardIO());
    case "import-docs":
      return importDocsCommand(rest, standardIO());
    case "export":
      return exportCommand(rest, standardIO());
    case "mcp":
      return mcpCommand(rest, standardIO(), { openLocal: openLocalMemory, version: VERSION, log: logToStderr });
    case "jobs":
      return jobsCommand(rest, standardIO(), () => openStore(loadConfig()));
    case "keys":
      return keysCommand(rest, { ...standardIO(), env: loadEnv() });
    case "backup":
      return backupCommand(rest, standardIO(), loadConfig());
    case "restore":
      return restoreCommand(rest, standardIO(), loadConfig());
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      process.stderr.write(`memcube: unknown command '${command}'\n${USAGE}\n`);
      process.exit(2);
  }
}

// `memcube keys list | head`: a reader that stops early is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

main(process.argv.slice(2)).catch((error: unknown) => {
  // One line for the operator.
  const prefix = error instanceof ConfigError ? "configuration error: " : "";
  if (error instanceof UsageError) {
    process.stderr.write(`memcube: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`memcube: ${prefix}${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
