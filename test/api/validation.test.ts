import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
before(async () => {
  server = await startTestServer({ MEMCUBE_BODY_LIMIT: "64kb", MEMCUBE_MAX_MESSAGES_PER_ADD: "5", MEMCUBE_MAX_MESSAGE_CHARS: "1000" });
});
after(() => server.cleanup());

async function expectNothingStored(userId: string) {
  const exists = await server.post("/product/exist_mem_cube_id", { user_id: userId, mem_cube_id: userId });
  assert.equal(exists.body.data[userId], false, `cube ${userId} should not exist`);
}

function assertEnvelope(body: { code: number; message: string; data: unknown }, status: number) {
  assert.equal(body.code, status);
  assert.equal(typeof body.message, "string");
  assert.equal(body.data, null);
  assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+|node_modules|Error:/);
}

describe("validation", () => {
  const cases: [string, string, unknown, RegExp][] = [
    ["missing user_id", "/product/add", { messages: "hi" }, /^user_id: field required/],
    ["bad user id characters", "/product/add", { user_id: "bad id!", messages: "hi" }, /^user_id: must be 1-128 Unicode letters/],
    ["too long id", "/product/add", { user_id: "x".repeat(129), messages: "hi" }, /^user_id: /],
    ["wrong type", "/product/add", { user_id: 42, messages: "hi" }, /^user_id: expected string/],
    ["bad role", "/product/add", { user_id: "v1", messages: [{ role: "robot", content: "hi" }] }, /^messages\.0\.role: /],
    [
      "too many messages",
      "/product/add",
      { user_id: "v1", messages: Array.from({ length: 6 }, () => ({ role: "user", content: "x" })) },
      /^messages: more than 5 messages/,
    ],
    ["too long message", "/product/add", { user_id: "v1", messages: [{ role: "user", content: "x".repeat(1001) }] }, /^messages\.0\.content: longer than 1000/],
    ["bad mode enum", "/product/add", { user_id: "v1", messages: "hi", mode: "slow" }, /^mode: /],
    ["empty cube list", "/product/add", { user_id: "v1", writable_cube_ids: [], messages: "hi" }, /^writable_cube_ids: must name at least one cube/],
    ["control characters in session", "/product/add", { user_id: "v1", session_id: "a\u0000b", messages: "hi" }, /^session_id: must not contain control/],
    ["top_k zero", "/product/search", { user_id: "v1", query: "q", top_k: 0 }, /^top_k: /],
    ["top_k fractional", "/product/search", { user_id: "v1", query: "q", top_k: 2.5 }, /^top_k: /],
    ["relativity out of range", "/product/search", { user_id: "v1", query: "q", relativity: -0.5 }, /^relativity: /],
    ["empty query", "/product/search", { user_id: "v1", query: "" }, /^query: /],
    ["bad memory id", "/product/delete_memory", { user_id: "v1", memory_ids: ["nope"] }, /^memory_ids\.0: must be a memory id/],
    ["bad share access", "/product/share_cube", { user_id: "v1", cube_id: "c", target_user_id: "t", access: "admin" }, /^access: /],
    ["blank query", "/product/search", { user_id: "v1", query: " \n " }, /^query: must not be empty or blank/],
    ["lone surrogate in text", "/product/add", { user_id: "v1", messages: "x \ud83d y" }, /^messages: contains an unpaired surrogate/],
    [
      "lone surrogate in message id",
      "/product/add",
      { user_id: "v1", messages: [{ role: "user", content: "hi", message_id: "\ud800" }] },
      /^messages\.0\.message_id: contains an unpaired surrogate/,
    ],
    [
      "huge in-list",
      "/product/search",
      { user_id: "v1", query: "q", filter: { session_id: { in: Array.from({ length: 1001 }, (_, i) => `s${i}`) } } },
      /^filter\.session_id\.in: more than 1000 values/,
    ],
    [
      "too many conditions",
      "/product/search",
      { user_id: "v1", query: "q", filter: { or: Array.from({ length: 101 }, (_, i) => ({ session_id: `s${i}` })) } },
      /^filter: more than 100 conditions/,
    ],
  ];
  for (const [name, route, body, message] of cases) {
    test(`${name} → 422 naming the field`, async () => {
      const response = await server.post(route, body);
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assertEnvelope(response.body, 422);
      assert.match(response.body.message, message);
      assert.ok(Array.isArray(response.body.detail) && response.body.detail.length > 0);
      await expectNothingStored("v1");
    });
  }

  test("what MemOS takes is taken: empty and blank messages (nothing stored), free-text and impossible chat_time (kept as given)", async () => {
    for (const messages of [[{ role: "user", content: "" }], [], "   "]) {
      const added = await server.post("/product/add", { user_id: "v8", messages });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.deepEqual(added.body.data, []);
    }
    for (const chatTime of ["yesterday", "2026-02-30 10:00:00"]) {
      const added = await server.post("/product/add", { user_id: "v8", messages: [{ role: "user", content: "hi there", chat_time: chatTime }] });
      assert.equal(added.status, 200, JSON.stringify(added.body));
    }
  });

  test("emoji, right-to-left text and combining marks are stored and returned as written", async () => {
    const odd = "👩‍👩‍👧 שלום עולם ﷽ e\u0301 \u200b zero-width";
    const added = await server.post("/product/add", { user_id: "v7", messages: odd });
    assert.equal(added.body.data[0].memory, odd);
    const listed = await server.post("/product/get_all", { user_id: "v7" });
    assert.equal(listed.body.data[0].memories[0].nodes[0].memory, odd);
  });

  test("a 100,000-character message in a segmented script is stored and searched quickly", async () => {
    let korean = "";
    for (let index = 0; korean.length < 100_000; index += 1)
      korean += `${String.fromCharCode(0xac00 + ((index * 7919) % 11000))}${String.fromCharCode(0xac00 + ((index * 104729) % 11000))} `;
    const big = await startTestServer();
    try {
      const added = await big.post("/product/add", { user_id: "ko", messages: korean.slice(0, 100_000) });
      assert.equal(added.status, 200);
      const search = await big.post("/product/search", { user_id: "ko", query: korean.slice(0, 5_000) });
      assert.equal(search.status, 200);
      assert.equal((await big.get("/health")).status, 200);
    } finally {
      await big.cleanup();
    }
  });

  test("null means absent and unknown fields are ignored", async () => {
    const response = await server.post("/product/add", {
      user_id: "v2",
      writable_cube_ids: null,
      session_id: null,
      mode: null,
      mem_cube_id: null,
      internet_search: true,
      moscube: false,
      operation: [{ anything: 1 }],
      messages: [{ role: "user", content: "null tolerant", chat_time: null, message_id: null, extra: "ignored" }],
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.data[0].cube_id, "v2");
    const search = await server.post("/product/search", { user_id: "v2", query: "null tolerant", top_k: null, filter: null, readable_cube_ids: null });
    assert.equal(search.status, 200);
    assert.equal(search.body.data.text_mem[0].memories[0].metadata.session_id, "default_session");
  });

  test("the deprecated mem_cube_id names the cube to read and write", async () => {
    const added = await server.post("/product/add", { user_id: "v3", mem_cube_id: "v3-legacy", messages: "legacy client memory" });
    assert.equal(added.body.data[0].cube_id, "v3-legacy");
    const search = await server.post("/product/search", { user_id: "v3", mem_cube_id: "v3-legacy", query: "legacy client" });
    assert.equal(search.body.data.text_mem[0].cube_id, "v3-legacy");
  });

  test("malformed JSON → 400 with the envelope", async () => {
    const response = await server.post("/product/add", '{"user_id": "v1", "messages": ');
    assert.equal(response.status, 400);
    assertEnvelope(response.body, 400);
    assert.match(response.body.message, /malformed JSON/);
  });

  test("a JSON body that is not an object → 422", async () => {
    const response = await server.post("/product/search", "[1, 2, 3]");
    assert.equal(response.status, 422);
  });

  test("a body over the limit → 413 with the envelope", async () => {
    const response = await server.post("/product/add", { user_id: "v1", messages: "x".repeat(70 * 1024) });
    assert.equal(response.status, 413);
    assertEnvelope(response.body, 413);
    await expectNothingStored("v1");
  });

  test("nesting deeper than the limit → 422", async () => {
    let info: unknown = "leaf";
    for (let level = 0; level < 40; level += 1) info = { deeper: info };
    const response = await server.post("/product/add", { user_id: "v1", messages: "hi", info });
    assert.equal(response.status, 422);
    assert.match(response.body.message, /nested deeper than 32 levels/);
    await expectNothingStored("v1");
  });

  test("a body sent without a JSON content type is still read as JSON", async () => {
    const response = await server.post("/product/add", JSON.stringify({ user_id: "v4", messages: "form-encoded curl" }), {
      "content-type": "application/x-www-form-urlencoded",
    });
    assert.equal(response.status, 200);
  });

  test("access is checked before the mode: fine mode on another user's cube is a 403", async () => {
    await server.post("/product/add", { user_id: "v8", messages: "mine" });
    const response = await server.post("/product/add", { user_id: "v9", writable_cube_ids: ["v8"], messages: "hi", mode: "fine" });
    assert.equal(response.status, 403);
  });

  test("mode fine without an extraction model → 400 saying so", async () => {
    const response = await server.post("/product/add", { user_id: "v5", messages: "hi", mode: "fine" });
    assert.equal(response.status, 400);
    assert.match(response.body.message, /^mode: .*needs an extraction model.*use mode 'fast'/);
    await expectNothingStored("v5");
  });

  test("unknown routes → 404 with the envelope; every response has a request id", async () => {
    const response = await server.post("/product/nothing", {});
    assert.equal(response.status, 404);
    assertEnvelope(response.body, 404);
    assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const traced = await server.post("/product/search", { user_id: "v1", query: "q" }, { "trace-id": "trace-abc.123" });
    assert.equal(traced.headers.get("x-request-id"), "trace-abc.123");
  });
});

describe("chat without models", () => {
  test("chat with no CHAT_MODEL_LIST → 503 that says how to set it, in both endpoints", async () => {
    for (const route of ["/product/chat/complete", "/product/chat/stream"]) {
      const response = await server.post(route, { user_id: "v6", query: "hello" });
      assert.equal(response.status, 503, route);
      assertEnvelope(response.body, 503);
      assert.match(response.body.message, /CHAT_MODEL_LIST=\[/);
    }
    const models = await server.get("/product/models");
    assert.deepEqual(models.body.data, { default_model: null, models: [] });
    await expectNothingStored("v6");
  });
});

describe("service routes", () => {
  test("/health", async () => {
    const response = await server.get("/health");
    assert.equal(response.status, 200);
    assert.equal(response.body.status, "healthy");
    assert.equal(response.body.service, "memcube");
    assert.match(response.body.version, /^\d+\.\d+\.\d+/);
  });

  test("/openapi.json documents every product route from the validating schemas", async () => {
    const response = await server.get("/openapi.json");
    const paths = Object.keys(response.body.paths);
    for (const route of [
      "/product/add",
      "/product/search",
      "/product/get_all",
      "/product/get_memory",
      "/product/get_memory/{id}",
      "/product/delete_memory",
      "/product/create_cube",
      "/product/exist_mem_cube_id",
      "/product/share_cube",
      "/product/delete_cube",
      "/health",
    ]) {
      assert.ok(paths.includes(route), `${route} missing from ${paths.join(", ")}`);
    }
    const add = response.body.components.schemas.AddRequest;
    // MemOS requires none of add's fields: user_id follows from the key or the cube, messages may be memory_content.
    assert.equal(add.required, undefined);
    assert.equal(add.properties.session_id.default, "default_session");
  });

  test("/docs serves Swagger UI with its assets from memcube itself", async () => {
    const page = await server.get("/docs");
    assert.equal(page.status, 200);
    assert.match(page.body, /\/docs\/assets\/swagger-ui-bundle\.js/);
    assert.doesNotMatch(page.body, /https?:\/\//);
    const asset = await fetch(`${server.url}/docs/assets/swagger-ui-bundle.js`);
    assert.equal(asset.status, 200);
    assert.ok((await asset.text()).length > 100_000);
  });
});
