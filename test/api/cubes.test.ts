import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, textHits, type TestServer } from "../support/server.js";

let server: TestServer;
before(async () => {
  server = await startTestServer();
  await server.post("/product/add", { user_id: "owner", writable_cube_ids: ["shared-cube"], messages: "The launch code word is pineapple" });
});
after(() => server.cleanup());

const search = (userId: string, cubeId: string) => server.post("/product/search", { user_id: userId, readable_cube_ids: [cubeId], query: "launch code word" });
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

  test("reading a cube that does not exist answers it empty (as MemOS does), and does not create it", async () => {
    const response = await search("owner", "ghost-cube");
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data.text_mem, [{ cube_id: "ghost-cube", memories: [], total_nodes: 0 }]);
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
    const share = (access: string) => server.post("/product/share_cube", { user_id: "owner", cube_id: "shared-cube", target_user_id: "reader", access });
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
    const after = await search("owner", "doomed");
    assert.equal(after.status, 200);
    assert.deepEqual(after.body.data.text_mem[0].memories, [], "nothing of it is left");
    // The id is free again, and a new cube under it starts empty.
    await add("someone-else", "doomed", "New owner's memory");
    const list = await server.post("/product/get_all", { user_id: "someone-else", mem_cube_ids: ["doomed"] });
    assert.deepEqual(
      list.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory),
      ["New owner's memory"],
    );
  });
});

describe("listing", () => {
  test("get_all pages newest first; get_memory lists one cube; search_query narrows", async () => {
    for (const [index, text] of ["alpha apples", "beta bananas", "gamma grapes"].entries()) {
      await server.post("/product/add", { user_id: "lister", messages: [{ role: "user", content: text, chat_time: `2026-01-0${index + 1} 10:00:00` }] });
    }
    const page1 = await server.post("/product/get_all", { user_id: "lister", page: 1, page_size: 2 });
    assert.deepEqual(
      page1.body.data[0].memories[0].nodes.map((m: { memory: string }) => m.memory),
      ["gamma grapes", "beta bananas"],
    );
    assert.equal(page1.body.data[0].total_nodes, 3);
    const page2 = await server.post("/product/get_all", { user_id: "lister", page: 2, page_size: 2 });
    assert.deepEqual(
      page2.body.data[0].memories[0].nodes.map((m: { memory: string }) => m.memory),
      ["alpha apples"],
    );
    const narrowed = await server.post("/product/get_all", { user_id: "lister", search_query: "BANANA" });
    assert.deepEqual(
      narrowed.body.data[0].memories[0].nodes.map((m: { memory: string }) => m.memory),
      ["beta bananas"],
    );
    const one = await server.post("/product/get_memory", { user_id: "lister", mem_cube_id: "lister" });
    assert.equal(one.body.message, "Memories retrieved successfully");
    assert.deepEqual(Object.keys(one.body.data).sort(), ["pref_mem", "skill_mem", "text_mem", "tool_mem"]);
    assert.equal(one.body.data.text_mem[0].cube_id, "lister");
    assert.equal(one.body.data.text_mem[0].memories.length, 3);
    assert.equal(one.body.data.text_mem[0].total_nodes, 3);
    assert.deepEqual(one.body.data.tool_mem, [{ cube_id: "lister", memories: [], total_nodes: 0 }]);
    const paged = await server.post("/product/get_memory", { user_id: "lister", mem_cube_id: "lister", page: 1, page_size: 2, include_preference: false });
    assert.equal(paged.body.data.text_mem[0].memories.length, 2);
    assert.equal(paged.body.data.text_mem[0].total_nodes, 3, "total_nodes counts every match, not the page");
    assert.deepEqual(paged.body.data.pref_mem, []);
    const prefs = await server.post("/product/get_all", { user_id: "lister", memory_type: "pref_mem" });
    assert.deepEqual(prefs.body.data, [
      {
        cube_id: "lister",
        memories: [{ nodes: [], tree_structure: { id: "root", node_name: "root", value: "root", memory_type: "Root", children: [] } }],
        memory_statistics: {},
        total_nodes: 0,
      },
    ]);
  });

  test("get_all answers MemOS's graph: nodes, a tree from the root, counts per memory type", async () => {
    await server.post("/product/add", { user_id: "grapher", messages: [{ role: "user", content: "I keep bees on the roof" }] });
    const all = await server.post("/product/get_all", { user_id: "grapher", memory_type: "text_mem" });
    assert.equal(all.status, 200);
    assert.equal(all.body.message, "Memories retrieved successfully");
    const [entry] = all.body.data;
    assert.equal(entry.cube_id, "grapher");
    assert.equal(entry.memories.length, 1, "one graph object per cube");
    const [graph] = entry.memories;
    const [node] = graph.nodes;
    assert.equal(node.memory, "I keep bees on the roof");
    assert.equal("embedding" in node.metadata, false, "listings leave the vector out");
    assert.equal(graph.tree_structure.id, "root");
    const leaves = (graph.tree_structure.children as { id: string; children?: { id: string }[] }[]).flatMap((child) => child.children ?? [child]);
    assert.deepEqual(
      leaves.map((leaf) => leaf.id),
      [node.id],
    );
    assert.deepEqual(entry.memory_statistics, { [node.metadata.memory_type]: 1 });
    for (const memoryType of ["act_mem", "para_mem", "param_mem"]) {
      const none = await server.post("/product/get_all", { user_id: "grapher", memory_type: memoryType });
      assert.equal(none.status, 200, memoryType);
      assert.deepEqual(none.body.data, [], memoryType);
    }
  });

  test("a cube nobody has written reads as empty: search, get_all and get_memory answer 200", async () => {
    const search = await server.post("/product/search", { user_id: "newcomer", query: "anything I said?" });
    assert.equal(search.status, 200);
    assert.equal(search.body.message, "Search completed successfully");
    assert.deepEqual(search.body.data.text_mem, [{ cube_id: "newcomer", memories: [], total_nodes: 0 }]);
    assert.deepEqual(search.body.data.pref_mem, [{ cube_id: "newcomer", memories: [], total_nodes: 0 }]);
    assert.equal(search.body.data.pref_note, "");
    assert.equal("pref_string" in search.body.data, false);
    const all = await server.post("/product/get_all", { user_id: "newcomer", memory_type: "text_mem" });
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.data[0].memories[0].nodes, []);
    const one = await server.post("/product/get_memory", { user_id: "newcomer", mem_cube_id: "newcomer" });
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.data.text_mem, [{ cube_id: "newcomer", memories: [], total_nodes: 0 }]);
    assert.equal(
      (await server.post("/product/exist_mem_cube_id", { user_id: "newcomer", mem_cube_id: "newcomer" })).body.data.newcomer,
      false,
      "reading created nothing",
    );
  });

  test("GET /product/get_memory/{id} shows the stored item with its history; 200 data null unknown, 403 for others", async () => {
    const added = await server.post("/product/add", { user_id: "viewer", messages: "I collect vintage stamps" });
    const id = added.body.data[0].memory_id;
    const own = await server.get(`/product/get_memory/${id}?user_id=viewer`);
    assert.equal(own.status, 200);
    assert.equal(own.body.message, "Memory retrieved successfully");
    assert.equal(own.body.data.memory, "I collect vintage stamps");
    assert.deepEqual(own.body.data.history, []);
    assert.deepEqual(own.body.data.metadata.history, []);
    assert.equal(own.body.data.metadata.version, 1);
    assert.equal("ref_id" in own.body.data, false, "the stored item has no citation id");
    assert.equal((await server.get(`/product/get_memory/${id}?user_id=stranger`)).status, 403);
    const unknownId = crypto.randomUUID();
    const unknown = await server.get(`/product/get_memory/${unknownId}?user_id=viewer`);
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.body, { code: 200, message: `Memory with ID ${unknownId} not found`, data: null });
    const bad = await server.get(`/product/get_memory/not-a-uuid?user_id=viewer`);
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /^id: /);
  });
});
