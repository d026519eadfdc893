/**
 * Sends MemOS-shaped requests (built from test/compat/memos-routes.ts, in the shapes of MemOS's
 * examples, API tests and evaluation client, with our own values) to a memcube started on
 * loopback over a temporary data folder, and reports per route: the HTTP statuses, and every
 * field where memcube's answer differs from MemOS's response shape.
 *
 *   node --import tsx scripts/probe-memos-compat.ts            # markdown table on stdout
 *   node --import tsx scripts/probe-memos-compat.ts --json     # the raw findings as JSON
 *
 * Chat goes to the fake OpenAI-compatible model of test/support; nothing leaves 127.0.0.1.
 */
import { z } from "zod";
import { modelList } from "../test/support/chat.js";
import { startFakeOpenAI } from "../test/support/fake-openai.js";
import { startTestServer, type TestServer } from "../test/support/server.js";
import { ErrorEnvelope, MEMOS_ROUTES, memosRoute, successResponse, type MemosRoute } from "../test/compat/memos-routes.js";
import { MEMOS_PROBES, type Probe, type ProbeContext } from "../test/compat/memos-probes.js";

export interface ProbeResult {
  route: string;
  probe: string;
  status: number;
  expectedStatus: number;
  /** Field-level differences from MemOS's answer, e.g. `data.text_mem[].memories[].ref_id: …`. */
  mismatches: string[];
  /** Issue 17's decided difference for this probe, if any. */
  deliberate?: string;
}

/** `a.0.b.3` → `a[].b[]`: one mismatch per field, not per array element. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[]` : text ? `${text}.${String(key)}` : String(key)), "");
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), value);
}

/** One line per differing field; a key memcube leaves out reads "missing", not zod's type talk. */
export function issuesOf(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  const lines = result.error.issues.map((issue) => {
    const where = fieldPath(issue.path) || "(body)";
    const absent = issue.path.length > 0 && valueAt(value, issue.path) === undefined;
    return `${where}: ${absent ? "missing (MemOS always sends it)" : issue.message}`;
  });
  return [...new Set(lines)];
}

interface Sent {
  status: number;
  contentType: string;
  json: unknown;
  text: string;
}

async function send(server: TestServer, probe: Probe, context: ProbeContext): Promise<Sent> {
  const route = memosRoute(probe.route);
  const request = probe.request(context);
  const path = (request.path ?? route.path) + (request.query ? `?${new URLSearchParams(request.query)}` : "");
  const init: RequestInit = { method: route.method, headers: { "content-type": "application/json", ...request.headers } };
  if (route.method === "POST" && request.body !== undefined) init.body = JSON.stringify(request.body);
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", json, text };
}

/** SSE answers: every frame must be one of the route's frame shapes. */
function streamMismatches(route: MemosRoute, sent: Sent): string[] {
  if (!sent.contentType.startsWith("text/event-stream")) return [`content-type: expected text/event-stream, got ${sent.contentType || "none"}`];
  const frames = sent.text
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data:"));
  const out = new Set<string>();
  for (const block of frames) {
    let frame: unknown;
    try {
      frame = JSON.parse(block.slice("data:".length));
    } catch {
      out.add(`frame is not JSON: ${block.slice(0, 60)}`);
      continue;
    }
    if (!route.frame || route.frame.safeParse(frame).success) continue;
    const type = (frame as { type?: unknown } | null)?.type;
    out.add(type === undefined ? `frame ${JSON.stringify(frame).slice(0, 60)}: not a MemOS frame of this route` : `frame type ${JSON.stringify(type)}: not sent by MemOS on this route, or not in its shape`);
  }
  if (frames.length === 0) out.add("no data frames");
  return [...out];
}

function mismatchesOf(route: MemosRoute, probe: Probe, sent: Sent): string[] {
  const expectedStatus = probe.expectStatus ?? 200;
  const out: string[] = [];
  if (sent.status !== expectedStatus) {
    const said = (sent.json as { message?: unknown } | undefined)?.message;
    out.push(`HTTP ${sent.status} where MemOS answers ${expectedStatus}${typeof said === "string" ? ` (${said.slice(0, 140)})` : ""}`);
    return out;
  }
  if (expectedStatus !== 200) return issuesOf(ErrorEnvelope, sent.json).map((issue) => `error envelope ${issue}`);
  if (route.answer === "sse") return streamMismatches(route, sent);
  const schema = successResponse(route, probe.expectMessage ?? route.messages[0]);
  out.push(...issuesOf(schema, sent.json));
  if (probe.check) out.push(...probe.check(sent.json));
  return out;
}

export async function runProbes(): Promise<ProbeResult[]> {
  const llm = await startFakeOpenAI();
  const server = await startTestServer({
    CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)),
    BUSINESS_CHAT_KEYS: JSON.stringify(["probe-business-key"]),
  });
  const context: ProbeContext = { memoryIds: [], unique: `p${process.pid}` };
  const results: ProbeResult[] = [];
  try {
    for (const probe of MEMOS_PROBES) {
      const route = memosRoute(probe.route);
      const sent = await send(server, probe, context);
      probe.after?.(sent.json, context);
      results.push({
        route: route.id,
        probe: probe.name,
        status: sent.status,
        expectedStatus: probe.expectStatus ?? 200,
        mismatches: mismatchesOf(route, probe, sent),
        ...(probe.deliberate !== undefined && { deliberate: probe.deliberate }),
      });
    }
  } finally {
    await server.cleanup();
    await llm.close();
  }
  return results;
}

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
