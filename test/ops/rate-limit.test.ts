import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RateLimiter } from "../../src/ops/rate-limit.js";
import { startTestServer, type TestServer } from "../support/server.js";

const KEYS = { "sk-alice-5f1d0c9e7a2b4c68": "alice", "sk-bob-0b8e6f3a9c1d2e47a": "bob" };
const ALICE = { authorization: "Bearer sk-alice-5f1d0c9e7a2b4c68" };
const BOB = { authorization: "Bearer sk-bob-0b8e6f3a9c1d2e47a" };

describe("RateLimiter", () => {
  test("a burst up to the limit, then one request per 60/limit seconds", () => {
    let now = 0;
    const limiter = new RateLimiter(6, () => now);
    for (let index = 0; index < 6; index++) assert.equal(limiter.take("a"), undefined);
    assert.equal(limiter.take("a"), 10, "the next token in 10 s");
    assert.equal(limiter.take("b"), undefined, "callers have their own budget");
    now += 9_000;
    assert.equal(limiter.take("a"), 1);
    now += 1_000;
    assert.equal(limiter.take("a"), undefined);
    assert.equal(limiter.take("a"), 10);
    now += 120_000;
    for (let index = 0; index < 6; index++) assert.equal(limiter.take("a"), undefined, "refilled to the limit, no more");
    assert.notEqual(limiter.take("a"), undefined);
  });
});

describe("MEMCUBE_RATE_LIMIT_PER_MINUTE", () => {
  let keyed: TestServer;
  let open: TestServer;
  before(async () => {
    [keyed, open] = await Promise.all([
      startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS), MEMCUBE_RATE_LIMIT_PER_MINUTE: "3" }),
      startTestServer({ MEMCUBE_RATE_LIMIT_PER_MINUTE: "2" }),
    ]);
  });
  after(async () => {
    await keyed.cleanup();
    await open.cleanup();
  });

  test("per key: over the limit → 429 with Retry-After and the envelope; other keys unaffected", async () => {
    for (let index = 0; index < 3; index++) {
      assert.equal((await keyed.post("/product/search", { user_id: "alice", query: "anything" }, ALICE)).status, 200);
    }
    const over = await keyed.post("/product/add", { user_id: "alice", messages: "one too many" }, ALICE);
    assert.equal(over.status, 429);
    assert.deepEqual(Object.keys(over.body).sort(), ["code", "data", "message"]);
    assert.equal(over.body.code, 429);
    assert.equal(over.body.data, null);
    assert.match(over.body.message, /^rate limit: more than 3 requests a minute/);
    const retryAfter = Number(over.headers.get("retry-after"));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 20, `Retry-After: ${retryAfter}`);
    assert.equal((await keyed.get("/product/scheduler/status?user_id=alice", ALICE)).status, 429, "query routes count too");
    assert.equal((await keyed.post("/product/search", { user_id: "bob", query: "anything" }, BOB)).status, 200);
    // liveness and readiness are never limited
    assert.equal((await keyed.get("/health")).status, 200);
    assert.equal((await keyed.get("/ready")).status, 200);
  });

  test("open mode: per acting user", async () => {
    const add = (userId: string) => open.post("/product/add", { user_id: userId, messages: "a note" });
    for (let index = 0; index < 2; index++) assert.equal((await add("carol")).status, 200);
    assert.equal((await add("carol")).status, 429);
    assert.equal((await add("dave")).status, 200);
  });
});

describe("MEMCUBE_CUBE_MAX_MEMORIES and MEMCUBE_CUBE_MAX_BYTES", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_CUBE_MAX_MEMORIES: "3", MEMCUBE_CUBE_MAX_BYTES: "60" });
  });
  after(() => server.cleanup());

  test("an add that would pass the cube's memory count is refused whole with 413; a delete makes room", async () => {
    const first = await server.post("/product/add", {
      user_id: "q1",
      messages: [
        { role: "user", content: "one" },
        { role: "user", content: "two" },
      ],
    });
    assert.equal(first.status, 200);
    const over = await server.post("/product/add", {
      user_id: "q1",
      messages: [
        { role: "user", content: "three" },
        { role: "user", content: "four" },
      ],
    });
    assert.equal(over.status, 413);
    assert.deepEqual(Object.keys(over.body).sort(), ["code", "data", "message"]);
    assert.equal(over.body.code, 413);
    assert.equal(over.body.message, "cube 'q1' is full: 2 of 3 memories (MEMCUBE_CUBE_MAX_MEMORIES); delete some first");
    const all = await server.post("/product/get_all", { user_id: "q1", mem_cube_ids: ["q1"] });
    assert.equal(all.body.data[0].memories[0].nodes.length, 2, "nothing of the refused add was written");
    assert.equal((await server.post("/product/add", { user_id: "q1", messages: "three" })).status, 200);
    assert.equal((await server.post("/product/add", { user_id: "q1", messages: "four" })).status, 413);
    const id = all.body.data[0].memories[0].nodes[0].id;
    assert.equal((await server.post("/product/delete_memory", { user_id: "q1", writable_cube_ids: ["q1"], memory_ids: [id] })).status, 200);
    assert.equal((await server.post("/product/add", { user_id: "q1", messages: "four" })).status, 200);
  });

  test("bytes: UTF-8 bytes stored, each message twice (the message and its memory's text)", async () => {
    assert.equal((await server.post("/product/add", { user_id: "q2", messages: "x".repeat(25) })).status, 200);
    const over = await server.post("/product/add", { user_id: "q2", messages: "我想去广州" }); // 15 bytes
    assert.equal(over.status, 413);
    assert.equal(
      over.body.message,
      "cube 'q2' is full: 50 of 60 bytes (MEMCUBE_CUBE_MAX_BYTES) are stored, and this add would store 30 more; delete some first",
    );
    assert.equal((await server.post("/product/add", { user_id: "q2", messages: "01234" })).status, 200);
    assert.equal((await server.post("/product/add", { user_id: "q2", messages: "0" })).status, 413, "the quota is reached: the next add is refused too");
  });

  test("bytes: tags and info once per cube", async () => {
    const info = { k: "v" }; // {"k":"v"}: 9 bytes
    const fits = await server.post("/product/add", {
      user_id: "q3",
      messages: [
        { role: "user", content: "ab" },
        { role: "user", content: "cd" },
      ],
      custom_tags: ["t1"],
      info,
    });
    assert.equal(fits.status, 200); // 2 × 2 × 2 + 2 + 9 = 19
    const over = await server.post("/product/add", { user_id: "q3", messages: "y".repeat(16), custom_tags: ["t1"], info });
    assert.equal(over.status, 413);
    assert.equal(
      over.body.message,
      "cube 'q3' is full: 19 of 60 bytes (MEMCUBE_CUBE_MAX_BYTES) are stored, and this add would store 43 more; delete some first",
    );
  });
});
