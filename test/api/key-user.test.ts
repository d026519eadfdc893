/**
 * With API keys, a user's key stands in for the user it acts for: every /product route that acts
 * for a user takes the key's user when the request leaves its user out (issue 21), and
 * GET /product/whoami says whom the key acts for. Where nothing decides the user, the 422 says so.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startChatRig, type ChatRig } from "../support/chat.js";
import { startTestServer, type TestServer } from "../support/server.js";

const KATE = "sk-kate-key-0123456789abcdef";
const KATE_READER = "sk-kate-read-0123456789abcdef";
const ADMIN = "sk-admin-key-0123456789abcdef";
const KEYS = { [KATE]: "ku-kate", [KATE_READER]: { user: "ku-kate", access: "read" }, [ADMIN]: "*" };
const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe("a user's key is the default user on /product/*", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
  });
  after(() => rig.close());

  test("add, search, get_all, list_cubes and get_memory: no user_id, the key's user acts", async () => {
    const added = await rig.server.post("/product/add", { messages: "I keep bees in Trento", async_mode: "sync" }, as(KATE));
    assert.equal(added.status, 200, added.body.message);
    assert.equal(added.body.data[0].cube_id, "ku-kate");
    const found = await rig.server.post("/product/search", { query: "Where are my bees?" }, as(KATE));
    assert.equal(found.status, 200, found.body.message);
    assert.deepEqual(
      found.body.data.text_mem.map((bucket: { cube_id: string }) => bucket.cube_id),
      ["ku-kate"],
    );
    assert.equal(found.body.data.text_mem[0].memories[0].memory, "I keep bees in Trento");
    const all = await rig.server.post("/product/get_all", {}, as(KATE_READER));
    assert.equal(all.status, 200, all.body.message);
    assert.deepEqual(
      all.body.data.map((graph: { cube_id: string }) => graph.cube_id),
      ["ku-kate"],
    );
    const cubes = await rig.server.post("/product/list_cubes", {}, as(KATE));
    assert.equal(cubes.status, 200, cubes.body.message);
    assert.deepEqual(
      cubes.body.data.map((cube: { cube_id: string }) => cube.cube_id),
      ["ku-kate"],
    );
  });

  test("chat (complete and stream) and suggestions", async () => {
    rig.llm.reply({ text: "In Trento." });
    const answer = await rig.server.post("/product/chat/complete", { query: "Where do I keep bees?", add_message_on_answer: false }, as(KATE));
    assert.equal(answer.status, 200, answer.body.message);
    assert.equal(answer.body.data.response, "In Trento.");
    assert.ok(answer.body.data.references.some((memory: { memory: string }) => memory.memory === "I keep bees in Trento"));

    rig.llm.reply({ text: "Trento." });
    const stream = await fetch(`${rig.server.url}/product/chat/stream`, {
      method: "POST",
      headers: { ...as(KATE_READER), "content-type": "application/json" },
      body: JSON.stringify({ query: "Bees?" }),
    });
    assert.equal(stream.status, 200);
    assert.match(await stream.text(), /"type":"end"/);

    rig.llm.reply({ text: '{"query": ["What do bees need in winter?"]}' });
    const suggested = await rig.server.post("/product/suggestions", { mem_cube_id: "ku-kate", language: "en" }, as(KATE));
    assert.equal(suggested.status, 200, suggested.body.message);
    assert.deepEqual(suggested.body.data.query, ["What do bees need in winter?"]);
  });

  test("cubes: create (owner_id), share and delete (user_id)", async () => {
    const created = await rig.server.post("/product/create_cube", { cube_name: "Hives", cube_id: "ku-hives" }, as(KATE));
    assert.equal(created.status, 200, created.body.message);
    assert.equal(created.body.data.owner_id, "ku-kate");
    const shared = await rig.server.post("/product/share_cube", { cube_id: "ku-hives", target_user_id: "ku-bob", access: "read" }, as(KATE));
    assert.equal(shared.status, 200, shared.body.message);
    const deleted = await rig.server.post("/product/delete_cube", { cube_id: "ku-hives" }, as(KATE));
    assert.equal(deleted.status, 200, deleted.body.message);
  });

  test("scheduler: status, task_queue_status, wait and wait/stream", async () => {
    assert.equal((await rig.server.get("/product/scheduler/status", as(KATE))).status, 200);
    assert.equal((await rig.server.get("/product/scheduler/task_queue_status", as(KATE))).status, 200);
    const waited = await rig.server.post("/product/scheduler/wait?timeout_seconds=0", {}, as(KATE));
    assert.equal(waited.status, 200, waited.body.message);
    assert.equal(waited.body.data.user_name, "ku-kate");
    const stream = await fetch(`${rig.server.url}/product/scheduler/wait/stream?timeout_seconds=0`, { headers: as(KATE) });
    assert.equal(stream.status, 200);
    assert.match(await stream.text(), /"user_name":"ku-kate"/);
  });

  test("erasing a user is never defaulted from the key: delete_user still needs user_id", async () => {
    const refused = await rig.server.post("/product/delete_user", {}, as(KATE));
    assert.equal(refused.status, 422);
    assert.equal(refused.body.message, "user_id: field required");
  });

  test("a key still acts for its own user only: another user_id is 403", async () => {
    assert.equal((await rig.server.post("/product/search", { user_id: "ku-bob", query: "x" }, as(KATE))).status, 403);
  });

  test("an admin key acts for no user of its own: the 422 names the field and why", async () => {
    const refused = await rig.server.post("/product/search", { query: "x" }, as(ADMIN));
    assert.equal(refused.status, 422);
    assert.equal(refused.body.message, "user_id: field required: an admin key acts for no user of its own");
    assert.equal((await rig.server.post("/product/search", { user_id: "ku-kate", query: "bees" }, as(ADMIN))).status, 200);
  });

  test("GET /product/whoami: the key's user, read-only, admin; no key is 401", async () => {
    assert.deepEqual((await rig.server.get("/product/whoami", as(KATE))).body.data, { mode: "user", user_id: "ku-kate", read_only: false, admin: false });
    assert.deepEqual((await rig.server.get("/product/whoami", as(KATE_READER))).body.data, { mode: "user", user_id: "ku-kate", read_only: true, admin: false });
    assert.deepEqual((await rig.server.get("/product/whoami", as(ADMIN))).body.data, { mode: "admin", user_id: null, read_only: false, admin: true });
    assert.equal((await rig.server.get("/product/whoami")).status, 401);
  });
});

describe("open mode (no keys)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.cleanup());

  test("a route that needs a user and names no cube answers 422 user_id: field required, and changes nothing", async () => {
    const refused = await server.post("/product/search", { query: "x" });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.message, "user_id: field required");
    const create = await server.post("/product/create_cube", { cube_name: "x", cube_id: "ku-open-x" });
    assert.equal(create.status, 422);
    assert.equal(create.body.message, "owner_id: field required");
    assert.deepEqual((await server.post("/product/exist_mem_cube_id", { mem_cube_id: "ku-open-x" })).body.data, { "ku-open-x": false });
  });

  test("GET /product/whoami says open mode", async () => {
    assert.deepEqual((await server.get("/product/whoami")).body.data, { mode: "open", user_id: null, read_only: false, admin: false });
  });
});
