import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import OpenAI from "openai";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { metricValue, untilMetric } from "../support/server.js";

const NOT_STORED = 'memcube_chat_turns_total{outcome="not_stored"}';

let rig: ChatRig;
let openai: OpenAI;
before(async () => {
  rig = await startChatRig();
  openai = new OpenAI({ baseURL: `${rig.server.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
after(() => rig.close());
beforeEach(() => rig.llm.reset());

describe("OpenAI drop-in: /v1/chat/completions with the official openai SDK", () => {
  test("non-streaming: a chat.completion with the model's answer, reasoning passed through, sampling forwarded", async () => {
    rig.llm.reply({ text: "Jasmine tea.", reasoning: "They like tea." });
    const completion = await openai.chat.completions.create({
      model: "deepseek-r1",
      user: "oa-alice",
      messages: [{ role: "user", content: "What should I drink?" }],
      temperature: 0.3,
      max_tokens: 99,
      top_p: 0.8,
    });
    assert.equal(completion.object, "chat.completion");
    assert.equal(completion.model, "deepseek-r1");
    assert.match(completion.id, /^chatcmpl-/);
    assert.equal(completion.choices[0]?.message.content, "Jasmine tea.");
    assert.equal(completion.choices[0]?.finish_reason, "stop");
    assert.equal((completion.choices[0]?.message as unknown as { reasoning_content?: string }).reasoning_content, "They like tea.");
    assert.ok((completion.usage?.total_tokens ?? 0) > 0);
    const sent = rig.llm.requests[0]?.body;
    assert.equal(sent?.model, "deepseek-r1");
    assert.equal(sent?.temperature, 0.3);
    assert.equal(sent?.max_tokens, 99);
    assert.equal(sent?.top_p, 0.8);
  });

  test("streaming: chat.completion.chunk deltas (reasoning first), finish_reason stop, usage when asked", async () => {
    rig.llm.reply({ text: "Try a jasmine pearl tea.", reasoning: "The user likes jasmine.", chunkSize: 5 });
    const stream = await openai.chat.completions.create({
      model: "deepseek-r1",
      user: "oa-alice",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Which tea should I buy?" }],
    });
    let text = "";
    let reasoning = "";
    const finishes: (string | null | undefined)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.object, "chat.completion.chunk");
      const choice = chunk.choices[0];
      if (chunk.usage) usage = chunk.usage;
      if (!choice) continue;
      text += choice.delta.content ?? "";
      reasoning += (choice.delta as { reasoning_content?: string }).reasoning_content ?? "";
      finishes.push(choice.finish_reason);
    }
    assert.ok(chunks > 4);
    assert.equal(text, "Try a jasmine pearl tea.");
    assert.equal(reasoning, "The user likes jasmine.");
    assert.equal(finishes.at(-1), "stop");
    assert.ok((usage?.completion_tokens ?? 0) > 0);
  });

  test("raw stream ends with data: [DONE]", async () => {
    const response = await fetch(`${rig.server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-memcube-user": "oa-raw" },
      body: JSON.stringify({ model: "qwen2.5-72b-instruct", stream: true, messages: [{ role: "user", content: "hello" }] }),
    });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const raw = await response.text();
    assert.ok(raw.endsWith("data: [DONE]\n\n"), raw);
    assert.doesNotMatch(raw, /"type":"status"/);
  });

  test("memory from an earlier turn reaches the prompt; system message kept with memories appended; history passed", async () => {
    rig.llm.reply({ text: "Noted: you live in Bolzano." });
    await openai.chat.completions.create({
      model: "qwen2.5-72b-instruct",
      user: "oa-bob",
      messages: [{ role: "user", content: "My sister Anna lives in Bolzano" }],
    });
    rig.llm.reset();
    await openai.chat.completions.create({
      model: "qwen2.5-72b-instruct",
      user: "oa-bob",
      messages: [
        { role: "system", content: "You are Pirate Pete." },
        { role: "user", content: "hi" },
        { role: "assistant", content: "Ahoy!" },
        { role: "user", content: "Where does my sister Anna live?" },
      ],
    });
    const prompt = lastPrompt(rig.llm);
    assert.equal(prompt[0]?.role, "system");
    assert.ok(prompt[0]?.content.startsWith("You are Pirate Pete."));
    assert.match(prompt[0]?.content ?? "", /My sister Anna lives in Bolzano/);
    assert.deepEqual(prompt.slice(1), [
      { role: "user", content: "hi" },
      { role: "assistant", content: "Ahoy!" },
      { role: "user", content: "Where does my sister Anna live?" },
    ]);
    // the turn was written back
    const stored = await rig.server.post("/product/get_all", { user_id: "oa-bob" });
    const texts = stored.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory);
    assert.ok(texts.includes("Where does my sister Anna live?"));
  });

  test("x-memcube-user and cube headers choose the user and cubes", async () => {
    await rig.server.post("/product/add", { user_id: "oa-carol", writable_cube_ids: ["oa-team"], messages: "The team offsite is in Lisbon" });
    const client = new OpenAI({
      baseURL: `${rig.server.url}/v1`,
      apiKey: "unused",
      maxRetries: 0,
      defaultHeaders: { "x-memcube-user": "oa-carol", "x-memcube-readable-cubes": "oa-team , oa-notes", "x-memcube-writable-cubes": "oa-notes" },
    });
    await client.chat.completions.create({ model: "qwen2.5-72b-instruct", messages: [{ role: "user", content: "Where is the team offsite?" }] });
    assert.match(lastPrompt(rig.llm)[0]?.content ?? "", /The team offsite is in Lisbon/);
    const notes = await rig.server.post("/product/get_all", { user_id: "oa-carol", mem_cube_ids: ["oa-notes"] });
    assert.equal(notes.status, 200);
    assert.ok(notes.body.data[0].memories[0].nodes.some((memory: { memory: string }) => memory.memory === "Where is the team offsite?"));
  });

  test("x-memcube-session-id: the session's working memory reaches the next turn", async () => {
    const session = { "x-memcube-user": "oa-sam", "x-memcube-session-id": "trip-42" };
    const client = new OpenAI({ baseURL: `${rig.server.url}/v1`, apiKey: "unused", maxRetries: 0, defaultHeaders: session });
    await client.chat.completions.create({ model: "qwen2.5-72b-instruct", messages: [{ role: "user", content: "We land in Osaka on Friday" }] });
    await client.chat.completions.create({ model: "qwen2.5-72b-instruct", messages: [{ role: "user", content: "and after that?" }] });
    assert.match(lastPrompt(rig.llm)[0]?.content ?? "", /We land in Osaka on Friday/);
    const stored = await rig.server.post("/product/get_all", { user_id: "oa-sam" });
    assert.ok(stored.body.data[0].memories[0].nodes.every((memory: { metadata: { session_id: string } }) => memory.metadata.session_id === "trip-42"));
  });

  test("GET /v1/models lists the configured models, the default first", async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model.id);
    assert.deepEqual(models, ["qwen2.5-72b-instruct", "deepseek-r1"]);
  });
});

describe("OpenAI-shaped errors", () => {
  test("unknown model → 404 model_not_found", async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: "gpt-9", user: "oa-alice", messages: [{ role: "user", content: "hi" }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.NotFoundError);
        assert.equal(error.status, 404);
        assert.equal(error.code, "model_not_found");
        assert.match(error.message, /gpt-9/);
        return true;
      },
    );
    assert.equal(rig.llm.requests.length, 0);
  });

  test("no user → 400", async () => {
    await assert.rejects(openai.chat.completions.create({ model: "deepseek-r1", messages: [{ role: "user", content: "hi" }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.code, "missing_user");
      assert.equal(error.type, "invalid_request_error");
      return true;
    });
  });

  test("a cube the user may not read → 403 permission error, nothing sent to the model", async () => {
    await rig.server.post("/product/add", { user_id: "oa-owner", writable_cube_ids: ["oa-private"], messages: "secret" });
    const client = new OpenAI({
      baseURL: `${rig.server.url}/v1`,
      apiKey: "unused",
      maxRetries: 0,
      defaultHeaders: { "x-memcube-readable-cubes": "oa-private" },
    });
    await assert.rejects(
      client.chat.completions.create({ model: "deepseek-r1", user: "oa-mallory", messages: [{ role: "user", content: "tell me" }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.PermissionDeniedError);
        assert.equal(error.type, "permission_error");
        return true;
      },
    );
    assert.equal(rig.llm.requests.length, 0);
  });

  test("validation and malformed requests are OpenAI-shaped 4xx", async () => {
    const empty = await rig.server.post("/v1/chat/completions", { model: "deepseek-r1", user: "oa-alice", messages: [] });
    assert.equal(empty.status, 422);
    assert.equal(empty.body.error.type, "invalid_request_error");
    assert.match(empty.body.error.message, /messages/);
    const noQuery = await rig.server.post("/v1/chat/completions", { user: "oa-alice", messages: [{ role: "system", content: "x" }] });
    assert.equal(noQuery.status, 400);
    assert.equal(noQuery.body.error.param, "messages");
    const broken = await rig.server.post("/v1/chat/completions", "{nope");
    assert.equal(broken.status, 400);
    assert.equal(typeof broken.body.error.message, "string");
    const missing = await rig.server.get("/v1/embeddings");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.type, "not_found_error");
  });

  test("a client that leaves mid-stream cancels the model call, and nothing of the turn is stored", async () => {
    const notStoredBefore = await metricValue(rig.server, NOT_STORED);
    rig.llm.reply({ text: "a slow answer that nobody will read to the end", chunkSize: 2, delayMs: 30 });
    const stream = await openai.chat.completions.create({
      model: "deepseek-r1",
      user: "oa-leaver",
      stream: true,
      messages: [{ role: "user", content: "start talking" }],
    });
    let seen = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) seen++;
      if (seen === 2) break; // the SDK aborts the request
    }
    assert.equal(await rig.llm.requests[0]?.outcome, "closed");
    // The turn is over when the server counts it: only then is "nothing stored" a fact.
    await untilMetric(rig.server, NOT_STORED, notStoredBefore + 1);
    const stored = await rig.server.post("/product/get_all", { user_id: "oa-leaver" });
    const texts = stored.status === 200 ? stored.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory) : [];
    assert.deepEqual(texts, []);
  });

  test("an upstream failure mid-stream ends the stream with an error the SDK raises", async () => {
    rig.llm.reply({ text: "a long answer that breaks", chunkSize: 2, breakAfterChunks: 2 });
    const stream = await openai.chat.completions.create({ model: "deepseek-r1", user: "oa-alice", stream: true, messages: [{ role: "user", content: "go" }] });
    await assert.rejects(async () => {
      for await (const chunk of stream) void chunk;
    }, OpenAI.APIError);
  });
});

describe("with API keys", () => {
  test("the key's user is the default user; a wrong key is a 401 in OpenAI's shape", async () => {
    const keyed = await startChatRig({ MEMCUBE_API_KEYS: JSON.stringify({ "key-dave-0123456789abcdef": "oa-dave" }) });
    try {
      const client = new OpenAI({ baseURL: `${keyed.server.url}/v1`, apiKey: "key-dave-0123456789abcdef", maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: "deepseek-r1", messages: [{ role: "user", content: "hello" }] });
      assert.equal(completion.choices[0]?.message.content, "echo: hello");
      await assert.rejects(
        client.chat.completions.create({ model: "deepseek-r1", user: "oa-erin", messages: [{ role: "user", content: "hi" }] }),
        OpenAI.PermissionDeniedError,
      );
      const wrong = new OpenAI({ baseURL: `${keyed.server.url}/v1`, apiKey: "nope", maxRetries: 0 });
      await assert.rejects(wrong.chat.completions.create({ model: "deepseek-r1", messages: [{ role: "user", content: "hi" }] }), (error: unknown) => {
        assert.ok(error instanceof OpenAI.AuthenticationError);
        assert.equal(error.type, "authentication_error");
        return true;
      });
    } finally {
      await keyed.close();
    }
  });
});
