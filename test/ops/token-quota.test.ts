/**
 * LLM tokens per user per UTC day (MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY): every chat surface counts
 * the model's reported usage (or memcube's estimate when it reports none) in the store; once a
 * user's count reaches the budget, their chats are refused with 429 and Retry-After (to the next
 * UTC midnight) before the model is called. The count survives a restart and, on PostgreSQL, is
 * shared by server processes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { ChatTokenQuota, ChatTokensExhausted, secondsToUtcMidnight, utcDay } from "../../src/chat/token-quota.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { chatStream, modelList, startChatRig, type ChatRig } from "../support/chat.js";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { freshSchema, POSTGRES_SKIP } from "../support/postgres.js";
import { postJson, startServerProcess } from "../support/process.js";
import { startTestServer, type Json } from "../support/server.js";

/** What the fake model reports for each call: 300 + 200 = 500 tokens. */
const USAGE = { prompt_tokens: 300, completion_tokens: 200 };

/** Seconds from now to the next UTC midnight, as the server computes them. */
const toMidnight = () => secondsToUtcMidnight(new Date());

function assertRefused(response: { status: number; body: Json; headers: Headers }, used: number, limit: number): void {
  assert.equal(response.status, 429, JSON.stringify(response.body));
  assert.deepEqual(response.body, {
    code: 429,
    message: response.body.message,
    data: null,
  });
  assert.match(
    response.body.message,
    new RegExp(`^chat token quota: user 'alice' has used ${used} of ${limit} LLM tokens today \\(MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY\\)`),
  );
  const retryAfter = Number(response.headers.get("retry-after"));
  // To the next UTC midnight (a few seconds of slack for a slow machine).
  assert.ok(Math.abs(retryAfter - toMidnight()) <= 5, `Retry-After ${retryAfter}, midnight in ${toMidnight()}`);
}

const metric = (text: string, line: string) =>
  Number(
    text
      .split("\n")
      .find((entry) => entry.startsWith(`${line} `))
      ?.split(" ")[1] ?? "0",
  );

describe("chat tokens per user per day", () => {
  let rig: ChatRig | undefined;
  after(() => rig?.close());

  test("every chat surface counts the model's usage; over the budget a chat is refused before the model is called", async () => {
    rig = await startChatRig({ MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY: "2000" });
    const { server, llm } = rig;
    llm.reply({ usage: USAGE });
    const ask = { user_id: "alice", query: "Where does Anna live?" };

    assert.equal((await server.post("/product/chat/complete", ask)).status, 200); // 500
    const streamed = await chatStream(server, ask); // 1000
    assert.equal(streamed.status, 200);
    assert.deepEqual(streamed.frames.at(-1), { type: "end" });
    // memcube asked the upstream for the stream's usage.
    assert.deepEqual(llm.requests.at(-1)?.body?.stream_options, { include_usage: true });
    const openai = await server.post("/v1/chat/completions", { user: "alice", messages: [{ role: "user", content: "and Bob?" }] }); // 1500
    assert.equal(openai.status, 200, JSON.stringify(openai.body));
    // The OpenAI surface reports the counts it charged: the model's own.
    assert.deepEqual(openai.body.usage, { prompt_tokens: 300, completion_tokens: 200, total_tokens: 500 });
    const openaiStream = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "alice", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "and Carol?" }] }),
    }); // 2000
    const chunks = (await openaiStream.text())
      .split("\n\n")
      .filter((block) => block.startsWith("data: {"))
      .map((block) => JSON.parse(block.slice(6)));
    assert.deepEqual(chunks.at(-1)?.usage, { prompt_tokens: 300, completion_tokens: 200, total_tokens: 500 });
    const calls = llm.requests.length;

    // 2000 of 2000: every surface now refuses alice, without calling the model.
    assertRefused(await server.post("/product/chat/complete", ask), 2000, 2000);
    const refusedStream = await chatStream(server, ask);
    assert.equal(refusedStream.status, 429);
    assert.ok(refusedStream.headers.get("content-type")?.startsWith("application/json"), "refused before the stream starts");
    const refusedOpenAI = await server.post("/v1/chat/completions", { user: "alice", messages: [{ role: "user", content: "again" }] });
    assert.equal(refusedOpenAI.status, 429);
    assert.equal(refusedOpenAI.body.error.type, "rate_limit_error");
    assert.match(refusedOpenAI.body.error.message, /has used 2000 of 2000 LLM tokens today/);
    assert.ok(Number(refusedOpenAI.headers.get("retry-after")) > 0);
    assert.equal(llm.requests.length, calls, "the model was not called for a refused chat");

    // Nothing else of alice's is limited, and bob has his own budget.
    assert.equal((await server.post("/product/search", { user_id: "alice", query: "Anna" })).status, 200);
    assert.equal((await server.post("/product/add", { user_id: "alice", messages: "Anna moved to Trento" })).status, 200);
    assert.equal((await server.post("/product/chat/complete", { ...ask, user_id: "bob" })).status, 200);

    const metrics = await server.get("/metrics");
    assert.equal(metric(metrics.body, 'memcube_chat_quota_tokens_total{source="reported"}'), 2500);
    assert.equal(metric(metrics.body, "memcube_chat_quota_refusals_total"), 3);
  });

  test("the chat that crosses the budget is answered; the count holds across a restart", async () => {
    const llm = await startFakeOpenAI({ usage: USAGE });
    const env = { CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)), MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY: "700" };
    let server = await startTestServer(env);
    try {
      const ask = { user_id: "alice", query: "What do I like?" };
      assert.equal((await server.post("/product/chat/complete", ask)).status, 200); // 500 < 700
      assert.equal((await server.post("/product/chat/complete", ask)).status, 200); // 1000: crosses, answered
      assertRefused(await server.post("/product/chat/complete", ask), 1000, 700);
      await server.stop();
      server = await startTestServer(env, server.dataDir);
      assertRefused(await server.post("/product/chat/complete", ask), 1000, 700);
    } finally {
      await server.cleanup();
      await llm.close();
    }
  });

  test("without reported usage the tokens are estimated with memcube's tokenizer", async () => {
    const llm = await startFakeOpenAI({ usage: "none", text: "Anna lives in Bolzano, in South Tyrol." });
    const server = await startTestServer({ CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)), MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY: "100000" });
    try {
      assert.equal((await server.post("/product/chat/complete", { user_id: "alice", query: "Where does Anna live?" })).status, 200);
      const streamed = await chatStream(server, { user_id: "alice", query: "Where does Anna live?" });
      assert.equal(streamed.status, 200);
      const text = (await server.get("/metrics")).body as string;
      const estimated = metric(text, 'memcube_chat_quota_tokens_total{source="estimated"}');
      // Two chats, each a system prompt, a question and a 10-token answer: tens to a few hundred tokens.
      assert.ok(estimated > 40 && estimated < 2000, `estimated ${estimated}`);
      assert.equal(metric(text, 'memcube_chat_quota_tokens_total{source="reported"}'), 0);
    } finally {
      await server.cleanup();
      await llm.close();
    }
  });

  test("a model that reports usage without one of the counts is still charged (estimated), not let through", async () => {
    for (const usage of [{ prompt_tokens: 300 }, { prompt_tokens: 300, completion_tokens: null }]) {
      const llm = await startFakeOpenAI({ usage, text: "Anna lives in Bolzano." });
      const server = await startTestServer({ CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)), MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY: "40" });
      try {
        const ask = { user_id: "alice", query: "Where does Anna live?" };
        assert.equal((await server.post("/product/chat/complete", ask)).status, 200);
        const streamed = await chatStream(server, ask);
        assert.equal(streamed.status, 429, `usage ${JSON.stringify(usage)}: the first chat was not counted`);
        const text = (await server.get("/metrics")).body as string;
        assert.ok(metric(text, 'memcube_chat_quota_tokens_total{source="estimated"}') > 40);
      } finally {
        await server.cleanup();
        await llm.close();
      }
    }
  });

  test("erasing a user (delete_user) does not give them a fresh budget for the day", async () => {
    const quotaRig = await startChatRig({ MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY: "1000" });
    try {
      const { server, llm } = quotaRig;
      llm.reply({ usage: USAGE });
      const ask = { user_id: "carol", query: "Where does Anna live?" };
      assert.equal((await server.post("/product/chat/complete", ask)).status, 200);
      assert.equal((await server.post("/product/chat/complete", ask)).status, 200);
      assert.equal((await server.post("/product/chat/complete", ask)).status, 429);
      const erased = await server.post("/product/delete_user", { user_id: "carol" });
      assert.equal(erased.status, 200, JSON.stringify(erased.body));
      assert.equal(erased.body.data.memories > 0, true, "the user's memories are erased");
      const again = await server.post("/product/chat/complete", ask);
      assert.equal(again.status, 429, "the day's count outlives the erasure");
      assert.match(again.body.message, /user 'carol' has used 1000 of 1000 LLM tokens today/);
    } finally {
      await quotaRig.close();
    }
  });

  test("a day's count is the UTC day's: the next day starts from zero", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "memcube-quota-"));
    const store = new SqliteStore(path.join(folder, "memcube.db"));
    try {
      const quota = new ChatTokenQuota(store, 1000);
      const lateEvening = new Date("2026-11-25T23:59:30.000Z");
      await quota.charge("alice", lateEvening, { promptTokens: 900, completionTokens: 150 }, "reported");
      await assert.rejects(quota.check("alice", lateEvening), (error: Error) => error instanceof ChatTokensExhausted && error.retryAfterSeconds === 30);
      await quota.check("alice", new Date("2026-11-26T00:00:00.000Z"));
      await quota.check("bob", lateEvening);
      assert.equal(await store.chatTokens("alice", "2026-11-25"), 1050);
      assert.equal(utcDay(new Date("2026-11-26T00:30:00+02:00")), "2026-11-25");
      assert.equal(secondsToUtcMidnight(new Date("2026-11-25T00:00:00.000Z")), 86_400);
      // Erasing the user erases their counts.
      await store.deleteUser("alice");
      assert.equal(await store.chatTokens("alice", "2026-11-25"), 0);
    } finally {
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("chat tokens on PostgreSQL: two server processes share one count", { skip: POSTGRES_SKIP }, () => {
  test("a budget used through one process is refused by the other", async () => {
    const schema = await freshSchema("quota");
    const llm = await startFakeOpenAI({ usage: USAGE });
    const env = {
      MEMCUBE_STORE: "postgres",
      DATABASE_URL: schema.url,
      CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)),
      MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY: "1000",
      MEMCUBE_JOB_WORKERS: "0",
    };
    const one = await startServerProcess(env);
    const two = await startServerProcess(env);
    try {
      const ask = { user_id: "alice", query: "Where does Anna live?" };
      // Both at once, one on each process: 1000 of 1000 once both are answered.
      const answers = await Promise.all([postJson(`${one.url}/product/chat/complete`, ask), postJson(`${two.url}/product/chat/complete`, ask)]);
      assert.deepEqual(
        answers.map((answer) => answer.status),
        [200, 200],
      );
      for (const server of [one, two]) {
        const refused = await postJson(`${server.url}/product/chat/complete`, ask);
        assert.equal(refused.status, 429);
        assert.match((refused.json as { message: string }).message, /has used 1000 of 1000 LLM tokens today/);
      }
    } finally {
      await Promise.all([one.stop(), two.stop()]);
      await llm.close();
      await schema.drop();
    }
  });
});
