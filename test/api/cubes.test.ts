import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, textHits, type TestServer } from "../support/server.js";

let server: TestServer;
before(async () => {
  server = await startTestServer();
  await server.post("/product/add", { user_id: "owner", writable_cube_ids: ["shared-cube"], messages: "The launch code word is pineapple" });
});
after(() => server.cleanup());

const search = (userId: string, cubeId: string) =>
  server.post("/product/search", { user_id: userId, readable_cube_ids: [cubeId], query: "launch code word" });
const add = (userId: string, cubeId: string, text = "intruder text") =>
  server.post("/product/add", { user_id: userId, writable_cube_ids: [cubeId], messages: text });
const count = async (cubeId: string) =>
  (await server.post("/product/get_all", { user_id: "owner", mem_cube_ids: [cubeId] })).body.data[0].total_nodes as number;

describe("cube rules", () => {
  test("writing creates a cube owned by the writer", async () => {
    const exists = await server.post("/product/exist_mem_cube_id", { user_id: "owner", mem_cube_id: "shared-cube" });
    assert.deepEqual(exists.body.data, { "shared-cube": true });
    const missing = await server.post("/product/exist_mem_cube_id", { user_id: "owner", mem_cube_id: "nope" });
    assert.deepEqual(missing.body.data, { nope: false });
  });

  test("reading a cube that does not exist is a 404 naming it, and does not create it", async () => {
    const response = await search("owner", "ghost-cube");
    assert.equal(response.status, 404);
    assert.equal(response.body.code, 404);
    assert.match(response.body.message, /ghost-cube/);
    assert.equal(response.body.data, null);
    const exists = await server.post("/product/exist_mem_cube_id", { user_id: "owner", mem_cube_id: "ghost-cube" });
    assert.equal(exists.body.data["ghost-cube"], false);
  });

  test("another user's cube is 403 for reading and writing, and nothing is written", async () => {
    const read = await search("mallory", "shared-cube");
    assert.equal(read.status, 403);
    assert.doesNotMatch(JSON.stringify(read.body), /pineapple/);
    const write = await add("mallory", "shared-cube");
    assert.equal(write.status, 403);
    const list = await server.post("/product/get_all", { user_id: "mallory", mem_cube_ids: ["shared-cube"] });
    assert.equal(list.status, 403);
    const one = await server.post("/product/get_memory", { user_id: "mallory", mem_cube_id: "shared-cube" });
    assert.equal(one.status, 403);
    assert.equal(await count("shared-cube"), 1);
  });

  test("a refused write creates none of the other cubes it named", async () => {
    const response = await server.post("/product/add", { user_id: "mallory", writable_cube_ids: ["mallory-new", "shared-cube"], messages: "x" });
    assert.equal(response.status, 403);
    const exists = await server.post("/product/exist_mem_cube_id", { user_id: "mallory", mem_cube_id: "mallory-new" });
    assert.equal(exists.body.data["mallory-new"], false);
  });

  test("sharing for reading allows search but not writing; write sharing allows adds; none revokes", async () => {
    const share = (access: string) =>
      server.post("/product/share_cube", { user_id: "owner", cube_id: "shared-cube", target_user_id: "reader", access });
    assert.equal((await share("read")).status, 200);
    assert.deepEqual(textHits((await search("reader", "shared-cube")).body), ["The launch code word is pineapple"]);
    assert.equal((await add("reader", "shared-cube")).status, 403);
    assert.equal((await share("write")).status, 200);
    assert.equal((await add("reader", "shared-cube", "Reader was here")).status, 200);
    assert.equal(await count("shared-cube"), 2);
    assert.equal((await share("none")).status, 200);
    assert.equal((await search("reader", "shared-cube")).status, 403);
  });

  test("only the owner shares or deletes a cube", async () => {
    const share = await server.post("/product/share_cube", { user_id: "mallory", cube_id: "shared-cube", target_user_id: "mallory", access: "write" });
    assert.equal(share.status, 403);
    const remove = await server.post("/product/delete_cube", { user_id: "mallory", cube_id: "shared-cube" });
    assert.equal(remove.status, 403);
    assert.equal(await count("shared-cube"), 2);
  });

  test("create_cube makes an empty cube; an existing id is 409", async () => {
    const created = await server.post("/product/create_cube", { owner_id: "owner", cube_name: "Work notes", cube_id: "owner-work" });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body.data, { cube_id: "owner-work", cube_name: "Work notes", owner_id: "owner" });
    const empty = await server.post("/product/search", { user_id: "owner", readable_cube_ids: ["owner-work"], query: "anything" });
    assert.deepEqual(empty.body.data.text_mem, [{ cube_id: "owner-work", memories: [], total_nodes: 0 }]);
    const again = await server.post("/product/create_cube", { owner_id: "other", cube_name: "x", cube_id: "owner-work" });
    assert.equal(again.status, 409);
    const generated = await server.post("/product/create_cube", { owner_id: "owner", cube_name: "Anything" });
    assert.match(generated.body.data.cube_id, /^[0-9a-f-]{36}$/);
  });

  test("delete_cube removes the cube and everything in it", async () => {
    await add("owner", "doomed", "Temporary memory about tulips");
    const removed = await server.post("/product/delete_cube", { user_id: "owner", cube_id: "doomed" });
    assert.equal(removed.status, 200);
    assert.equal((await search("owner", "doomed")).status, 404);
    // The id is free again, and a new cube under it starts empty.
    await add("someone-else", "doomed", "New owner's memory");
    const list = await server.post("/product/get_all", { user_id: "someone-else", mem_cube_ids: ["doomed"] });
    assert.deepEqual(list.body.data[0].memories.map((memory: { memory: string }) => memory.memory), ["New owner's memory"]);
  });
});

describe("listing", () => {
  test("get_all pages newest first; get_memory lists one cube; search_query narrows", async () => {
    for (const [index, text] of ["alpha apples", "beta bananas", "gamma grapes"].entries()) {
      await server.post("/product/add", { user_id: "lister", messages: [{ role: "user", content: text, chat_time: `2026-01-0${index + 1} 10:00:00` }] });
    }
    const page1 = await server.post("/product/get_all", { user_id: "lister", page: 1, page_size: 2 });
    assert.deepEqual(page1.body.data[0].memories.map((m: { memory: string }) => m.memory), ["gamma grapes", "beta bananas"]);
    assert.equal(page1.body.data[0].total_nodes, 3);
    const page2 = await server.post("/product/get_all", { user_id: "lister", page: 2, page_size: 2 });
    assert.deepEqual(page2.body.data[0].memories.map((m: { memory: string }) => m.memory), ["alpha apples"]);
    const narrowed = await server.post("/product/get_all", { user_id: "lister", search_query: "BANANA" });
    assert.deepEqual(narrowed.body.data[0].memories.map((m: { memory: string }) => m.memory), ["beta bananas"]);
    const one = await server.post("/product/get_memory", { user_id: "lister", mem_cube_id: "lister" });
    assert.equal(one.body.data[0].cube_id, "lister");
    assert.equal(one.body.data[0].memories.length, 3);
    const prefs = await server.post("/product/get_all", { user_id: "lister", memory_type: "pref_mem" });
    assert.deepEqual(prefs.body.data, [{ cube_id: "lister", memories: [], total_nodes: 0 }]);
  });

  test("GET /product/get_memory/{id} shows one memory with its history; 404 unknown, 403 for others", async () => {
    const added = await server.post("/product/add", { user_id: "viewer", messages: "I collect vintage stamps" });
    const id = added.body.data[0].memory_id;
    const own = await server.get(`/product/get_memory/${id}?user_id=viewer`);
    assert.equal(own.status, 200);
    assert.equal(own.body.data.memory, "I collect vintage stamps");
    assert.deepEqual(own.body.data.history, []);
    assert.equal((await server.get(`/product/get_memory/${id}?user_id=stranger`)).status, 403);
    assert.equal((await server.get(`/product/get_memory/${crypto.randomUUID()}?user_id=viewer`)).status, 404);
    const bad = await server.get(`/product/get_memory/not-a-uuid?user_id=viewer`);
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /^id: /);
  });
});
