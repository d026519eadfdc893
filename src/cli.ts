import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config/index.js";
import { createEmbedder } from "./embed/index.js";
import { reembedAll } from "./memory/embedder-identity.js";
import { migrateCommand } from "./migrate.js";
import { openStore, startServer } from "./server.js";

const USAGE = `usage: memcube <command> [options]

commands:
  serve [--port N] [--host H] [--insecure-open]
                                serve the API (default 127.0.0.1:8001); without API keys a
                                non-loopback host needs --insecure-open
  reembed                       re-embed every memory with the configured embedder (server stopped)
  migrate --from sqlite:<file> --to postgres:<url>
                                copy a SQLite store into PostgreSQL (resumable; verified by counts)
  help                          this text

Configuration comes from the environment and .env (see README).`;

/** How long SIGTERM/SIGINT wait for requests and streams in flight before cutting them. */
const DRAIN_MS = 10_000;

async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string" }, host: { type: "string" }, "insecure-open": { type: "boolean" } },
  });
  const server = await startServer(
    loadConfig({ PORT: values.port, HOST: values.host, MEMCUBE_INSECURE_OPEN: values["insecure-open"] ? "true" : undefined }),
  );
  const stop = async () => {
    await server.close(DRAIN_MS); // requests and streams in flight finish first
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function reembedCommand(): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config);
  const embedder = await createEmbedder(config.embedder);
  process.stderr.write(`re-embedding with ${embedder.name} (${embedder.dimension} dimensions)\n`);
  const total = await reembedAll(store, embedder, (done) => process.stderr.write(`\r${done} memories re-embedded`));
  process.stderr.write(`\rdone: ${total} memories re-embedded\n`);
  await embedder.close();
  await store.close();
}

async function main(argv: string[]): Promise<void> {
  const [command = "serve", ...rest] = argv;
  switch (command) {
    case "serve":
      return serveCommand(rest);
    case "reembed":
      return reembedCommand();
    case "migrate":
      return migrateCommand(rest);
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

main(process.argv.slice(2)).catch((error: unknown) => {
  // One line for the operator.
  const prefix = error instanceof ConfigError ? "configuration error: " : "";
  process.stderr.write(`memcube: ${prefix}${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
