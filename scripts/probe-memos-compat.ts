/**
 * Sends MemOS-shaped requests (test/compat/memos-probes.ts: the shapes of MemOS's examples, API
 * tests and evaluation client, with our own values) to a memcube started on loopback over a
 * temporary data folder, and reports per route the HTTP statuses and every field where memcube's
 * answer differs from MemOS's response shape (test/compat/memos-routes.ts).
 *
 *   node --import tsx scripts/probe-memos-compat.ts            # markdown table on stdout
 *   node --import tsx scripts/probe-memos-compat.ts --json     # the raw findings as JSON
 *
 * Chat goes to the fake OpenAI-compatible model of test/support; nothing leaves 127.0.0.1.
 */
import { runProbes, type ProbeResult } from "../test/compat/memos-probe-runner.js";
import { MEMOS_ROUTES } from "../test/compat/memos-routes.js";

function markdown(results: ProbeResult[]): string {
  const lines = ["| route | probes passing | HTTP statuses | field mismatches |", "| --- | --- | --- | --- |"];
  for (const route of MEMOS_ROUTES) {
    const mine = results.filter((result) => result.route === route.id);
    const passing = mine.filter((result) => result.mismatches.length === 0).length;
    const statuses = [...new Set(mine.map((result) => result.status))].join(", ");
    const mismatches = [
      ...new Set(
        mine.flatMap((result) =>
          result.mismatches.map((text) => `${result.probe}: ${text}${result.deliberate ? ` — deliberate: ${result.deliberate}` : ""}`),
        ),
      ),
    ];
    const cell = mismatches.length === 0 ? "—" : mismatches.map((text) => text.replaceAll("|", "\\|")).join("<br>");
    lines.push(`| \`${route.method} ${route.path}\` | ${passing}/${mine.length} | ${statuses} | ${cell} |`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await runProbes();
  process.stdout.write(process.argv.includes("--json") ? `${JSON.stringify(results, null, 2)}\n` : `${markdown(results)}\n`);
}
