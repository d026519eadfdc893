/**
 * Sends MemOS-shaped requests (test/compat/memos-probes.ts: the shapes of MemOS's examples, API
 * tests and evaluation client, with our own values) to a memcube started on loopback over a
 * temporary data folder, and reports per route the HTTP statuses and every field where memcube's
 * answer differs from MemOS's response shape (test/compat/memos-routes.ts).
 *
 *   node --import tsx scripts/probe-memos-compat.ts            # markdown table on stdout
 *   node --import tsx scripts/probe-memos-compat.ts --json     # the raw findings as JSON
 *   node --import tsx scripts/probe-memos-compat.ts --gaps > test/compat/memos-known-gaps.ts
 *                                                              # re-measure the todo list (review the diff)
 *
 * Chat goes to the fake OpenAI-compatible model of test/support; nothing leaves 127.0.0.1.
 */
import { deliberateMismatches, differencesShownBy } from "../test/compat/memos-differences.js";
import { runProbes, type ProbeResult } from "../test/compat/memos-probe-runner.js";
import { MEMOS_ROUTES } from "../test/compat/memos-routes.js";

function markdown(results: ProbeResult[]): string {
  const lines = ["| route | probes passing | HTTP statuses | field mismatches |", "| --- | --- | --- | --- |"];
  for (const route of MEMOS_ROUTES) {
    const mine = results.filter((result) => result.route === route.id);
    // A probe whose only mismatches are its listed deliberate differences passes (memos-shapes.test.ts asserts exactly those).
    const passing = mine.filter((result) => result.mismatches.length === 0 || onlyDeliberate(result)).length;
    const statuses = [...new Set(mine.map((result) => result.status))].join(", ");
    const mismatches = [
      ...new Set(
        mine.flatMap((result) => {
          const listed = onlyDeliberate(result) ? ` — deliberate (${differencesShownBy(`${result.route}: ${result.probe}`).join(", ")})` : "";
          return result.mismatches.map((text) => `${result.probe}: ${text}${listed || (result.deliberate ? ` — deliberate: ${result.deliberate}` : "")}`);
        }),
      ),
    ];
    const cell = mismatches.length === 0 ? "—" : mismatches.map((text) => text.replaceAll("|", "\\|")).join("<br>");
    lines.push(`| \`${route.method} ${route.path}\` | ${passing}/${mine.length} | ${statuses} | ${cell} |`);
  }
  return lines.join("\n");
}

/** Whether a probe's mismatches are exactly those its deliberate differences list (test/compat/memos-differences.ts). */
function onlyDeliberate(result: ProbeResult): boolean {
  const listed = deliberateMismatches(`${result.route}: ${result.probe}`);
  return listed.length === result.mismatches.length && result.mismatches.every((text) => listed.includes(text));
}

/** The probes that do not yet match (beyond their listed deliberate differences), as the source of test/compat/memos-known-gaps.ts. */
function gapsModule(results: ProbeResult[]): string {
  const entries = results
    .filter((result) => result.mismatches.length > 0 && !onlyDeliberate(result))
    .map((result) => {
      const shown = result.mismatches.slice(0, 3).join("; ");
      const more = result.mismatches.length > 3 ? ` (+${result.mismatches.length - 3} more)` : "";
      const today = `${shown}${more}`;
      const text = result.deliberate ? `deliberate difference to build: ${result.deliberate} — today: ${today}` : today;
      return `  ${JSON.stringify(`${result.route}: ${result.probe}`)}:\n    ${JSON.stringify(text)},`;
    });
  return [
    "/**",
    " * The probes memcube does not yet answer as MemOS does, each with what differs (written by",
    " * `scripts/probe-memos-compat.ts --gaps`). memos-shapes.test.ts runs these as `todo`: when a",
    " * change makes one pass, delete its entry (or re-measure) so the test guards it from then on.",
    " * Keys are `<route id>: <probe name>` (test/compat/memos-probes.ts).",
    " */",
    "export const MEMOS_KNOWN_GAPS: Readonly<Record<string, string>> = {",
    ...entries,
    "};",
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await runProbes();
  const output = process.argv.includes("--json")
    ? `${JSON.stringify(results, null, 2)}\n`
    : process.argv.includes("--gaps")
      ? gapsModule(results)
      : `${markdown(results)}\n`;
  process.stdout.write(output);
}
