/**
 * Runs the MemOS-shaped probes of memos-probes.ts against a memcube started on loopback (chat
 * models pointed at the fake OpenAI server of test/support) and compares each answer with what
 * MemOS answers: HTTP status, message, and the route's response shape from memos-routes.ts.
 * Shared by scripts/probe-memos-compat.ts (the report) and memos-shapes.test.ts (the guard).
 */
import { type z } from "zod";
import { modelList } from "../support/chat.js";
import { extractionEnv, memories, script } from "../support/extraction.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { ErrorEnvelope, memosRoute, successResponse, type MemosRoute } from "./memos-routes.js";
import { MEMOS_PREFERENCE_PROBES, MEMOS_PROBES, PREFERENCE_TEXT, type Probe, type ProbeContext } from "./memos-probes.js";

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
  const path = (request.path ?? route.path) + (request.query ? `?${new URLSearchParams(request.query).toString()}` : "");
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
    out.add(
      type === undefined
        ? `frame ${JSON.stringify(frame).slice(0, 60)}: not a MemOS frame of this route`
        : `frame type ${JSON.stringify(type)}: not sent by MemOS on this route, or not in its shape`,
    );
  }
  if (frames.length === 0) out.add("no data frames");
  return [...out];
}

/**
 * What differs from MemOS's answer. Where MemOS answers 200, memcube must too, with MemOS's
 * message and shape. Where MemOS refuses (4xx), memcube may refuse or accept (accepting more than
 * MemOS is allowed), but a refusal must be a 4xx in the error envelope, never a 5xx, and not a
 * 404 / 405 (MemOS refuses bad input with 422; a 404 here means a missing route or a missing cube).
 */
function mismatchesOf(route: MemosRoute, probe: Probe, sent: Sent): string[] {
  const expectedStatus = probe.expectStatus ?? 200;
  const said = (sent.json as { message?: unknown } | undefined)?.message;
  const because = typeof said === "string" ? ` (${said.slice(0, 140)})` : "";
  if (expectedStatus !== 200) {
    if (sent.status >= 500 || sent.status === 404 || sent.status === 405) return [`HTTP ${sent.status} where MemOS answers ${expectedStatus}${because}`];
    if (sent.status < 400) return [];
    const code = (sent.json as { code?: unknown } | undefined)?.code;
    const codeMismatch = code === sent.status ? [] : [`error envelope code: ${JSON.stringify(code)} where MemOS repeats the HTTP status ${sent.status}`];
    return [...issuesOf(ErrorEnvelope, sent.json).map((issue) => `error envelope ${issue}`), ...codeMismatch];
  }
  if (sent.status !== 200) return [`HTTP ${sent.status} where MemOS answers 200${because}`];
  if (route.answer === "sse") return streamMismatches(route, sent);
  const schema = successResponse(route, probe.expectMessage ?? route.messages[0]);
  return [...issuesOf(schema, sent.json), ...(probe.check?.(sent.json) ?? [])];
}

export interface ProbeTarget {
  server: TestServer;
  llm: FakeOpenAI;
  context: ProbeContext;
  close(): Promise<void>;
}

/**
 * A fresh memcube (temporary data folder, loopback port) with chat models on the fake model.
 * `preferences`: its extraction model is the fake one too, answering every extraction with one
 * preference (PREFERENCE_TEXT) and one fact, for the preference scenario.
 */
export async function startProbeTarget(options: { preferences?: boolean } = {}): Promise<ProbeTarget> {
  const llm = await startFakeOpenAI();
  if (options.preferences) {
    script(llm, {
      extract: () =>
        memories(
          { memory: PREFERENCE_TEXT, memory_type: "PreferenceMemory", tags: ["travel"] },
          { memory: "The user sleeps badly in loud places.", memory_type: "UserMemory" },
        ),
    });
  }
  const server = await startTestServer({
    CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)),
    BUSINESS_CHAT_KEYS: JSON.stringify(["probe-business-key"]),
    ...(options.preferences ? extractionEnv(llm) : {}),
  });
  return {
    server,
    llm,
    // Each target has its own data folder, so a fixed suffix is unique enough and keeps reports stable.
    context: { memoryIds: [], unique: "r1" },
    close: async () => {
      await server.cleanup();
      await llm.close();
    },
  };
}

/** Sends one probe, lets it note what later probes need, and compares the answer with MemOS's. */
export async function runProbe(target: ProbeTarget, probe: Probe): Promise<ProbeResult> {
  const route = memosRoute(probe.route);
  const sent = await send(target.server, probe, target.context);
  probe.after?.(sent.json, target.context);
  return {
    route: route.id,
    probe: probe.name,
    status: sent.status,
    expectedStatus: probe.expectStatus ?? 200,
    mismatches: mismatchesOf(route, probe, sent),
    ...(probe.deliberate !== undefined && { deliberate: probe.deliberate }),
  };
}

async function runScenario(probes: readonly Probe[], options: { preferences?: boolean }): Promise<ProbeResult[]> {
  const target = await startProbeTarget(options);
  const results: ProbeResult[] = [];
  try {
    for (const probe of probes) results.push(await runProbe(target, probe));
  } finally {
    await target.close();
  }
  return results;
}

/** Every probe, in order: the main scenario on one fresh memcube, the preference one on another. */
export async function runProbes(): Promise<ProbeResult[]> {
  return [...(await runScenario(MEMOS_PROBES, {})), ...(await runScenario(MEMOS_PREFERENCE_PROBES, { preferences: true }))];
}
