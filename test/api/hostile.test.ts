/**
 * Hostile input: every limit, wrong types and enums, NUL bytes, odd Unicode, prototype keys and
 * oversized or endless bodies are a 4xx with the envelope, never a stack trace, and store nothing.
 * Query syntax of SQL and FTS5 inside text is ordinary text: stored and found as written.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { modelList } from "../support/chat.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestServer, textHits, type Json, type TestServer } from "../support/server.js";

let server: TestServer;
let llm: FakeOpenAI;
before(async () => {
  llm = await startFakeOpenAI();
  server = await startTestServer({
    CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)),
    MEMCUBE_BODY_LIMIT: "64kb",
    MEMCUBE_MAX_MESSAGES_PER_ADD: "5",
    MEMCUBE_MAX_MESSAGE_CHARS: "1000",
  });
  await server.post("/product/add", { user_id: "seeded", messages: "The seeded user's only memory" });
});
after(async () => {
  await server.cleanup();
  await llm.close();
});

const STACK = /at .*\.ts:\d+|node_modules|\n\s+at |Error:|TypeError|SqliteError|SQLITE_/;

function assertRefused(response: { status: number; body: Json }, status: number, label: string) {
  assert.equal(response.status, status, `${label}: ${JSON.stringify(response.body).slice(0, 300)}`);
  assert.equal(response.body.code, status, label);
  assert.equal(typeof response.body.message, "string", label);
  assert.equal(response.body.data, null, label);
  assert.doesNotMatch(JSON.stringify(response.body), STACK, label);
}

async function seededSnapshot(): Promise<string> {
  return JSON.stringify((await server.post("/product/get_all", { user_id: "seeded" })).body.data);
}

async function exists(cubeId: string): Promise<boolean> {
  return (await server.post("/product/exist_mem_cube_id", { user_id: "seeded", mem_cube_id: cubeId })).body.data[cubeId];
}

const NUL = "\u0000";
const deep = (levels: number) => {
  let value: unknown = "leaf";
  for (let level = 0; level < levels; level += 1) value = [value];
  return value;
};

// [name, route, body, status, message]: every request acts as "h" (whose cube must never appear).
const CASES: [string, string, unknown, number, RegExp][] = [
  // NUL bytes
  ["NUL in a message", "/product/add", { user_id: "h", messages: `before${NUL}after` }, 422, /^messages: must not contain NUL/],
  ["NUL in a listed message", "/product/add", { user_id: "h", messages: [{ role: "user", content: `x${NUL}` }] }, 422, /^messages\.0\.content: /],
  ["NUL in a tag", "/product/add", { user_id: "h", messages: "hi", custom_tags: [`t${NUL}`] }, 422, /^custom_tags\.0: must not contain NUL/],
  ["NUL in a query", "/product/search", { user_id: "h", query: `q${NUL}` }, 422, /^query: must not contain NUL/],
  ["NUL in search_query", "/product/get_all", { user_id: "h", search_query: NUL }, 422, /^search_query: must not contain NUL/],
  ["NUL in a chat query", "/product/chat/complete", { user_id: "h", query: `hi${NUL}` }, 422, /^query: must not contain NUL/],
  ["NUL in chat history", "/product/chat/stream", { user_id: "h", query: "hi", history: [{ role: "user", content: NUL }] }, 422, /^history\.0\.content: /],
  ["NUL in a system prompt", "/product/chat/complete", { user_id: "h", query: "hi", system_prompt: `a${NUL}` }, 422, /^system_prompt: /],
  ["NUL in a user id", "/product/add", { user_id: `h${NUL}`, messages: "hi" }, 422, /^user_id: must be 1-128/],
  ["NUL in a session id", "/product/add", { user_id: "h", session_id: NUL, messages: "hi" }, 422, /^session_id: must not contain control/],
  ["NUL in a cube name", "/product/create_cube", { owner_id: "h", cube_name: `n${NUL}` }, 422, /^cube_name: must not contain NUL/],
  // odd Unicode where ids allow only letters, digits and _ - . : @ (issue 17: Unicode letters and digits are ids)
  ["zero-width space in a cube id", "/product/search", { user_id: "h", readable_cube_ids: ["h\u200b"], query: "q" }, 422, /^readable_cube_ids\.0: /],
  ["path traversal as a cube id", "/product/delete_cube", { user_id: "h", cube_id: "../../etc/passwd" }, 422, /^cube_id: /],
  ["empty cube id", "/product/share_cube", { user_id: "h", cube_id: "", target_user_id: "x", access: "read" }, 422, /^cube_id: /],
  ["lone low surrogate", "/product/search", { user_id: "h", query: "\udc00 q" }, 422, /^query: contains an unpaired surrogate/],
  ["lone surrogate in a tag", "/product/add", { user_id: "h", messages: "hi", custom_tags: ["\ud800"] }, 422, /^custom_tags\.0: /],
  // wrong types
  ["user_id as a list", "/product/add", { user_id: ["h"], messages: "hi" }, 422, /^user_id: /],
  ["messages as a number", "/product/add", { user_id: "h", messages: 42 }, 422, /^messages: /],
  ["messages as an object", "/product/add", { user_id: "h", messages: { role: "user", content: "hi" } }, 422, /^messages: /],
  ["content as a number", "/product/add", { user_id: "h", messages: [{ role: "user", content: 7 }] }, 422, /^messages\.0\.content: /],
  ["cube list as a string", "/product/add", { user_id: "h", writable_cube_ids: "h", messages: "hi" }, 422, /^writable_cube_ids: /],
  ["info as a string", "/product/add", { user_id: "h", messages: "hi", info: "x" }, 422, /^info: /],
  ["tags as a string", "/product/add", { user_id: "h", messages: "hi", custom_tags: "x" }, 422, /^custom_tags: /],
  ["top_k as a string", "/product/search", { user_id: "h", query: "q", top_k: "5" }, 422, /^top_k: /],
  ["top_k huge", "/product/search", { user_id: "h", query: "q", top_k: 1e300 }, 422, /^top_k: /],
  ["top_k negative", "/product/search", { user_id: "h", query: "q", top_k: -1 }, 422, /^top_k: /],
  ["filter as a list", "/product/search", { user_id: "h", query: "q", filter: [] }, 422, /^filter: /],
  ["filter on an unknown field", "/product/search", { user_id: "h", query: "q", filter: { "1=1; DROP TABLE memories": 1 } }, 422, /unknown filter field/],
  ["filter with an SQL operator", "/product/search", { user_id: "h", query: "q", filter: { session_id: { "= 1 OR 1=1 --": "x" } } }, 422, /unknown operator/],
  ["filter on an odd info key", "/product/search", { user_id: "h", query: "q", filter: { "info.a') OR ('1": "x" } }, 422, /unknown filter field/],
  ["page zero", "/product/get_all", { user_id: "h", page: 0 }, 422, /^page: /],
  ["page_size too large", "/product/get_memory", { user_id: "h", mem_cube_id: "h", page: 1, page_size: 100000 }, 422, /^page_size: /],
  ["temperature as a string", "/product/chat/complete", { user_id: "h", query: "q", temperature: "hot" }, 422, /^temperature: /],
  ["history as a string", "/product/chat/complete", { user_id: "h", query: "q", history: "earlier" }, 422, /^history: /],
  ["memory ids as a string", "/product/delete_memory", { user_id: "h", memory_ids: "all" }, 422, /^memory_ids: /],
  ["boolean as a string", "/product/search", { user_id: "h", query: "q", include_preference: "yes" }, 422, /^include_preference: /],
  // wrong enums
  ["role", "/product/add", { user_id: "h", messages: [{ role: "robot", content: "hi" }] }, 422, /^messages\.0\.role: /],
  [
    "tool message without tool_call_id",
    "/product/add",
    { user_id: "h", messages: [{ role: "tool", content: "hi" }] },
    422,
    /^messages\.0\.tool_call_id: field required/,
  ],
  ["async_mode", "/product/add", { user_id: "h", messages: "hi", async_mode: "later" }, 422, /^async_mode: /],
  ["dedup", "/product/search", { user_id: "h", query: "q", dedup: "maybe" }, 422, /^dedup: /],
  ["memory_type", "/product/get_all", { user_id: "h", memory_type: "no_such_mem" }, 422, /^memory_type: /],
  ["access", "/product/share_cube", { user_id: "h", cube_id: "h", target_user_id: "x", access: "owner" }, 422, /^access: /],
  ["chat mode", "/product/chat/complete", { user_id: "h", query: "q", mode: "turbo" }, 422, /^mode: /],
  // limits
  [
    "six messages (limit 5)",
    "/product/add",
    { user_id: "h", messages: Array.from({ length: 6 }, (_, i) => ({ role: "user", content: `m${i}` })) },
    422,
    /^messages: more than 5/,
  ],
  ["1,001 characters (limit 1,000)", "/product/add", { user_id: "h", messages: "x".repeat(1001) }, 422, /^messages: longer than 1000/],
  ["a query over the limit", "/product/search", { user_id: "h", query: "q".repeat(1001) }, 422, /^query: longer than 1000/],
  ["nesting 40 deep in info", "/product/add", { user_id: "h", messages: "hi", info: { a: deep(40) } }, 422, /nested deeper than 32/],
  ["nesting 40 deep in a filter", "/product/search", { user_id: "h", query: "q", filter: { and: deep(40) } }, 422, /nested deeper than 32/],
  ["nesting 40 deep in chat", "/product/chat/complete", { user_id: "h", query: "q", extra: deep(40) }, 422, /nested deeper than 32/],
  ["129-character user id", "/product/add", { user_id: "u".repeat(129), messages: "hi" }, 422, /^user_id: /],
  [
    "101 cubes",
    "/product/search",
    { user_id: "h", query: "q", readable_cube_ids: Array.from({ length: 101 }, (_, i) => `c${i}`) },
    422,
    /^readable_cube_ids: /,
  ],
  // prototype keys
  ["__proto__ instead of user_id", "/product/add", JSON.parse('{"__proto__": {"user_id": "seeded"}, "messages": "hi"}'), 422, /^user_id: field required/],
  ["constructor as user_id", "/product/search", { user_id: { constructor: "x" }, query: "q" }, 422, /^user_id: /],
];

describe("hostile input → 4xx, envelope, nothing stored", () => {
  for (const [name, route, body, status, message] of CASES) {
    test(`${name} → ${status}`, async () => {
      const before = await seededSnapshot();
      const response = await server.post(route, body);
      assertRefused(response, status, name);
      assert.match(response.body.message, message);
      assert.equal(await exists("h"), false, `${name}: a cube was created`);
      assert.equal(await seededSnapshot(), before, `${name}: the seeded user's data changed`);
    });
  }

  test("hostile query strings and path segments on the GET and scheduler routes", async () => {
    const cases: [string, number][] = [
      ["/product/get_memory/not-a-uuid?user_id=h", 422],
      ["/product/get_memory/..%2F..%2Fetc%2Fpasswd?user_id=h", 422],
      [`/product/get_memory/${crypto.randomUUID()}?user_id=h%00`, 422],
      [`/product/get_memory/${crypto.randomUUID()}?user_id=%E0%A4%A`, 422],
      ["/product/scheduler/status?user_id=h&task_id=%00", 422],
      ["/product/scheduler/status?user_id=%F0%9F%92%A9", 422],
    ];
    for (const [route, status] of cases) assertRefused(await server.get(route), status, route);
    // `user_id[]` is not user_id: it is ignored, as MemOS ignores unknown parameters, and user_id is optional here.
    const bracketed = await server.get(`/product/get_memory/${crypto.randomUUID()}?user_id[]=h`);
    assert.ok([200, 404].includes(bracketed.status), JSON.stringify(bracketed.body));
    // A repeated parameter: the first value counts, and the request acts for that user only.
    const repeated = await server.get("/product/scheduler/status?user_id=h&user_id=seeded");
    assert.deepEqual(repeated.body, { code: 200, message: "Memory get status successfully", data: [] });
    for (const route of [
      "/product/scheduler/wait?user_name=h&timeout_seconds=-1",
      "/product/scheduler/wait?user_name=h&timeout_seconds=1e9",
      "/product/scheduler/wait?user_name=h&poll_interval=NaN",
      "/product/scheduler/wait?user_name=h&timeout_seconds=Infinity",
    ]) {
      assertRefused(await server.post(route, {}), 422, route);
    }
  });

  test("a prototype key inside info is stored as data and pollutes nothing", async () => {
    const body = JSON.parse(
      '{"user_id": "proto", "messages": "hi", "info": {"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}}',
    );
    const response = await server.post("/product/add", body);
    assert.equal(response.status, 200);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as unknown as Record<string, unknown>).polluted, undefined);
  });

  test("bodies over the limit are 413 on every POST route, with or without a content-length", async () => {
    const huge = JSON.stringify({ user_id: "h", messages: "x".repeat(70 * 1024) });
    for (const route of [
      "/product/add",
      "/product/search",
      "/product/chat/complete",
      "/product/chat/stream",
      "/product/get_all",
      "/product/delete_memory",
      "/product/create_cube",
      "/product/scheduler/wait?user_name=h",
    ]) {
      assertRefused(await server.post(route, huge), 413, route);
    }
    // Chunked, so the server only finds out while reading.
    const chunks = Array.from({ length: 40 }, () => new TextEncoder().encode("x".repeat(4096)));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"user_id": "h", "messages": "'));
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/product/add`, {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    });
    assert.equal(response.status, 413);
    assertRefused({ status: response.status, body: await response.json() }, 413, "chunked");
    assert.equal(await exists("h"), false);
  });

  test("malformed and non-object JSON, and bodies that are not text", async () => {
    const bodies = [
      '{"user_id": "h",',
      "[]",
      '"just a string"',
      "null",
      "42",
      '{"user_id": "h", "messages": "hi"}}',
      "\u0000\u0001\u0002",
      "\ufeff{}",
      "{'user_id': 'h'}",
    ];
    for (const body of bodies) {
      const response = await server.post("/product/add", body);
      assert.ok([400, 422].includes(response.status), `${JSON.stringify(body)} → ${response.status}`);
      assertRefused(response, response.status, JSON.stringify(body));
    }
    const binary = await fetch(`${server.url}/product/search`, { method: "POST", body: new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0x80]) });
    assert.equal(binary.status, 400);
    assert.equal(await exists("h"), false);
    assert.equal((await server.get("/health")).status, 200);
  });
});

describe("SQL and FTS5 syntax is ordinary text", () => {
  const TEXTS = [
    'She said "hello" and left',
    "Stars * everywhere * tonight",
    "NEAR(apples oranges, 2) is a query operator",
    "cats OR dogs AND NOT birds",
    "' OR 1=1 -- robert'); DROP TABLE memories;--",
    'unbalanced "quote and (paren',
    "column:filter ^prefix {curly} [bracket]",
    "100% sure_about that\\escape",
  ];

  test("stored as written, listed as written, and found by searching for it", async () => {
    for (const text of TEXTS) {
      const added = await server.post("/product/add", { user_id: "sqler", messages: text });
      assert.equal(added.status, 200, text);
      assert.equal(added.body.data[0].memory, text);
    }
    const listed = await server.post("/product/get_all", { user_id: "sqler" });
    assert.deepEqual(listed.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory).sort(), [...TEXTS].sort());
    for (const text of TEXTS) {
      const found = await server.post("/product/search", { user_id: "sqler", query: text, top_k: 3 });
      assert.equal(found.status, 200, text);
      assert.ok(textHits(found.body).includes(text), `${text} not found: ${JSON.stringify(textHits(found.body))}`);
    }
    // Bare operators find what contains them as words, and nothing breaks.
    for (const query of ['"', "*", "NEAR(", "OR", "' OR 1=1 --", "%", "_", "\\", ")", "AND NOT"]) {
      const response = await server.post("/product/search", { user_id: "sqler", query });
      assert.equal(response.status, 200, query);
    }
    assert.ok(textHits((await server.post("/product/search", { user_id: "sqler", query: "NEAR(" })).body).includes(TEXTS[2] as string));
    // search_query is a substring match of the text itself: % and _ are not wildcards.
    const percent = await server.post("/product/get_all", { user_id: "sqler", search_query: "100%" });
    assert.deepEqual(
      percent.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory),
      [TEXTS[7]],
    );
    const underscore = await server.post("/product/get_all", { user_id: "sqler", search_query: "_" });
    assert.deepEqual(
      underscore.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory),
      [TEXTS[7]],
    );
    // Filters take such text as a value.
    const filtered = await server.post("/product/search", { user_id: "sqler", query: "robert", filter: { session_id: "' OR 1=1 --" } });
    assert.deepEqual(filtered.body.data.text_mem[0].memories, []);
  });

  test("such text deletes only what it names", async () => {
    await server.post("/product/add", { user_id: "sqler2", session_id: "' OR ''='", messages: "in the odd session" });
    await server.post("/product/add", { user_id: "sqler2", messages: "in the default session" });
    const deleted = await server.post("/product/delete_memory", { user_id: "sqler2", session_id: "' OR ''='" });
    assert.equal(deleted.body.data.deleted, 1);
    const left = await server.post("/product/get_all", { user_id: "sqler2" });
    assert.deepEqual(
      left.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory),
      ["in the default session"],
    );
  });
});
