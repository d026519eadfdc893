/**
 * Starts a real memcube server on a random loopback port over a real SQLite file in a temporary
 * folder, and gives tests a small JSON client for it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/logger.js";
import { startServer, type RunningServer } from "../../src/server.js";

export interface TestServer {
  url: string;
  dataDir: string;
  /** POSTs JSON (or a raw string body) and returns status, parsed body and headers. */
  post(route: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  get(route: string, headers?: Record<string, string>): Promise<ApiResponse>;
  /** Stops the server; the data folder stays (for restart tests) until `cleanup`. */
  stop(): Promise<void>;
  /** Stops the server and removes its data folder. */
  cleanup(): Promise<void>;
}

/**
 * JSON as a test reads it: arbitrary paths of a wire answer, checked by the assertions themselves.
 * The one `any` of the project (the server code never uses it); tests name this type instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test asserts the wire shape it reads, so typing it up front would assume what the test checks
export type Json = any;

export interface ApiResponse {
  status: number;
  body: Json;
  headers: Headers;
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "memcube-test-"));
}

async function request(url: string, init: RequestInit): Promise<ApiResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (e.g. /docs): keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

export async function startTestServer(env: Record<string, string> = {}, dataDir = tempDataDir(), logger: Logger = createLogger("silent")): Promise<TestServer> {
  const config = parseConfig({ MEMCUBE_DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", ...env });
  let running: RunningServer | undefined = await startServer(config, logger);
  const url = running.url;
  const stop = async () => {
    await running?.close();
    running = undefined;
  };
  return {
    url,
    dataDir,
    post: (route, body, headers = {}) =>
      request(`${url}${route}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    get: (route, headers = {}) => request(`${url}${route}`, { method: "GET", headers }),
    stop,
    cleanup: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The memories of the first (or named) text bucket of a search response. */
export function textHits(body: { data: { text_mem: { cube_id: string; memories: { memory: string }[] }[] } }, cubeId?: string): string[] {
  const bucket = cubeId ? body.data.text_mem.find((entry) => entry.cube_id === cubeId) : body.data.text_mem[0];
  return (bucket?.memories ?? []).map((memory) => memory.memory);
}

/** A series' value in the server's `/metrics` (0 when it was never counted), e.g. `memcube_chat_turns_total{outcome="stored"}`. */
export async function metricValue(server: TestServer, series: string): Promise<number> {
  const text = (await server.get("/metrics")).body as string;
  const line = text.split("\n").find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Waits until a `/metrics` series reaches a value: the event a test waits on instead of a sleep. */
export async function untilMetric(server: TestServer, series: string, atLeast: number): Promise<void> {
  while ((await metricValue(server, series)) < atLeast) await new Promise((resolve) => setTimeout(resolve, 10));
}
