/**
 * MemOS's request side (issue 17): user_id left out where MemOS lets it be, `Authorization: Token`,
 * delete_memory's modes, search and chat values MemOS takes that memcube clamps, on both stores
 * where storage is involved.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RecordedBody } from "../support/fake-openai.js";
import { startChatRig, lastPrompt, type ChatRig } from "../support/chat.js";
import { POSTGRES_SKIP, freshSchema, type TestSchema } from "../support/postgres.js";
import { startTestServer, textHits, type TestServer } from "../support/server.js";

const EXACTLY_ONE = "Exactly one delete mode must be provided: memory_ids, file_ids, or filter/user_id/session_id.";

function requestSuite(label: string, env: () => Record<string, string>) {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(env());
  });
  after(async () => {
    await server.cleanup();
  });

  const add = async (body: Record<string, unknown>) => {
    const added = await server.post("/product/add", body);
    assert.equal(added.status, 200, JSON.stringify(added.body));
    return added.body.data as { memory_id: string; cube_id: string }[];
  };
  const texts = async (userId: string, cubeId: string) => {
    const listed = await server.post("/product/get_all", { user_id: userId, mem_cube_ids: [cubeId] });
    return JSON.stringify(listed.body.data);
  };

  test(`${label}: open mode: with no user_id the owner of the cube named acts; a new cube's owner is its id`, async () => {
    const [first] = await add({ writable_cube_ids: ["fresh_cube_r1"], messages: "Carla keeps bees on her roof." });
    assert.equal(first?.cube_id, "fresh_cube_r1");
    // The cube is now owned by "fresh_cube_r1": that user reads it, and reads by id and cube need no user_id.
    const exists = await server.post("/product/exist_mem_cube_id", { mem_cube_id: "fresh_cube_r1" });
    assert.equal(exists.status, 200, JSON.stringify(exists.body));
    assert.deepEqual(exists.body.data, { fresh_cube_r1: true });
    assert.equal(exists.body.message, "Successfully");
    const missing = await server.post("/product/exist_mem_cube_id", { mem_cube_id: "never_made_r1" });
    assert.deepEqual(missing.body.data, { never_made_r1: false });
    const byId = await server.get(`/product/get_memory/${first?.memory_id}`);
    assert.equal(byId.status, 200, JSON.stringify(byId.body));
    assert.match(JSON.stringify(byId.body.data), /Carla keeps bees/);
    const listed = await server.post("/product/get_memory", { mem_cube_id: "fresh_cube_r1" });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.match(JSON.stringify(listed.body.data), /Carla keeps bees/);
    // A cube owned by someone else: the named user_id still decides, and is refused.
    await add({ user_id: "owner_r1", writable_cube_ids: ["owned_r1"], messages: "A private note." });
    const foreign = await server.post("/product/get_memory", { user_id: "stranger_r1", mem_cube_id: "owned_r1" });
    assert.equal(foreign.status, 403);
    const noCube = await server.post("/product/add", { messages: "x" });
    assert.equal(noCube.status, 422);
    assert.match(noCube.body.message, /^user_id: field required/);
  });

  test(`${label}: delete_memory by memory_ids with no user_id deletes them where they are`, async () => {
    const [kept, gone] = await add({
      user_id: "del_r1",
      writable_cube_ids: ["del_cube_r1"],
      messages: [
        { role: "user", content: "Keep: I swim." },
        { role: "user", content: "Drop: I smoke." },
      ],
    });
    const deleted = await server.post("/product/delete_memory", { writable_cube_ids: ["del_cube_r1"], memory_ids: [gone?.memory_id] });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal(deleted.body.message, "Memories deleted successfully");
    assert.equal(deleted.body.data.status, "success");
    const noCubes = await server.post("/product/delete_memory", { memory_ids: [kept?.memory_id] });
    assert.equal(noCubes.body.data.status, "success");
    assert.equal(noCubes.body.data.deleted, 1);
    assert.doesNotMatch(await texts("del_r1", "del_cube_r1"), /I swim|I smoke/);
  });

  test(`${label}: delete_memory's other modes: session/conversation, filter without user_id, file_ids, quick delete by user_id`, async () => {
    await add({ user_id: "del_r2", session_id: "s-a", messages: "Session A: I like figs." });
    await add({ user_id: "del_r2", session_id: "s-b", messages: "Session B: I like dates." });
    await add({ user_id: "del_r2", messages: [{ type: "file", file: { file_id: "file-9", filename: "plan.pdf" } }] });
    await add({ user_id: "del_r2", session_id: "s-c", messages: "Session C: I like plums." });
    const byConversation = await server.post("/product/delete_memory", { writable_cube_ids: ["del_r2"], conversation_id: "s-a" });
    assert.equal(byConversation.body.data.deleted, 1, JSON.stringify(byConversation.body));
    const byFilter = await server.post("/product/delete_memory", { writable_cube_ids: ["del_r2"], filter: { and: [{ session_id: "s-b" }] } });
    assert.equal(byFilter.body.data.deleted, 1, JSON.stringify(byFilter.body));
    const byFile = await server.post("/product/delete_memory", { writable_cube_ids: ["del_r2"], file_ids: ["file-9"] });
    assert.equal(byFile.body.data.deleted, 1, JSON.stringify(byFile.body));
    let left = await texts("del_r2", "del_r2");
    assert.doesNotMatch(left, /figs|dates|plan\.pdf/);
    assert.match(left, /plums/);
    const quick = await server.post("/product/delete_memory", { user_id: "del_r2" });
    assert.equal(quick.body.data.deleted, 1, JSON.stringify(quick.body));
    left = await texts("del_r2", "del_r2");
    assert.doesNotMatch(left, /plums/);
  });

  test(`${label}: delete_memory with no mode or two answers 200 "failure" as MemOS does, and deletes nothing`, async () => {
    const [memory] = await add({ user_id: "del_r3", messages: "I play the cello." });
    const cases: [Record<string, unknown>, string][] = [
      [{ writable_cube_ids: ["del_r3"] }, EXACTLY_ONE],
      [{ writable_cube_ids: ["del_r3"], memory_ids: [memory?.memory_id], session_id: "default_session" }, EXACTLY_ONE],
      [{ writable_cube_ids: ["del_r3"], filter: {} }, "filter cannot be empty. Provide a non-empty filter or user_id/session_id."],
    ];
    for (const [body, message] of cases) {
      const response = await server.post("/product/delete_memory", body);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.message, message);
      assert.equal(response.body.data.status, "failure");
    }
    const mismatch = await server.post("/product/delete_memory", { writable_cube_ids: ["del_r3"], session_id: "a", conversation_id: "b" });
    assert.equal(mismatch.status, 422);
    assert.match(await texts("del_r3", "del_r3"), /cello/);
    // The decided difference: user_id beside memory_ids names the acting user, and the ids are deleted.
    const withUser = await server.post("/product/delete_memory", { user_id: "del_r3", memory_ids: [memory?.memory_id] });
    assert.deepEqual([withUser.body.data.status, withUser.body.data.deleted], ["success", 1]);
  });

  test(`${label}: search: filter by id, MemOS's other memory kinds (empty), top_k above the limit clamped with a notice`, async () => {
    const added = await add({
      user_id: "search_r1",
      messages: [
        { role: "user", content: "The red kite nests in the oak." },
        { role: "user", content: "The red fox sleeps under the oak." },
      ],
    });
    const byId = await server.post("/product/search", { user_id: "search_r1", query: "red oak", filter: { and: [{ id: added[1]?.memory_id }] } });
    assert.equal(byId.status, 200, JSON.stringify(byId.body));
    assert.deepEqual(textHits(byId.body), ["The red fox sleeps under the oak."]);
    for (const kind of ["SkillMemory", "ToolSchemaMemory", "OuterMemory", "AllSummaryMemory"]) {
      const none = await server.post("/product/search", { user_id: "search_r1", query: "red oak", search_memory_type: kind });
      assert.equal(none.status, 200, JSON.stringify(none.body));
      assert.deepEqual(JSON.stringify(none.body.data.text_mem).includes("red"), false, kind);
    }
    const many = await server.post("/product/search", { user_id: "search_r1", query: "red oak", top_k: 500 });
    assert.equal(many.status, 200, JSON.stringify(many.body));
    assert.equal(many.body.message, "Search completed successfully");
    assert.equal(many.headers.get("x-memcube-notice"), "top_k 500 clamped to 100");
    const strict = await server.post("/product/search", { user_id: "search_r1", query: "red oak", relativity: 2 });
    assert.equal(strict.status, 200, JSON.stringify(strict.body));
    assert.equal(strict.headers.get("x-memcube-notice"), "relativity 2 clamped to 1");
  });
}

describe("MemOS requests on SQLite", () => {
  requestSuite("sqlite", () => ({}));
});

describe("MemOS requests on PostgreSQL", { skip: POSTGRES_SKIP }, () => {
  let schema: TestSchema;
  before(async () => {
    schema = await freshSchema("memos_requests");
  });
  requestSuite("postgres", () => ({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }));
  after(async () => {
    await schema.drop();
  });
});

describe("MemOS requests with API keys", () => {
  const KEYS = { "sk-ana-4b9d2e7f1c3a5068": "ana", "sk-ben-8e1f0a6c3d7b2945": "ben", "sk-root-1a2b3c4d5e6f7081": "*" };
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
  });
  after(() => server.cleanup());

  test("Authorization: Token <key> works as Bearer does", async () => {
    const added = await server.post("/product/add", { user_id: "ana", messages: "Ana reads poetry." }, { authorization: "Token sk-ana-4b9d2e7f1c3a5068" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const wrong = await server.post("/product/add", { user_id: "ana", messages: "x" }, { authorization: "Token sk-nobody-000000000000" });
    assert.equal(wrong.status, 401);
  });

  test("with no user_id the key decides the acting user, and never acts for another", async () => {
    const ana = { authorization: "Bearer sk-ana-4b9d2e7f1c3a5068" };
    const ben = { authorization: "Bearer sk-ben-8e1f0a6c3d7b2945" };
    const added = await server.post("/product/add", { messages: "Ana's own note." }, ana);
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.data[0].cube_id, "ana");
    const id = added.body.data[0].memory_id as string;
    // Ben's key, naming Ana's cube but no user: Ben acts, and Ben may not read or delete there.
    assert.equal((await server.post("/product/get_memory", { mem_cube_id: "ana" }, ben)).status, 403);
    assert.equal((await server.post("/product/add", { writable_cube_ids: ["ana"], messages: "intruder" }, ben)).status, 403);
    assert.notEqual((await server.get(`/product/get_memory/${id}`, ben)).status, 200);
    const benDelete = await server.post("/product/delete_memory", { memory_ids: [id] }, ben);
    assert.equal(benDelete.status, 403);
    assert.equal((await server.post("/product/delete_memory", { user_id: "ana" }, ben)).status, 403);
    assert.equal((await server.get(`/product/get_memory/${id}`, ana)).status, 200);
  });
});

describe("chat takes MemOS's history and sampling values", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig();
  });
  after(() => rig.close());

  test("tool messages in history, temperature 3 clamped to 2 and said in x-memcube-notice", async () => {
    const response = await rig.server.post("/product/chat/complete", {
      user_id: "chat_r1",
      query: "And tomorrow?",
      temperature: 3,
      history: [
        { role: "user", content: "Weather in Lisbon?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call-1", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } }],
        },
        { role: "tool", content: "Lisbon: sunny, 25°C.", tool_call_id: "call-1" },
      ],
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.headers.get("x-memcube-notice"), "temperature 3 clamped to 2");
    const body = rig.llm.requests.at(-1)?.body as RecordedBody & { temperature?: number };
    assert.equal(body.temperature, 2);
    const prompt = lastPrompt(rig.llm)
      .map((message) => message.content)
      .join("\n");
    assert.match(prompt, /\[tool call get_weather/);
    assert.match(prompt, /\[tool result\] Lisbon: sunny/);
  });
});
