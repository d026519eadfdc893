/** `memcube migrate --from sqlite:<file> --to postgres:<url>`: moving a SQLite store into PostgreSQL. */
import path from "node:path";
import { parseArgs } from "node:util";
import { migrateSqliteToPostgres } from "./ops/migrate-store.js";
import { redactUrl } from "./store/postgres/database.js";

const USAGE =
  "usage: memcube migrate --from sqlite:<file> --to postgres:<url>   (e.g. --from sqlite:./data/memcube.db --to postgres:postgres://memcube:…@db:5432/memcube)";

/** A progress bar on stderr, one line per table. */
function progressBar(stream: NodeJS.WriteStream): (table: string, done: number, total: number) => void {
  const width = 30;
  return (table, done, total) => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(share * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    stream.write(`\r  ${table.padEnd(15)} [${bar}] ${String(done).padStart(8)}/${total} ${Math.round(share * 100)}%`);
    if (done >= total) stream.write("\n");
  };
}

export async function migrateCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { from: { type: "string" }, to: { type: "string" } } });
  const from = values.from ?? "";
  const to = values.to ?? "";
  if (!from.startsWith("sqlite:") || from.length === "sqlite:".length) throw new Error(`--from must be sqlite:<file>\n${USAGE}`);
  const url = to.startsWith("postgres:postgres") || to.startsWith("postgres:postgresql") ? to.slice("postgres:".length) : to;
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`--to must be postgres:<url>, the URL starting postgres://\n${USAGE}`);
  const file = path.resolve(from.slice("sqlite:".length));
  process.stderr.write(`copying ${file} into ${redactUrl(url)} (rows already there are skipped)\n`);
  const report = await migrateSqliteToPostgres(file, url, progressBar(process.stderr));
  const short = report.counts.filter((entry) => entry.target < entry.source);
  for (const entry of report.counts) {
    const note = entry.target < entry.source ? "  MISSING ROWS" : entry.target > entry.source ? "  (the target held other rows too)" : "";
    process.stderr.write(`  ${entry.table.padEnd(15)} source ${String(entry.source).padStart(8)}  target ${String(entry.target).padStart(8)}${note}\n`);
  }
  if (short.length > 0) throw new Error(`verification failed: fewer rows in the target for ${short.map((entry) => entry.table).join(", ")}`);
  process.stderr.write(
    `verified: every table's rows are in the target${report.embedder ? ` (vectors by ${report.embedder.name}, ${report.embedder.dimension} dimensions)` : ""}\n`,
  );
}
