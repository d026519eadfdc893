import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import path from "node:path";
import { startTestServer, textHits, type TestServer } from "../support/server.js";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.cleanup());

function messagesInFile(cubeId: string): string[] {
  const db = new Database(path.join(server.dataDir, "memcube.db"), { readonly: true });
  try {
    return db.prepare("SELECT message_id FROM messages WHERE cube_id = ? ORDER BY message_id").pluck().all(cubeId) as string[];
  } finally {
    db.close();
  }
}

async function searchBoth(userId: string, english: string, chinese: string) {
  const byMeaning = await server.post("/product/search", { user_id: userId, query: english });
  const byWords = await server.post("/product/search", { user_id: userId, query: chinese });
  return [...textHits(byMeaning.body), ...textHits(byWords.body)];
}

describe("delete_memory", () => {
  test("deleted memories are gone from vector search, keyword search and listings, and their messages are forgotten", async () => {
    const added = await server.post("/product/add", {
      user_id: "del1",
      messages: [
        { role: "user", content: "My bank PIN hint is the name of my first dog", message_id: "secret-1" },
        { role: "user", content: "我的银行密码提示是第一只狗的名字", message_id: "secret-2" },
        { role: "user", content: "I enjoy gardening on weekends", message_id: "keep-1" },
      ],
    });
    const ids = added.body.data.slice(0, 2).map((item: { memory_id: string }) => item.memory_id);
    const before = await searchBoth("del1", "bank PIN hint dog", "银行密码");
    assert.ok(before.includes("My bank PIN hint is the name of my first dog"));
    assert.ok(before.includes("我的银行密码提示是第一只狗的名字"));

    const response = await server.post("/product/delete_memory", { user_id: "del1", writable_cube_ids: ["del1"], memory_ids: ids });
    assert.deepEqual(response.body.data, { status: "success", deleted: 2 });

    const afterDelete = await searchBoth("del1", "bank PIN hint dog", "银行密码");
    assert.ok(!afterDelete.some((text) => text.includes("PIN") || text.includes("密码")), afterDelete.join(" | "));
    const listed = await server.post("/product/get_all", { user_id: "del1" });
    assert.deepEqual(
      listed.body.data[0].memories[0].nodes.map((m: { memory: string }) => m.memory),
      ["I enjoy gardening on weekends"],
    );
    assert.deepEqual(messagesInFile("del1"), ["keep-1"]);
    assert.equal((await server.get(`/product/get_memory/${ids[0]}?user_id=del1`)).body.data, null, "a deleted memory is unknown");
  });

  test("a forgotten message id can be added again as new", async () => {
    const first = await server.post("/product/add", { user_id: "del2", messages: [{ role: "user", content: "temporary", message_id: "t-1" }] });
    await server.post("/product/delete_memory", { user_id: "del2", memory_ids: [first.body.data[0].memory_id] });
    const again = await server.post("/product/add", { user_id: "del2", messages: [{ role: "user", content: "temporary", message_id: "t-1" }] });
    assert.notEqual(again.body.data[0].memory_id, first.body.data[0].memory_id);
  });

  test("delete by session and by filter", async () => {
    await server.post("/product/add", { user_id: "del3", session_id: "s1", messages: "session one memory" });
    await server.post("/product/add", { user_id: "del3", session_id: "s2", messages: "session two memory", custom_tags: ["drop"] });
    await server.post("/product/add", { user_id: "del3", session_id: "s2", messages: "session two keeper" });
    const bySession = await server.post("/product/delete_memory", { user_id: "del3", session_id: "s1" });
    assert.equal(bySession.body.data.deleted, 1);
    const byFilter = await server.post("/product/delete_memory", { user_id: "del3", filter: { tags: { contains: "drop" } } });
    assert.equal(byFilter.body.data.deleted, 1);
    const listed = await server.post("/product/get_all", { user_id: "del3" });
    assert.deepEqual(
      listed.body.data[0].memories[0].nodes.map((m: { memory: string }) => m.memory),
      ["session two keeper"],
    );
  });

  test("exactly one delete mode, as MemOS: none, two, or an empty filter answer 200 'failure' and delete nothing", async () => {
    const added = await server.post("/product/add", { user_id: "del4", messages: "stays" });
    const none = await server.post("/product/delete_memory", { writable_cube_ids: ["del4"] });
    assert.deepEqual([none.status, none.body.data.status], [200, "failure"]);
    assert.match(none.body.message, /^Exactly one delete mode must be provided/);
    const two = await server.post("/product/delete_memory", { user_id: "del4", memory_ids: [added.body.data[0].memory_id], filter: { session_id: "x" } });
    assert.deepEqual([two.status, two.body.data.status], [200, "failure"]);
    const empty = await server.post("/product/delete_memory", { user_id: "del4", filter: {} });
    assert.deepEqual([empty.status, empty.body.data.status], [200, "failure"]);
    assert.match(empty.body.message, /^filter cannot be empty/);
    const listed = await server.post("/product/get_all", { user_id: "del4" });
    assert.equal(listed.body.data[0].total_nodes, 1);
  });

  test("another user's cube: 403 and nothing deleted; an unknown cube: 404", async () => {
    const added = await server.post("/product/add", { user_id: "del5", messages: "mine" });
    const theirs = await server.post("/product/delete_memory", { user_id: "thief", writable_cube_ids: ["del5"], memory_ids: [added.body.data[0].memory_id] });
    assert.equal(theirs.status, 403);
    const unknown = await server.post("/product/delete_memory", { user_id: "thief", writable_cube_ids: ["nowhere"], session_id: "x" });
    assert.equal(unknown.status, 404);
    const listed = await server.post("/product/get_all", { user_id: "del5" });
    assert.equal(listed.body.data[0].total_nodes, 1);
  });
});
