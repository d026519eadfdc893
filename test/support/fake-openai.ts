/**
 * A fake OpenAI-compatible chat server: the test suite's only LLM. Real HTTP on 127.0.0.1 (random
 * port), real SSE framing, every request recorded, replies scriptable per test.
 *
 *   const llm = await startFakeOpenAI();          // llm.url = "http://127.0.0.1:PORT/v1"
 *   llm.reply({ text: "hi", reasoning: "hmm" });  // every following request, until reset()
 *   llm.failNext(503, undefined, 2);              // the next 2 requests fail, then the script resumes
 *   llm.requests[0].body.model                    // what the client sent
 *   await llm.arrived();                          // resolves when the next request has come in
 *   llm.reset(); await llm.close();
 *
 * Routes: `POST …/chat/completions` (any prefix, so Azure's `/openai/deployments/<model>/…` works
 * too; `stream: true` answers SSE), `GET /v1/models`. Anything else → 404.
 * Default answer: `echo: <last user message>`, so tests can assert what the model was shown.
 */
import http from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./http-body.js";

export interface RecordedBody {
  model?: unknown;
  messages?: { role: string; content: unknown }[];
  stream?: unknown;
  [key: string]: unknown;
}

/** A recorded message's content as text: memcube sends strings; anything else is shown as JSON. */
export const textOf = (content: unknown): string =>
  typeof content === "string" ? content : content === undefined || content === null ? "" : JSON.stringify(content);

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names, as node gives them (`authorization`, `api-key`, …). */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body: RecordedBody | undefined;
  /**
   * Settles when the exchange is over: `completed` when the reply was sent in full, `closed` when
   * the connection ended first (the client aborted, or `breakAfterChunks` cut it).
   */
  outcome: Promise<"completed" | "closed">;
}

export interface ReplyScript {
  /** The answer. A function receives the request body. Default: `echo: <last user message>`. */
  text?: string | ((body: RecordedBody) => string);
  /** Reasoning sent as `reasoning_content` (deltas when streaming, a message field otherwise), before the text. */
  reasoning?: string;
  /** Reasoning put inline at the start of the content as `<think>…</think>\n\n` (R1-distill style). */
  think?: string;
  /** Characters (code points) per streamed delta. Default 8. */
  chunkSize?: number;
  /** Wait before each streamed chunk, and once before a non-streamed answer. Default 0. */
  delayMs?: number;
  /** Streaming only: destroy the socket after this many reasoning/content chunks (0 = right after the headers). */
  breakAfterChunks?: number;
  /**
   * Answer only once this settles: an upstream that stays silent until the test releases it (so
   * that what the test does meanwhile surely happens while the model works).
   */
  holdUntil?: Promise<unknown>;
  /** Never answer (no headers): the request stays open until the client gives up or `close()`. */
  hang?: boolean;
  /**
   * Streaming only: after this many reasoning/content chunks, send nothing more and keep the
   * connection open until the client gives up or `close()` (an upstream that stalls mid-stream),
   * or, with `resumeWhen`, until that settles, and then send the rest (a stream surely in flight
   * while the test does something).
   */
  stallAfterChunks?: number;
  resumeWhen?: Promise<unknown>;
  /**
   * The token counts reported: by default about a token per 4 characters of the prompt's JSON and
   * of the answer; `"none"` reports nothing. Streams report them only when the request asks
   * (`stream_options.include_usage`), in a last chunk without choices, as OpenAI does. A field
   * given as null is sent as null, one left out is left out (as some model servers do).
   */
  usage?: { prompt_tokens?: number | null; completion_tokens?: number | null } | "none";
}

export interface FakeOpenAIOptions extends ReplyScript {
  /** Ids listed by `GET /v1/models`. Default `["fake-model"]`. */
  models?: string[];
}

export interface FakeOpenAI {
  /** Base URL for clients, ending in `/v1`. */
  url: string;
  /** `http://127.0.0.1:PORT`, without `/v1` (e.g. as an Azure endpoint). */
  origin: string;
  /** Every request received since start or the last `reset()`, in arrival order (same array throughout). */
  requests: RecordedRequest[];
  /** Resolves with the next request to arrive after this call (recorded, its answer not yet sent). */
  arrived(): Promise<RecordedRequest>;
  /** Replaces the reply script (merged over the start-up defaults) for all following requests. */
  reply(script: ReplyScript): void;
  /**
   * The next `times` chat requests (default 1) fail with `status` and `body` (an object is sent as
   * JSON, a string as text; default `{"error":{"message":"fake upstream error <status>"}}`).
   */
  failNext(status: number, body?: unknown, times?: number): void;
  /** Back to the start-up script; forgets queued failures and recorded requests. */
  reset(): void;
  /** Stops the server, cutting any open (e.g. hanging) connections. */
  close(): Promise<void>;
}

/** The default answer for a request body. */
export function defaultReply(body: RecordedBody | undefined): string {
  const last = [...(body?.messages ?? [])].reverse().find((message) => message.role === "user");
  const content = last?.content;
  if (typeof content === "string") return `echo: ${content}`;
  if (Array.isArray(content)) {
    const parts = content as { type?: unknown; text?: unknown }[];
    return `echo: ${parts.map((part) => (typeof part.text === "string" ? part.text : "")).join("")}`;
  }
  return "echo: ";
}

// Unref'd: a scripted delay still running after a test (its client gave up) must not hold the process open.
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function pieces(text: string, size: number): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let index = 0; index < points.length; index += size) out.push(points.slice(index, index + size).join(""));
  return out;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const { models = ["fake-model"], ...defaults } = options;
  const requests: RecordedRequest[] = [];
  let script: ReplyScript = { ...defaults };
  let failures: { status: number; body: unknown }[] = [];
  let sequence = 0;
  let waiting: ((request: RecordedRequest) => void)[] = [];

  async function answerChat(res: ServerResponse, body: RecordedBody): Promise<void> {
    const failure = failures.shift();
    if (failure) {
      const payload = failure.body ?? { error: { message: `fake upstream error ${failure.status}`, type: "server_error" } };
      if (typeof payload === "string") {
        res.writeHead(failure.status, { "content-type": "text/plain" });
        res.end(payload);
      } else sendJson(res, failure.status, payload);
      return;
    }
    const current = script;
    if (current.hang) return;
    if (current.holdUntil) await current.holdUntil;

    const text = typeof current.text === "function" ? current.text(body) : (current.text ?? defaultReply(body));
    const content = current.think === undefined ? text : `<think>${current.think}</think>\n\n${text}`;
    const model = typeof body.model === "string" ? body.model : "fake-model";
    const id = `chatcmpl-fake-${++sequence}`;
    const created = Math.floor(Date.now() / 1000);
    const delayMs = current.delayMs ?? 0;
    const promptChars = JSON.stringify(body.messages ?? []).length;
    const counts =
      current.usage === "none" ? undefined : (current.usage ?? { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(content.length / 4) });
    const usage = counts && { ...counts, total_tokens: (counts.prompt_tokens ?? 0) + (counts.completion_tokens ?? 0) };

    if (body.stream !== true) {
      if (delayMs > 0) await wait(delayMs);
      const message = { role: "assistant", content, ...(current.reasoning && { reasoning_content: current.reasoning }) };
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message, finish_reason: "stop" }],
        ...(usage !== undefined && { usage }),
      });
      return;
    }

    let gone = false; // the client closed the connection
    res.on("close", () => (gone = true));
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const frame = (delta: object, finishReason: string | null = null) =>
      new Promise<void>((resolve) => {
        if (gone) return resolve();
        const chunk = { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`, () => resolve());
      });
    const size = Math.max(1, current.chunkSize ?? 8);
    const deltas = [
      ...pieces(current.reasoning ?? "", size).map((piece) => ({ reasoning_content: piece })),
      ...pieces(content, size).map((piece) => ({ content: piece })),
    ];

    await frame({ role: "assistant", content: "" });
    let sent = 0;
    for (const delta of deltas) {
      if (sent === current.stallAfterChunks) {
        if (!current.resumeWhen) return; // open and silent for good
        await current.resumeWhen;
      }
      if (current.breakAfterChunks !== undefined && sent >= current.breakAfterChunks) break;
      if (delayMs > 0) await wait(delayMs);
      if (gone) return;
      await frame(delta);
      sent++;
    }
    if (current.breakAfterChunks !== undefined && sent >= current.breakAfterChunks) {
      res.destroy(); // a failure mid-stream: no finish frame, no [DONE]
      return;
    }
    if (gone) return;
    await frame({}, "stop");
    const options = body.stream_options as { include_usage?: unknown } | undefined;
    if (usage && options?.include_usage === true) {
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`);
    }
    res.end("data: [DONE]\n\n");
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    let body: RecordedBody | undefined;
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : undefined;
      body = typeof parsed === "object" && parsed !== null ? (parsed as RecordedBody) : undefined;
    } catch {
      body = undefined;
    }
    const outcome = new Promise<"completed" | "closed">((resolve) => res.on("close", () => resolve(res.writableFinished ? "completed" : "closed")));
    outcome.catch(() => undefined);
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      outcome,
    };
    requests.push(recorded);
    const waiters = waiting;
    waiting = [];
    for (const resolve of waiters) resolve(recorded);

    if (req.method === "POST" && url.pathname.endsWith("/chat/completions")) {
      if (!body) return sendJson(res, 400, { error: { message: "request body must be a JSON object" } });
      return answerChat(res, body);
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return sendJson(res, 200, {
        object: "list",
        data: models.map((model) => ({ id: model, object: "model", created: 0, owned_by: "fake" })),
      });
    }
    sendJson(res, 404, { error: { message: `no route for ${req.method} ${url.pathname}` } });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/v1`,
    origin,
    requests,
    arrived: () => new Promise<RecordedRequest>((resolve) => waiting.push(resolve)),
    reply(next) {
      script = { ...defaults, ...next };
    },
    failNext(status, body, times = 1) {
      for (let index = 0; index < times; index++) failures.push({ status, body });
    },
    reset() {
      script = { ...defaults };
      failures = [];
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
