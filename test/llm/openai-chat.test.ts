import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseChatModelList } from "../../src/config/chat-models.js";
import type { ChatDelta, ChatModel } from "../../src/llm/chat-model.js";
import { UpstreamError } from "../../src/llm/errors.js";
import { ModelRegistry } from "../../src/llm/registry.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";

const KEY = "sk-test-SECRET-abcdef123456";
const OTHER_KEY = "sk-other-SECRET-987654";
const FAST_RETRY = { retry: { baseDelayMs: 5, maxDelayMs: 20 } };

let fake: FakeOpenAI;
before(async () => {
  fake = await startFakeOpenAI();
});
after(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

/** A model from one `CHAT_MODEL_LIST` entry pointing at the fake server. */
function model(fields: Record<string, unknown> = {}, name?: string): ChatModel {
  const entries = parseChatModelList(
    JSON.stringify([{ backend: "qwen", api_base: fake.url, api_key: KEY, model_name_or_path: "base-model", support_models: ["chat-model"], ...fields }]),
  );
  return new ModelRegistry(entries, FAST_RETRY).resolve(name);
}

const ask = (text: string) => [
  { role: "system" as const, content: "Be brief." },
  { role: "user" as const, content: text },
];

async function collect(stream: AsyncIterable<ChatDelta>): Promise<ChatDelta[]> {
  const out: ChatDelta[] = [];
  for await (const delta of stream) out.push(delta);
  return out;
}

const joined = (deltas: ChatDelta[], type: ChatDelta["type"]) =>
  deltas
    .filter((delta) => delta.type === type)
    .map((delta) => delta.text)
    .join("");

/** Awaits a rejection and returns the error, for several assertions on it. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/**
 * Guards the tests whose failure would be a hang (an abort or timeout that never takes effect waits
 * on an upstream that never answers, or on an hour's backoff): far from anything they wait for.
 */
const HANG_GUARD = { timeout: 60_000 };

describe("what is sent upstream", () => {
  test("the support_models name as model, the entry's key, the messages", async () => {
    const answer = await model().complete(ask("hello there"));
    assert.deepEqual(answer.text, "echo: hello there");
    assert.equal(answer.reasoning, null);
    assert.ok(answer.usage && answer.usage.promptTokens > 0);
    const [request] = fake.requests;
    assert.equal(request?.method, "POST");
    assert.equal(request?.path, "/v1/chat/completions");
    assert.equal(request?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(request?.body?.model, "chat-model");
    assert.equal(request?.body?.stream, false);
    assert.deepEqual(request?.body?.messages, ask("hello there"));
  });

  test("model_name_or_path selects the entry and is sent as itself", async () => {
    await model({}, "base-model").complete(ask("x"));
    assert.equal(fake.requests[0]?.body?.model, "base-model");
  });

  test("each entry uses its own key", async () => {
    const registry = new ModelRegistry(
      parseChatModelList(
        JSON.stringify([
          { api_base: fake.url, api_key: KEY, model_name_or_path: "one" },
          { backend: "deepseek", api_base: fake.url, api_key: OTHER_KEY, model_name_or_path: "two", support_models: ["two-alias"] },
        ]),
      ),
      FAST_RETRY,
    );
    await registry.resolve("two-alias").complete(ask("x"));
    await registry.resolve().complete(ask("y"));
    assert.equal(fake.requests[0]?.headers.authorization, `Bearer ${OTHER_KEY}`);
    assert.equal(fake.requests[0]?.body?.model, "two-alias");
    assert.equal(fake.requests[1]?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(fake.requests[1]?.body?.model, "one");
  });

  test("a keyless local backend sends no Authorization header", async () => {
    await model({ backend: "ollama", api_key: "" }).complete(ask("x"));
    assert.equal(fake.requests[0]?.headers.authorization, undefined);
  });

  test("extra_body fields go at the top level of the body", async () => {
    const m = model({ extra_body: { enable_thinking: false, chat_template_kwargs: { thinking: true } } });
    await m.complete(ask("x"));
    await collect(m.stream(ask("y")));
    for (const request of fake.requests) {
      assert.equal(request.body?.enable_thinking, false);
      assert.deepEqual(request.body?.chat_template_kwargs, { thinking: true });
    }
  });

  test("sampling parameters are sent only when set; the request overrides the entry", async () => {
    await model().complete(ask("x"));
    const bare = fake.requests[0]?.body ?? {};
    assert.ok(!("temperature" in bare) && !("max_tokens" in bare) && !("top_p" in bare));

    const configured = model({ temperature: 0.2, max_tokens: 100, top_p: 0.5 });
    await configured.complete(ask("x"));
    assert.deepEqual(pick(fake.requests[1]?.body), { temperature: 0.2, max_tokens: 100, top_p: 0.5 });

    await configured.complete(ask("x"), { temperature: 0.9, maxTokens: 7 });
    assert.deepEqual(pick(fake.requests[2]?.body), { temperature: 0.9, max_tokens: 7, top_p: 0.5 });

    await model().complete(ask("x"), { topP: 0.1 });
    assert.deepEqual(pick(fake.requests[3]?.body), { top_p: 0.1 });
  });

  test("azure: deployment path, api-version query, api-key header", async () => {
    const m = model({ backend: "azure", api_base: fake.origin, api_version: "2024-10-21" });
    const answer = await m.complete(ask("azure?"));
    assert.equal(answer.text, "echo: azure?");
    const [request] = fake.requests;
    assert.equal(request?.path, "/openai/deployments/chat-model/chat/completions");
    assert.equal(request?.query["api-version"], "2024-10-21");
    assert.equal(request?.headers["api-key"], KEY);
    assert.equal(request?.headers.authorization, undefined);
  });
});

function pick(body: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["temperature", "max_tokens", "top_p"]) if (body && key in body) out[key] = body[key];
  return out;
}

describe("streaming", () => {
  test("text arrives as several deltas that join to the answer", async () => {
    fake.reply({ text: "The quick brown fox jumps over the lazy dog.", chunkSize: 5 });
    const deltas = await collect(model().stream(ask("x")));
    assert.ok(deltas.length > 5);
    assert.ok(deltas.every((delta) => delta.type === "text"));
    assert.equal(joined(deltas, "text"), "The quick brown fox jumps over the lazy dog.");
    assert.equal(fake.requests[0]?.body?.stream, true);
  });

  test("reasoning_content deltas become reasoning, before the text", async () => {
    fake.reply({ reasoning: "The user wants a greeting.", text: "Hello!", chunkSize: 4 });
    const deltas = await collect(model().stream(ask("x")));
    assert.equal(joined(deltas, "reasoning"), "The user wants a greeting.");
    assert.equal(joined(deltas, "text"), "Hello!");
    const firstText = deltas.findIndex((delta) => delta.type === "text");
    assert.ok(deltas.slice(0, firstText).every((delta) => delta.type === "reasoning"));

    const answer = await model().complete(ask("x"));
    assert.deepEqual([answer.text, answer.reasoning], ["Hello!", "The user wants a greeting."]);
  });

  test("a leading <think> block becomes reasoning and never part of the text", async () => {
    for (const chunkSize of [1, 3, 7, 100]) {
      fake.reply({ think: "\nHmm, 2+2.\n", text: "4", chunkSize });
      const deltas = await collect(model().stream(ask("x")));
      assert.equal(joined(deltas, "reasoning"), "Hmm, 2+2.", `chunkSize ${chunkSize}`);
      assert.equal(joined(deltas, "text"), "4", `chunkSize ${chunkSize}`);
    }
    const answer = await model().complete(ask("x"));
    assert.deepEqual([answer.text, answer.reasoning], ["4", "Hmm, 2+2."]);
  });

  test("a consumer that stops early closes the upstream connection", async () => {
    fake.reply({ text: "a".repeat(200), chunkSize: 1, delayMs: 5 });
    for await (const delta of model().stream(ask("x"))) {
      assert.equal(delta.text, "a");
      break;
    }
    assert.equal(await fake.requests[0]!.outcome, "closed");
  });
});

describe("retries", () => {
  test("503 before the first token is retried, then succeeds", async () => {
    fake.failNext(503, undefined, 2);
    assert.equal((await model().complete(ask("again"))).text, "echo: again");
    assert.equal(fake.requests.length, 3);

    fake.reset();
    fake.failNext(503);
    assert.equal(joined(await collect(model().stream(ask("s"))), "text"), "echo: s");
    assert.equal(fake.requests.length, 2);
  });

  test("429 is retried too", async () => {
    fake.failNext(429, { error: { message: "slow down" } });
    assert.equal((await model().complete(ask("x"))).text, "echo: x");
    assert.equal(fake.requests.length, 2);
  });

  test("retries are bounded: the last error surfaces with its status", async () => {
    fake.failNext(502, { error: { message: "bad gateway" } }, 10);
    const error = await rejection(model().complete(ask("x")));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.kind, "http");
    assert.equal(error.status, 502);
    assert.match(error.message, /502: bad gateway/);
    assert.equal(fake.requests.length, 3); // 1 + maxRetries (2)
  });

  test("a client error (400) is not retried", async () => {
    fake.failNext(400, { error: { message: "messages must not be empty" } });
    const error = await rejection(collect(model().stream(ask("x"))));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.status, 400);
    assert.match(error.message, /messages must not be empty/);
    assert.equal(fake.requests.length, 1);
  });

  test("a stream that breaks before any token is retried", async () => {
    fake.reply({ breakAfterChunks: 0 });
    const error = await rejection(collect(model().stream(ask("x"))));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.kind, "connection");
    assert.equal(error.status, undefined);
    assert.equal(fake.requests.length, 3);
  });

  test("a stream that breaks after a token is not retried: the error surfaces after the partial text", async () => {
    fake.reply({ text: "partial answer that never ends", chunkSize: 4, breakAfterChunks: 2 });
    const received: ChatDelta[] = [];
    const error = await rejection(
      (async () => {
        for await (const delta of model().stream(ask("x"))) received.push(delta);
      })(),
    );
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.kind, "interrupted");
    assert.equal(joined(received, "text"), "partial ");
    assert.equal(fake.requests.length, 1);
  });

  test("connection refused is retried, then a clear connection error without status", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejection(model({ api_base: `http://127.0.0.1:${port}/v1` }).complete(ask("x")));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.kind, "connection");
    assert.equal(error.status, undefined);
    assert.match(error.message, /could not reach the model server \(ECONNREFUSED\)/);
  });
});

describe("timeouts and aborts", () => {
  test("an upstream that never answers times out (not retried)", HANG_GUARD, async () => {
    fake.reply({ hang: true });
    const error = await rejection(model({ timeout: 0.3 }).complete(ask("x")));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.kind, "timeout");
    assert.match(error.message, /did not answer within 0.3 s/);
    assert.equal(fake.requests.length, 1);
    assert.equal(await fake.requests[0]!.outcome, "closed");
  });

  test("a stream that stalls between chunks times out", HANG_GUARD, async () => {
    fake.reply({ text: "slow", chunkSize: 1, stallAfterChunks: 1 }); // "s", then silence
    const error = await rejection(collect(model({ timeout: 0.3 }).stream(ask("x"))));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.kind, "timeout");
  });

  test("a slow consumer is not mistaken for a slow upstream", async () => {
    fake.reply({ text: "ab", chunkSize: 1 });
    const out: string[] = [];
    for await (const delta of model({ timeout: 1 }).stream(ask("x"))) {
      if (out.length === 0) {
        // The upstream has sent all it will: from here on only the consumer is slow. It holds the
        // first delta longer than the model's timeout (a wait that load can only make longer).
        assert.equal(await fake.requests[0]!.outcome, "completed");
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
      out.push(delta.text);
    }
    assert.equal(out.join(""), "ab");
  });

  test("aborting mid-stream cancels the upstream request promptly", async () => {
    fake.reply({ text: "x".repeat(500), chunkSize: 1, delayMs: 10 });
    const controller = new AbortController();
    let count = 0;
    const error = await rejection(
      (async () => {
        for await (const _delta of model().stream(ask("x"), { signal: controller.signal })) {
          if (++count === 3) controller.abort();
        }
      })(),
    );
    assert.ok(error instanceof Error && error.name === "AbortError", String(error));
    assert.equal(count, 3);
    // Not cancelled, the fake would send all 500 chunks and report "completed".
    assert.equal(await fake.requests[0]!.outcome, "closed");
    assert.equal(fake.requests.length, 1);
  });

  test("aborting while waiting for the answer rejects at once", HANG_GUARD, async () => {
    fake.reply({ hang: true });
    const controller = new AbortController();
    const arrived = fake.arrived();
    const pending = model({ timeout: 3600 }).complete(ask("x"), { signal: controller.signal });
    await arrived; // the request is upstream, which never answers: only the abort can settle it
    controller.abort();
    const error = await rejection(pending);
    assert.ok(error instanceof Error && error.name === "AbortError");
    assert.equal(await fake.requests[0]!.outcome, "closed");
  });

  test("aborting during a retry backoff rejects at once", HANG_GUARD, async () => {
    fake.failNext(503, undefined, 5);
    const entries = parseChatModelList(JSON.stringify([{ api_base: fake.url, api_key: KEY, model_name_or_path: "m" }]));
    // An hour's backoff: only an abort that cuts it short settles the call.
    const slow = new ModelRegistry(entries, { retry: { baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 } }).resolve();
    const controller = new AbortController();
    const arrived = fake.arrived();
    const pending = slow.complete(ask("x"), { signal: controller.signal });
    assert.equal(await (await arrived).outcome, "completed"); // the 503 was answered: the backoff begins
    controller.abort();
    const error = await rejection(pending);
    assert.ok(error instanceof Error && error.name === "AbortError");
    assert.equal(fake.requests.length, 1);
  });

  test("an already aborted signal sends nothing", async () => {
    const error = await rejection(model().complete(ask("x"), { signal: AbortSignal.abort() }));
    assert.ok(error instanceof Error && error.name === "AbortError");
    assert.equal(fake.requests.length, 0);
  });
});

describe("error messages", () => {
  test("a key echoed back by the upstream is redacted", async () => {
    fake.failNext(401, { error: { message: `Incorrect API key provided: ${KEY}. Also sk-proj-zzzz1234.` } });
    const error = await rejection(model().complete(ask("x")));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.status, 401);
    assert.ok(!error.message.includes(KEY), error.message);
    assert.ok(!error.message.includes("SECRET"), error.message);
    assert.ok(!error.message.includes("zzzz1234"), error.message);
    assert.match(error.message, /401: Incorrect API key provided: \[redacted\]/);
  });

  test("the key is redacted from text bodies and in streams too", async () => {
    fake.failNext(403, `forbidden for key ${KEY}`);
    const error = await rejection(collect(model().stream(ask("x"))));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.status, 403);
    assert.ok(!error.message.includes(KEY), error.message);
    assert.match(error.message, /forbidden for key \[redacted\]/);
  });

  test("vLLM, FastAPI and HTML error bodies keep their message, on one line", async () => {
    const bodies: [unknown, RegExp][] = [
      [{ object: "error", message: "The model `x` does not exist.", type: "NotFoundError" }, /404: The model `x` does not exist\./],
      [{ detail: "Not Found" }, /404: Not Found/],
      ["<html>\n<head><title>404 Not Found</title></head>\n<body>nginx</body></html>", /404: 404 Not Found nginx/],
      [{ error: "plain string error" }, /404: plain string error/],
    ];
    for (const [body, expected] of bodies) {
      fake.failNext(404, body);
      const error = await rejection(model().complete(ask("x")));
      assert.ok(error instanceof UpstreamError);
      assert.match(error.message, expected);
      assert.ok(!error.message.includes("\n"));
    }
  });
});

describe("fake server", () => {
  test("lists models and records every request", async () => {
    const response = await fetch(`${fake.url}/models`, { headers: { authorization: "Bearer k" } });
    const body = (await response.json()) as { data: { id: string }[] };
    assert.deepEqual(
      body.data.map((entry) => entry.id),
      ["fake-model"],
    );
    assert.equal(fake.requests[0]?.path, "/v1/models");
    assert.equal(fake.requests[0]?.headers.authorization, "Bearer k");
  });

  test("speaks real SSE chunks ending in [DONE]", async () => {
    fake.reply({ text: "hi", reasoning: "r" });
    const response = await fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const frames = (await response.text()).split("\n\n").filter(Boolean);
    assert.equal(frames.at(-1), "data: [DONE]");
    const first = JSON.parse(frames[0]!.slice("data: ".length)) as Record<string, unknown>;
    assert.equal(first.object, "chat.completion.chunk");
    assert.match(frames[1]!, /"delta":\{"reasoning_content":"r"\},"finish_reason":null/);
    assert.match(frames[2]!, /"delta":\{"content":"hi"\}/);
  });
});
