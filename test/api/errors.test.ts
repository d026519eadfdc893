/**
 * Failures inside handlers: whatever breaks below the API (the store, a library, a non-Error
 * throw), the client gets the envelope with a request id, never a stack trace or internals; the log
 * gets the details.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { createApp } from "../../src/api/app.js";
import type { App } from "../../src/api/app-env.js";
import { parseConfig } from "../../src/config/index.js";
import { ModelRegistry } from "../../src/llm/registry.js";
import { createLogger } from "../../src/logger.js";
import type { MemoryContext } from "../../src/memory/context.js";
import { openContext } from "../../src/server.js";
import { modelList } from "../support/chat.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { tempDataDir } from "../support/server.js";

const INTERNALS = "SQLITE_CORRUPT: database disk image is malformed in /srv/memcube/secret-path.db";
const LEAKS = /SQLITE|secret-path|\.ts:\d+|node_modules|\n\s+at |TypeError|stack/;

let llm: FakeOpenAI;
let context: MemoryContext;
let app: App;
const dataDir = tempDataDir();
const logLines: string[] = [];
/** Store methods that fail, and what they throw. */
const failing = new Map<string, () => unknown>();

before(async () => {
  llm = await startFakeOpenAI();
  const config = parseConfig({ MEMCUBE_DATA_DIR: dataDir, CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)) });
  context = await openContext(config);
  const real = context.store;
  const store = new Proxy(real, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const failure = failing.get(String(property));
        if (failure) throw failure();
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const logger = createLogger("info", { write: (line: string) => void logLines.push(line) });
  app = createApp({ config, context: { ...context, store }, models: new ModelRegistry(config.chatModels), logger, version: "test" });
  const seeded = await app.request("/product/add", { method: "POST", body: JSON.stringify({ user_id: "u", messages: "I like green tea" }) });
  assert.equal(seeded.status, 200);
});
after(async () => {
  await context.store.close();
  await context.embedder.close();
  await llm.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(path: string, body?: unknown): Promise<{ status: number; text: string; requestId: string | null }> {
  const response = await app.request(path, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  return { status: response.status, text: await response.text(), requestId: response.headers.get("x-request-id") };
}

function assertInternalError(result: { status: number; text: string; requestId: string | null }, label: string): void {
  assert.equal(result.status, 500, `${label}: ${result.text}`);
  assert.doesNotMatch(result.text, LEAKS, label);
  const body = JSON.parse(result.text);
  assert.deepEqual(body, { code: 500, message: `internal server error (request id ${result.requestId})`, data: null, request_id: result.requestId });
}

const CASES: [string, string, () => unknown, string, unknown?][] = [
  ["an Error with internals from the store", "searchKeywords", () => new Error(INTERNALS), "/product/search", { user_id: "u", query: "green tea" }],
  [
    "a TypeError while writing",
    "addConversation",
    () => new TypeError(`Cannot read properties of undefined (${INTERNALS})`),
    "/product/add",
    { user_id: "u", messages: "x" },
  ],
  ["a thrown string", "getCube", () => `raw string with ${INTERNALS}`, "/product/add", { user_id: "new-user", messages: "x" }],
  ["a thrown object without a prototype", "accessOf", () => Object.create(null), "/product/get_all", { user_id: "u" }],
  ["a failure on a GET route", "getMemory", () => new Error(INTERNALS), `/product/get_memory/${crypto.randomUUID()}?user_id=u`],
  ["a failure on the scheduler", "listJobs", () => new Error(INTERNALS), "/product/scheduler/status?user_id=u"],
  ["a failure before a chat answer", "accessOf", () => new Error(INTERNALS), "/product/chat/complete", { user_id: "u", query: "tea?" }],
  ["a failure before a chat stream", "accessOf", () => new Error(INTERNALS), "/product/chat/stream", { user_id: "u", query: "tea?" }],
];

describe("errors inside handlers", () => {
  for (const [name, method, failure, path, body] of CASES) {
    test(`${name} → 500 with the envelope and the request id, details only in the log`, async () => {
      failing.set(method, failure);
      const logged = logLines.length;
      try {
        assertInternalError(await call(path, body), name);
      } finally {
        failing.clear();
      }
      const line = logLines
        .slice(logged)
        .map((text) => JSON.parse(text))
        .find((entry) => entry.level === 50);
      assert.ok(line, "the error was logged");
      assert.ok(typeof line.err?.stack === "string" && line.err.stack.length > 0, "with its stack");
      assert.equal(typeof line.requestId, "string");
    });
  }

  test("a failure after the stream started → an error frame without internals, then the end of the response", async () => {
    failing.set("recentMemories", () => new Error(INTERNALS));
    try {
      const result = await app.request("/product/chat/stream", { method: "POST", body: JSON.stringify({ user_id: "u", query: "tea?" }) });
      assert.equal(result.status, 200);
      const text = await result.text();
      assert.doesNotMatch(text, LEAKS);
      const frames = text
        .split("\n\n")
        .filter(Boolean)
        .map((block) => JSON.parse(block.replace(/^data: /, "")));
      const requestId = result.headers.get("x-request-id");
      assert.deepEqual(frames.at(-1), {
        type: "error",
        data: `internal server error (request id ${requestId})`,
        content: `internal server error (request id ${requestId})`,
      });
    } finally {
      failing.clear();
    }
  });

  test("the server keeps answering afterwards", async () => {
    const result = await call("/product/search", { user_id: "u", query: "green tea" });
    assert.equal(result.status, 200);
    assert.match(result.text, /I like green tea/);
  });
});
