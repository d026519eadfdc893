/**
 * Clients that leave are not server errors: a body cut off mid-way, or a non-streamed chat left
 * before its answer, is an info line "client closed request" with status 499 (in the log and in
 * /metrics), never an error-level "request failed" with a stack nor a 500 a user could raise at will.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { createLogger } from "../../src/logger.js";
import { modelList } from "../support/chat.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestServer, type TestServer } from "../support/server.js";

interface LogEntry {
  level: number;
  msg: string;
  status?: number;
  path?: string;
  err?: { stack?: string };
  [key: string]: unknown;
}

/** Every log line, and a way to wait for the first one (from some point on) that matches. */
function capturedLog() {
  const entries: LogEntry[] = [];
  const waiters: { from: number; match: (entry: LogEntry) => boolean; resolve: (entry: LogEntry) => void }[] = [];
  const stream = {
    write(line: string) {
      const entry = JSON.parse(line) as LogEntry;
      entries.push(entry);
      for (const waiter of [...waiters]) {
        if (waiter.match(entry)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
      }
    },
  };
  const next = (match: (entry: LogEntry) => boolean, from = entries.length): Promise<LogEntry> => {
    const seen = entries.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ from, match, resolve }));
  };
  return { entries, stream, next };
}

const log = capturedLog();
let llm: FakeOpenAI;
let server: TestServer;

before(async () => {
  llm = await startFakeOpenAI();
  server = await startTestServer({ CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)) }, undefined, createLogger("info", log.stream));
});
after(async () => {
  await server.cleanup();
  await llm.close();
});

const ERROR_LEVEL = 50;

/** The requests counter of /metrics for one route and status (0 when never counted). */
async function requestsCounted(route: string, status: number): Promise<number> {
  const text = (await server.get("/metrics")).body as string;
  const line = text.split("\n").find((entry) => entry.startsWith(`memcube_http_requests_total{method="POST",route="${route}",status="${status}"}`));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

/** The log lines of one request: from its first line to its "request" line. */
async function requestLines(from: number, path: string): Promise<{ closed: LogEntry; request: LogEntry; lines: LogEntry[] }> {
  const request = await log.next((entry) => entry.msg === "request" && entry.path === path, from);
  const lines = log.entries.slice(from).filter((entry) => entry.requestId === request.requestId);
  const closed = lines.find((entry) => entry.msg === "client closed request");
  assert.ok(closed, `an info line "client closed request": ${JSON.stringify(lines)}`);
  return { closed, request, lines };
}

function assertClientClosed(result: { closed: LogEntry; request: LogEntry; lines: LogEntry[] }): void {
  assert.equal(result.closed.level, 30, "at info");
  assert.equal(result.closed.status, 499);
  assert.equal(result.request.status, 499, "the request line says 499");
  assert.deepEqual(
    result.lines.filter((entry) => entry.level >= ERROR_LEVEL),
    [],
    "no error-level line",
  );
  assert.ok(
    result.lines.every((entry) => entry.err?.stack === undefined),
    "no stack",
  );
}

/** Opens a raw connection, sends the headers and half of the body (announced, or chunked), then closes it. */
function sendHalfABody(path: string, framing: "content-length" | "chunked" = "content-length"): Promise<void> {
  const body = JSON.stringify({ user_id: "half", messages: "a message that is never sent to its end" });
  const half = body.slice(0, Math.floor(body.length / 2));
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`;
      const rest =
        framing === "chunked"
          ? `Transfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(half).toString(16)}\r\n${half}\r\n`
          : `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${half}`;
      socket.write(head + rest, () => {
        socket.destroy();
        resolve();
      });
    });
    socket.on("error", reject);
  });
}

// A safety net, not a measurement: without the fix the awaited log line never comes.
describe("a client that leaves", { timeout: 30_000 }, () => {
  test("mid-body: info 'client closed request', 499 in the log and in /metrics, nothing stored", async () => {
    const counted = await requestsCounted("/product/add", 499);
    const from = log.entries.length;
    await sendHalfABody("/product/add");
    assertClientClosed(await requestLines(from, "/product/add"));
    assert.equal(await requestsCounted("/product/add", 499), counted + 1);
    assert.equal(await requestsCounted("/product/add", 500), 0);
    const stored = await server.post("/product/exist_mem_cube_id", { user_id: "half", mem_cube_id: "half" });
    assert.equal(stored.body.data.half, false);
  });

  test("mid-body of a chunked body (read by the body limit): the same", async () => {
    const from = log.entries.length;
    await sendHalfABody("/product/search", "chunked");
    assertClientClosed(await requestLines(from, "/product/search"));
    assert.equal(await requestsCounted("/product/search", 500), 0);
  });

  test("mid-body on /v1/chat/completions too", async () => {
    const from = log.entries.length;
    await sendHalfABody("/v1/chat/completions");
    assertClientClosed(await requestLines(from, "/v1/chat/completions"));
    assert.equal(await requestsCounted("/v1/chat/completions", 500), 0);
  });

  /** Starts a chat whose model answers only after a long delay, and leaves once the model has the request. */
  async function leaveWhileTheModelThinks(send: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
    let arrived!: () => void;
    const atModel = new Promise<void>((resolve) => (arrived = resolve));
    llm.reply({
      text: () => {
        arrived();
        return "an answer nobody waits for";
      },
      delayMs: 600_000,
    });
    const controller = new AbortController();
    const sent = send(controller.signal).catch((error: unknown) => error);
    await atModel;
    controller.abort();
    await sent;
  }

  test("a stream left mid-way (/product/chat/stream, /v1 with stream): the same info line, no error", async () => {
    const requests: [string, unknown][] = [
      ["/product/chat/stream", { user_id: "stream-leaver", query: "tell me a long story" }],
      ["/v1/chat/completions", { user: "stream-leaver", stream: true, messages: [{ role: "user", content: "tell me a long story" }] }],
    ];
    for (const [path, body] of requests) {
      llm.reply({ text: "a long streamed answer that nobody reads to the end", chunkSize: 2, delayMs: 20 });
      const from = log.entries.length;
      const controller = new AbortController();
      const response = await fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // the first frame
      controller.abort();
      const closed = await log.next((entry) => entry.msg === "client closed request", from);
      assert.equal(closed.level, 30, path);
      const lines = log.entries.slice(from).filter((entry) => entry.requestId === closed.requestId);
      assert.deepEqual(
        lines.filter((entry) => entry.level >= ERROR_LEVEL),
        [],
        `${path}: no error-level line`,
      );
    }
    llm.reset();
  });

  test("a non-streamed /product/chat/complete: 499 at info, not a 500", async () => {
    const counted = await requestsCounted("/product/chat/complete", 499);
    const from = log.entries.length;
    await leaveWhileTheModelThinks((signal) =>
      fetch(`${server.url}/product/chat/complete`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user_id: "leaver", query: "what do you know about me?", model_name_or_path: "deepseek-r1" }),
        signal,
      }),
    );
    assertClientClosed(await requestLines(from, "/product/chat/complete"));
    assert.equal(await requestsCounted("/product/chat/complete", 499), counted + 1);
    assert.equal(await requestsCounted("/product/chat/complete", 500), 0);
  });

  test("a non-streamed /v1/chat/completions: 499 at info, not a 500", async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const counted = await requestsCounted("/v1/chat/completions", 499);
    const from = log.entries.length;
    await leaveWhileTheModelThinks((signal) =>
      openai.chat.completions.create({ model: "deepseek-r1", user: "oa-leaver", messages: [{ role: "user", content: "hello?" }] }, { signal }),
    );
    assertClientClosed(await requestLines(from, "/v1/chat/completions"));
    assert.equal(await requestsCounted("/v1/chat/completions", 499), counted + 1);
    assert.equal(await requestsCounted("/v1/chat/completions", 500), 0);
    llm.reset();
  });
});
