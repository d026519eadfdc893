/**
 * chat/stream/playground and chat/stream/business_user (MemOS's routes, issue 17), on both stores,
 * through the fake model: frames in MemOS's order and shapes, what the model was shown, and the
 * business key check.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { modelList } from "../support/chat.js";
import { extractionEnv, memories, waitIdle } from "../support/extraction.js";
import { startFakeOpenAI, type FakeOpenAI, type RecordedBody } from "../support/fake-openai.js";
import { freshSchema, POSTGRES_SKIP, type TestSchema } from "../support/postgres.js";
import { startTestServer, type TestServer } from "../support/server.js";

const BUSINESS_KEY = "bk-partner-7f3a9c2e";
const SUGGESTED = "Which airline has the roomiest aisle seats?";

interface Frame {
  type: string;
  data?: unknown;
  content?: unknown;
}

interface Envelope {
  code: number;
  message: string;
  data: unknown;
}

async function stream(
  server: TestServer,
  path: string,
  body: unknown,
): Promise<{ status: number; contentType: string; frames: Frame[]; json: Envelope | undefined }> {
  const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const raw = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  const frames = contentType.startsWith("text/event-stream")
    ? raw
        .split("\n\n")
        .filter((block) => block.trim() !== "")
        .map((block) => JSON.parse(block.replace(/^data: /, "")) as Frame)
    : [];
  return { status: response.status, contentType, frames, json: contentType.startsWith("application/json") ? (JSON.parse(raw) as Envelope) : undefined };
}

const textOf = (content: unknown) => (typeof content === "string" ? content : "");
const systemOf = (body: RecordedBody | undefined) => textOf(body?.messages?.[0]?.content);
const lastUser = (body: RecordedBody | undefined) => textOf([...(body?.messages ?? [])].reverse().find((message) => message.role === "user")?.content);

/** Extraction finds one preference; suggestion prompts get one question; chats get `echo: <query>`. */
function scriptModel(llm: FakeOpenAI): void {
  llm.reply({
    text: (body) => {
      const system = systemOf(body);
      if (system.includes('{"query"')) return JSON.stringify({ query: [SUGGESTED] });
      if (system.includes('"decisions"')) return '{"decisions": []}';
      if (system.includes('"memories"')) return memories({ memory: "The user always books an aisle seat", memory_type: "PreferenceMemory" });
      return `echo: ${lastUser(body)}`;
    },
  });
}

function chatStreamSuite(name: string, setup: () => Promise<{ env: Record<string, string>; drop?: () => Promise<void> }>, skip: string | false = false) {
  describe(`MemOS's playground and business chat streams (${name})`, { skip }, () => {
    let llm: FakeOpenAI;
    let server: TestServer;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      const { env, drop: dropStore } = await setup();
      drop = dropStore;
      llm = await startFakeOpenAI();
      scriptModel(llm);
      server = await startTestServer({
        CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)),
        BUSINESS_CHAT_KEYS: JSON.stringify(["bk-other-1", BUSINESS_KEY]),
        ...extractionEnv(llm),
        ...env,
      });
      assert.equal((await server.post("/product/add", { user_id: "flyer", messages: "I hate middle seats, I always take the aisle" })).status, 200);
      assert.equal((await server.post("/product/add", { user_id: "flyer", messages: "My flight to Lisbon is on Friday" })).status, 200);
      await waitIdle(server, "flyer");
    });
    after(async () => {
      await server?.cleanup();
      await llm?.close();
      await drop?.();
    });

    test("playground: MemOS's frames in order, the preferences shown as Markdown, and suggestions that follow the turn", async () => {
      const answer = await stream(server, "/product/chat/stream/playground", {
        user_id: "flyer",
        query: "Which seat should I book to Lisbon?",
        add_message_on_answer: false,
      });
      assert.equal(answer.status, 200);
      assert.match(answer.contentType, /^text\/event-stream/);
      const types = answer.frames.map((frame) => frame.type).filter((type, index, all) => type !== "text" || all[index - 1] !== "text");
      assert.deepEqual(types, ["status", "status", "reference", "pref_md_string", "status", "text", "time", "suggestion", "end"]);
      assert.deepEqual(
        answer.frames.filter((frame) => frame.type === "status").map((frame) => frame.data),
        ["0", "1", "2"],
      );
      const shown = answer.frames.find((frame) => frame.type === "reference")?.data as { memory: string }[];
      assert.ok(shown.some((memory) => memory.memory === "The user always books an aisle seat"));
      const preferences = answer.frames.find((frame) => frame.type === "pref_md_string")?.data as string;
      assert.match(preferences, /\n- The user always books an aisle seat$/);
      const text = answer.frames
        .filter((frame) => frame.type === "text")
        .map((frame) => frame.data)
        .join("");
      assert.equal(text, "echo: Which seat should I book to Lisbon?");
      const time = answer.frames.find((frame) => frame.type === "time")?.data as Record<string, unknown>;
      assert.equal(typeof time.total_time, "number");
      assert.equal(time.speed_improvement, "n/a");
      assert.deepEqual(answer.frames.find((frame) => frame.type === "suggestion")?.data, [SUGGESTED]);
      const asked = llm.requests.map((request) => request.body).find((body) => systemOf(body).includes('{"query"') && lastUser(body).includes("Lisbon"));
      assert.ok(asked, "the suggestion model was asked");
      assert.match(lastUser(asked), /user: "Which seat should I book to Lisbon\?"\nassistant: "echo: Which seat should I book to Lisbon\?"/);
    });

    test("playground without include_preference: no pref_md_string frame", async () => {
      const answer = await stream(server, "/product/chat/stream/playground", {
        user_id: "flyer",
        query: "When do I fly?",
        include_preference: false,
        add_message_on_answer: false,
      });
      assert.equal(
        answer.frames.some((frame) => frame.type === "pref_md_string"),
        false,
      );
      assert.equal(answer.frames.at(-1)?.type, "end");
    });

    test("business_user: only the answer's frames; without need_search no memory reaches the model, with it they do", async () => {
      const plain = await stream(server, "/product/chat/stream/business_user", {
        user_id: "flyer",
        query: "Which seat do I like?",
        business_key: BUSINESS_KEY,
        add_message_on_answer: false,
      });
      assert.equal(plain.status, 200);
      assert.ok(plain.frames.length > 0);
      assert.deepEqual([...new Set(plain.frames.map((frame) => frame.type))], ["text"]);
      assert.equal(plain.frames.map((frame) => frame.data).join(""), "echo: Which seat do I like?");
      assert.doesNotMatch(systemOf(llm.requests.at(-1)?.body), /aisle|Lisbon/);
      const searched = await stream(server, "/product/chat/stream/business_user", {
        user_id: "flyer",
        query: "Which seat do I like?",
        business_key: BUSINESS_KEY,
        need_search: true,
        add_message_on_answer: false,
      });
      assert.deepEqual([...new Set(searched.frames.map((frame) => frame.type))], ["text"]);
      assert.match(systemOf(llm.requests.at(-1)?.body), /The user always books an aisle seat/);
    });

    test("business_user: an unknown business_key is a 403 in the envelope and the model is not called; a missing one is a 422", async () => {
      const calls = llm.requests.length;
      const refused = await stream(server, "/product/chat/stream/business_user", { user_id: "flyer", query: "hi", business_key: "bk-guess" });
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.json, {
        code: 403,
        message: "Access denied: Invalid business_key. You do not have permission to use this service.",
        data: null,
      });
      assert.equal(llm.requests.length, calls);
      const missing = await stream(server, "/product/chat/stream/business_user", { user_id: "flyer", query: "hi" });
      assert.equal(missing.status, 422);
      assert.equal(missing.json?.message, "business_key: field required");
    });
  });
}

chatStreamSuite("SQLite", async () => ({ env: {} }));
let schema: TestSchema | undefined;
chatStreamSuite(
  "PostgreSQL",
  async () => {
    schema = await freshSchema("chat_streams");
    return { env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }, drop: () => schema?.drop() ?? Promise.resolve() };
  },
  POSTGRES_SKIP,
);

test("without BUSINESS_CHAT_KEYS every business_key is refused", async () => {
  const llm = await startFakeOpenAI();
  const server = await startTestServer({ CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)) });
  try {
    const refused = await stream(server, "/product/chat/stream/business_user", { user_id: "u", query: "hi", business_key: "" });
    assert.equal(refused.status, 422, "an empty key is not a key");
    assert.equal((await stream(server, "/product/chat/stream/business_user", { user_id: "u", query: "hi", business_key: "anything" })).status, 403);
    assert.equal(llm.requests.length, 0);
  } finally {
    await server.cleanup();
    await llm.close();
  }
});
