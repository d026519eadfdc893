import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, textHits, type TestServer } from "../support/server.js";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.cleanup());

const conversation = [
  { role: "user", content: "I love hiking in the mountains every summer", chat_time: "2026-06-01 09:00:00", message_id: "m1" },
  { role: "assistant", content: "That sounds wonderful. Which mountains do you usually visit?", chat_time: "2026-06-01 09:00:05", message_id: "m2" },
  { role: "user", content: "Mostly the Dolomites. My sister Anna lives in Bolzano.", chat_time: "2026-06-01T09:01:00+02:00", message_id: "m3" },
  { role: "user", content: "The quarterly budget report is due on Friday", message_id: "m4" },
  { role: "user", content: "我暑假定好去广州旅游，想住连锁酒店", message_id: "m5" },
  { role: "assistant", content: "广州有很多连锁酒店，比如汉庭和如家。", message_id: "m6" },
  { role: "user", content: "Я живу в Москве и работаю программистом", message_id: "m7" },
];

describe("add then search", () => {
  before(async () => {
    const response = await server.post("/product/add", { user_id: "alice", messages: conversation, session_id: "trip" });
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });

  test("add answers one memory per message, as written, in the user's own cube", async () => {
    const response = await server.post("/product/add", {
      user_id: "bob",
      messages: [
        { role: "user", content: "I am allergic to peanuts" },
        { role: "assistant", content: "Noted, I will avoid peanuts." },
      ],
    });
    assert.equal(response.body.code, 200);
    assert.deepEqual(
      response.body.data.map((item: { memory: string; memory_type: string; cube_id: string }) => [item.memory, item.memory_type, item.cube_id]),
      [
        ["I am allergic to peanuts", "UserMemory", "bob"],
        ["Noted, I will avoid peanuts.", "LongTermMemory", "bob"],
      ],
    );
    assert.match(response.body.data[0].memory_id, /^[0-9a-f-]{36}$/);
  });

  test("finds an English memory by meaning, with no shared words", async () => {
    const response = await server.post("/product/search", { user_id: "alice", query: "What do I like to do outdoors?", top_k: 3 });
    assert.equal(response.status, 200);
    assert.equal(textHits(response.body)[0], "I love hiking in the mountains every summer");
  });

  test("finds Chinese memories by keywords", async () => {
    const response = await server.post("/product/search", { user_id: "alice", query: "广州有哪些酒店？", top_k: 3 });
    const hits = textHits(response.body);
    assert.ok(hits.includes("我暑假定好去广州旅游，想住连锁酒店"), hits.join(" | "));
    assert.ok(hits.includes("广州有很多连锁酒店，比如汉庭和如家。"), hits.join(" | "));
    assert.ok(!hits.includes("The quarterly budget report is due on Friday"));
  });

  test("finds memories in other scripts by keywords", async () => {
    const response = await server.post("/product/search", { user_id: "alice", query: "программистом", top_k: 2 });
    assert.equal(textHits(response.body)[0], "Я живу в Москве и работаю программистом");
  });

  test("search items carry the MemOS fields, the source message and a relativity in 0..1", async () => {
    const response = await server.post("/product/search", { user_id: "alice", query: "Dolomites sister Bolzano", top_k: 1 });
    const item = response.body.data.text_mem[0].memories[0];
    assert.equal(item.memory, "Mostly the Dolomites. My sister Anna lives in Bolzano.");
    assert.equal(item.ref_id, `[${item.id.split("-")[0]}]`);
    assert.equal(item.metadata.memory_type, "UserMemory");
    assert.equal(item.metadata.session_id, "trip");
    assert.equal(item.metadata.status, "activated");
    assert.equal(item.metadata.chat_time, "2026-06-01T07:01:00.000Z");
    assert.deepEqual(item.metadata.sources, [
      {
        type: "chat",
        role: "user",
        chat_time: "2026-06-01T07:01:00.000Z",
        message_id: "m3",
        content: "Mostly the Dolomites. My sister Anna lives in Bolzano.",
        doc_path: null,
        file_info: null,
        image_info: null,
      },
    ]);
    assert.ok(item.metadata.relativity > 0 && item.metadata.relativity <= 1);
    // MemOS repeats the item inside its metadata and sends every metadata key, empty or null.
    assert.equal(item.metadata.id, item.id);
    assert.equal(item.metadata.memory, item.memory);
    assert.equal(item.metadata.ref_id, item.ref_id);
    assert.deepEqual(
      [item.metadata.embedding, item.metadata.usage, item.metadata.evolve_to, item.metadata.history, item.metadata.file_ids],
      [[], [], [], [], []],
    );
    assert.deepEqual([item.metadata.version, item.metadata.is_fast, item.metadata.type, item.metadata.visibility], [1, null, null, null]);
    assert.equal(response.body.message, "Search completed successfully");
    // Fast mode: the user's own stated preference is listed in pref_mem, the same memory as in text_mem.
    const preferences = response.body.data.pref_mem[0].memories as { memory: string; metadata: { memory_type: string; preference_type: string } }[];
    assert.deepEqual(
      preferences.map((hit) => [hit.memory, hit.metadata.memory_type, hit.metadata.preference_type]),
      [["I love hiking in the mountains every summer", "PreferenceMemory", "explicit_preference"]],
    );
    assert.deepEqual(response.body.data.tool_mem, [{ cube_id: "alice", memories: [], total_nodes: 0 }]);
    assert.deepEqual(response.body.data.skill_mem, [{ cube_id: "alice", memories: [], total_nodes: 0 }]);
    assert.match(response.body.data.pref_string, /^Explicit Preference:\n1\. I love hiking in the mountains every summer\n/);
    assert.deepEqual(response.body.data.act_mem, []);
  });

  test("top_k bounds the results and relativity cuts weak ones", async () => {
    const all = await server.post("/product/search", { user_id: "alice", query: "mountains hiking summer", top_k: 2 });
    assert.equal(textHits(all.body).length, 2);
    const strict = await server.post("/product/search", { user_id: "alice", query: "mountains hiking summer", relativity: 0.99 });
    for (const item of strict.body.data.text_mem[0].memories) assert.ok(item.metadata.relativity >= 0.99);
    const none = await server.post("/product/search", { user_id: "alice", query: "zebra xylophone quantum", relativity: 0.5 });
    assert.deepEqual(textHits(none.body), []);
  });

  test("re-adding a message id is a no-op that returns the memory already stored", async () => {
    const first = await server.post("/product/add", { user_id: "carol", messages: [{ role: "user", content: "I drive a red bicycle", message_id: "c-1" }] });
    const again = await server.post("/product/add", {
      user_id: "carol",
      messages: [
        { role: "user", content: "I drive a red bicycle (retried)", message_id: "c-1" },
        { role: "user", content: "I also have a blue scooter", message_id: "c-2" },
      ],
    });
    assert.equal(again.body.data[0].memory_id, first.body.data[0].memory_id);
    assert.equal(again.body.data[0].memory, "I drive a red bicycle");
    const listed = await server.post("/product/get_all", { user_id: "carol" });
    assert.equal(listed.body.data[0].total_nodes, 2);
  });

  test("a string message is one user message; system messages are kept", async () => {
    const response = await server.post("/product/add", { user_id: "dave", messages: "I prefer window seats on planes" });
    assert.equal(response.body.data[0].memory_type, "UserMemory");
    const system = await server.post("/product/add", { user_id: "dave", messages: [{ role: "system", content: "The user is a frequent flyer" }] });
    assert.equal(system.body.data[0].memory_type, "LongTermMemory");
  });

  test("OpenAI-style content parts are joined", async () => {
    const response = await server.post("/product/add", {
      user_id: "erin",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "My cat is called" },
            { type: "text", text: "Miso" },
          ],
        },
      ],
    });
    assert.equal(response.body.data[0].memory, "My cat is called\nMiso");
  });

  test("one add writes to every writable cube", async () => {
    const response = await server.post("/product/add", {
      user_id: "frank",
      writable_cube_ids: ["frank-work", "frank-home"],
      messages: [{ role: "user", content: "I start a new job at Contoso in March" }],
    });
    assert.deepEqual(
      response.body.data.map((item: { cube_id: string }) => item.cube_id),
      ["frank-work", "frank-home"],
    );
    const search = await server.post("/product/search", { user_id: "frank", readable_cube_ids: ["frank-home", "frank-work"], query: "Contoso job" });
    assert.deepEqual(
      search.body.data.text_mem.map((bucket: { cube_id: string }) => bucket.cube_id),
      ["frank-home", "frank-work"],
    );
    assert.deepEqual(textHits(search.body, "frank-work"), ["I start a new job at Contoso in March"]);
  });
});

describe("search options", () => {
  before(async () => {
    await server.post("/product/add", {
      user_id: "gina",
      session_id: "s-old",
      custom_tags: ["travel"],
      info: { source_app: "planner", priority: 2 },
      messages: [{ role: "user", content: "Book a hotel in Lisbon near the river", chat_time: "2026-01-10 10:00:00" }],
    });
    await server.post("/product/add", {
      user_id: "gina",
      session_id: "s-new",
      messages: [
        { role: "user", content: "Book a hotel in Lisbon near the castle", chat_time: "2026-03-10 10:00:00" },
        { role: "user", content: "Book a hotel in Lisbon near the river", chat_time: "2026-03-11 10:00:00" },
      ],
    });
  });

  test("filter by session, tags, info and time", async () => {
    const query = { user_id: "gina", query: "hotel in Lisbon", dedup: "no" };
    const bySession = await server.post("/product/search", { ...query, filter: { session_id: "s-old" } });
    assert.deepEqual(textHits(bySession.body), ["Book a hotel in Lisbon near the river"]);
    const byTag = await server.post("/product/search", { ...query, filter: { tags: { contains: "travel" } } });
    assert.equal(textHits(byTag.body).length, 1);
    const byInfo = await server.post("/product/search", { ...query, filter: { and: [{ "info.source_app": "planner" }, { "info.priority": { gte: 2 } }] } });
    assert.equal(textHits(byInfo.body).length, 1);
    const byTime = await server.post("/product/search", { ...query, filter: { chat_time: { gte: "2026-03-01" } } });
    assert.equal(textHits(byTime.body).length, 2);
    const either = await server.post("/product/search", { ...query, filter: { or: [{ session_id: "s-old" }, { chat_time: { lt: "2026-03-11" } }] } });
    assert.equal(textHits(either.body).length, 2);
  });

  test("an unknown filter field or operator is a 422 naming it", async () => {
    const field = await server.post("/product/search", { user_id: "gina", query: "x", filter: { password: "x" } });
    assert.equal(field.status, 422);
    assert.match(field.body.message, /^filter\.password: /);
    const operator = await server.post("/product/search", { user_id: "gina", query: "x", filter: { chat_time: { near: 1 } } });
    assert.equal(operator.status, 422);
    assert.match(operator.body.message, /^filter\.chat_time\.near: unknown operator/);
    const tagRange = await server.post("/product/search", { user_id: "gina", query: "x", filter: { tags: { gt: "a" } } });
    assert.equal(tagRange.status, 422);
    assert.match(tagRange.body.message, /^filter\.tags\.gt: tags support/);
  });

  test("mmr drops an exact duplicate that dedup 'no' keeps", async () => {
    const query = { user_id: "gina", query: "hotel Lisbon river" };
    const kept = textHits((await server.post("/product/search", { ...query, dedup: "no" })).body);
    const deduped = textHits((await server.post("/product/search", { ...query, dedup: "mmr" })).body);
    assert.equal(kept.filter((text) => text === "Book a hotel in Lisbon near the river").length, 2);
    assert.equal(deduped.filter((text) => text === "Book a hotel in Lisbon near the river").length, 1);
  });

  test("results come best first, whatever the dedup", async () => {
    for (const dedup of ["mmr", "sim", "no"]) {
      const response = await server.post("/product/search", { user_id: "alice", query: "hiking mountains sister Dolomites", dedup, top_k: 10 });
      const scores = response.body.data.text_mem[0].memories.map((item: { metadata: { relativity: number } }) => item.metadata.relativity);
      assert.deepEqual(
        scores,
        [...scores].sort((a: number, b: number) => b - a),
        dedup,
      );
    }
  });

  test("scores depend only on the cubes searched, never on what other users stored", async () => {
    await server.post("/product/add", { user_id: "iso-a", messages: "苹果 派 好吃" });
    const score = async () =>
      (await server.post("/product/search", { user_id: "iso-a", query: "苹果 斑马" })).body.data.text_mem[0].memories[0].metadata.relativity;
    const before = await score();
    await server.post("/product/add", { user_id: "iso-b", messages: ["我的 斑马 密码", "斑马 斑马"].join("\n") });
    assert.equal(await score(), before);
  });

  test("session_id lifts that session's memories, but never an irrelevant one", async () => {
    const unrelated = await server.post("/product/search", { user_id: "gina", query: "zebra xylophone quantum", session_id: "s-old" });
    assert.deepEqual(textHits(unrelated.body), []);
    const query = { user_id: "gina", query: "Book a hotel in Lisbon", dedup: "no" };
    const boosted = await server.post("/product/search", { ...query, session_id: "s-old" });
    assert.equal(boosted.body.data.text_mem[0].memories[0].metadata.session_id, "s-old");
  });
});
