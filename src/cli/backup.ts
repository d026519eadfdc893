import { parseArgs } from "node:util";
import type { Config } from "../config/index.js";
import { backupSqlite, restoreSqlite, type BackupSummary } from "../ops/backup.js";
import type { CliIO } from "./remote.js";
import { UsageError } from "./remote.js";

const POSTGRES = "MEMCUBE_STORE=postgres: back up and restore PostgreSQL with pg_dump and pg_restore (see README, Operations)";

const describe = (summary: BackupSummary) => `${summary.file}: ${summary.cubes} cubes, ${summary.memories} memories, ${summary.bytes} bytes`;

/** `memcube backup <file>`: a consistent copy of the SQLite store, taken while the server serves. */
export async function backupCommand(args: string[], io: Pick<CliIO, "stdout">, config: Config): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError("usage: memcube backup <file>");
  if (config.store === "postgres") throw new Error(POSTGRES);
  const summary = await backupSqlite(config.dataDir, positionals[0] as string);
  io.stdout.write(`backed up ${describe(summary)}\n`);
}

/** `memcube restore <file> [--force]`: a backup into MEMCUBE_DATA_DIR (server stopped). */
export async function restoreCommand(args: string[], io: Pick<CliIO, "stdout">, config: Config): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { force: { type: "boolean" } } });
  if (positionals.length !== 1) throw new UsageError("usage: memcube restore <file> [--force]");
  if (config.store === "postgres") throw new Error(POSTGRES);
  const summary = await restoreSqlite(positionals[0] as string, config.dataDir, { force: values.force ?? false });
  io.stdout.write(`restored ${describe(summary)}\n`);
}
