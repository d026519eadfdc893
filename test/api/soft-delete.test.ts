/**
 * MemOS's soft delete by record id (delete_memory_by_record_id, recover_memory_by_record_id) and
 * the dashboard (get_memory_dashboard), over HTTP on both stores: what a soft delete hides, what a
 * recover brings back, who may do either, and the purge after MEMCUBE_SOFT_DELETE_RETENTION.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { POSTGRES_SKIP, freshSchema, querySchema, type TestSchema } from "../support/postgres.js";
import { startTestServer, textHits, type TestServer } from "../support/server.js";

const FLAT = "Omar's new flat is in Elm Park, top floor";
const BIKE = "Omar rides a green bicycle to work";

function softDeleteSuite(label: string, env: () => Record<string, string>, rowsSetAside: (env: Record<string, string>, dataDir: string) => Promise<number>) {
  let rig: ChatRig;
  let server: TestServer;
  before(async () => {
    rig = await startChatRig(env());
    server = rig.server;
  });
  after(async () => {
    await rig.close();
  });

  const add = async (userId: string, cubeId: string, texts: string[]) => {
    const added = await server.post("/product/add", {
      user_id: userId,
      writable_cube_ids: [cubeId],
      messages: texts.map((content) => ({ role: "user", content })),
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    return added.body.data.map((item: { memory_id: string }) => item.memory_id) as string[];
  };
  const searchTexts = async (userId: string, cubeId: string, query: string) =>
    textHits((await server.post("/product/search", { user_id: userId, readable_cube_ids: [cubeId], query })).body);
  const listed = async (userId: string, cubeId: string) => {
    const answer = await server.post("/product/get_all", { user_id: userId, mem_cube_ids: [cubeId] });
    return (answer.body.data[0]?.memories[0]?.nodes ?? []).map((node: { memory: string }) => node.memory).sort();
  };
  const softDelete = (body: Record<string, unknown>) => server.post("/product/delete_memory_by_record_id", body);
  const recover = (body: Record<string, unknown>) => server.post("/product/recover_memory_by_record_id", body);

  test(`${label}: a soft delete hides the cube's memories from every read, search, count and chat; a recover brings them back`, async () => {
    const [flatId] = await add("sd_u1", "sd_u1", [FLAT, BIKE]);
    assert.deepEqual(await listed("sd_u1", "sd_u1"), [BIKE, FLAT].sort());

    const deleted = await softDelete({ mem_cube_id: "sd_u1", record_id: "rec-1" });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.deepEqual(deleted.body, { code: 200, message: "Called Successfully", data: { status: "success", deleted: 2 } });

    assert.deepEqual(await searchTexts("sd_u1", "sd_u1", "Where is Omar's flat?"), []);
    assert.deepEqual(await listed("sd_u1", "sd_u1"), []);
    const byId = await server.get(`/product/get_memory/${flatId}?user_id=sd_u1`);
    assert.equal(byId.body.data, null);
    assert.equal(byId.body.message, `Memory with ID ${flatId} not found`);
    const byIds = await server.post("/product/get_memory_by_ids", [flatId]);
    assert.deepEqual(byIds.body.data.memories, []);
    const kinds = await server.post("/product/get_memory", { mem_cube_id: "sd_u1" });
    assert.deepEqual(kinds.body.data.text_mem, [{ cube_id: "sd_u1", memories: [], total_nodes: 0 }]);
    const cubes = await server.post("/product/list_cubes", { user_id: "sd_u1" });
    assert.equal(cubes.body.data.find((cube: { cube_id: string }) => cube.cube_id === "sd_u1")?.memory_count, 0);
    const dashboard = await server.post("/product/get_memory_dashboard", { mem_cube_id: "sd_u1" });
    assert.equal(dashboard.body.data.statistics.total_text_nodes, 0);
    await server.post("/product/chat/complete", {
      user_id: "sd_u1",
      readable_cube_ids: ["sd_u1"],
      writable_cube_ids: ["sd_u1_chat"],
      query: "Where is Omar's flat?",
    });
    assert.ok(!JSON.stringify(lastPrompt(rig.llm)).includes("Elm Park"), "the chat is not told a soft-deleted memory");

    const again = await softDelete({ mem_cube_id: "sd_u1", record_id: "rec-2" });
    assert.equal(again.body.data.deleted, 0, "nothing left to set aside");
    const unknown = await recover({ mem_cube_id: "sd_u1", delete_record_id: "rec-2" });
    assert.deepEqual(unknown.body, { code: 200, message: "Called Successfully", data: { status: "success", recovered: 0 } }, "as MemOS: success");

    const recovered = await recover({ mem_cube_id: "sd_u1", delete_record_id: "rec-1" });
    assert.deepEqual(recovered.body, { code: 200, message: "Called Successfully", data: { status: "success", recovered: 2 } });
    assert.deepEqual(await listed("sd_u1", "sd_u1"), [BIKE, FLAT].sort());
    assert.ok((await searchTexts("sd_u1", "sd_u1", "Where is Omar's flat?")).includes(FLAT));
    assert.match(JSON.stringify((await server.get(`/product/get_memory/${flatId}?user_id=sd_u1`)).body.data), /Elm Park/);
    await server.post("/product/chat/complete", {
      user_id: "sd_u1",
      readable_cube_ids: ["sd_u1"],
      writable_cube_ids: ["sd_u1_chat"],
      query: "Where is Omar's flat?",
    });
    assert.ok(JSON.stringify(lastPrompt(rig.llm)).includes("Elm Park"), "recovered, the memory is in the chat's context again");
  });

  test(`${label}: hard_delete erases what a record id set aside now: nothing is left to recover`, async () => {
    await add("sd_u2", "sd_u2", [FLAT]);
    await softDelete({ mem_cube_id: "sd_u2", record_id: "rec-h" });
    await add("sd_u2", "sd_u2", [BIKE]);
    assert.equal(await rowsSetAside(env(), server.dataDir), 1);
    const hard = await softDelete({ mem_cube_id: "sd_u2", record_id: "rec-h", hard_delete: true });
    assert.deepEqual(hard.body.data, { status: "success", deleted: 1 });
    assert.equal(await rowsSetAside(env(), server.dataDir), 0);
    assert.equal((await recover({ mem_cube_id: "sd_u2", delete_record_id: "rec-h" })).body.data.recovered, 0);
    assert.deepEqual(await listed("sd_u2", "sd_u2"), [BIKE], "a memory added after the soft delete stays");
  });

  test(`${label}: access: the cube's writers only; a read share may not soft-delete or recover; a refused request changes nothing`, async () => {
    await add("sd_owner", "sd_shared", [FLAT]);
    await server.post("/product/share_cube", { user_id: "sd_owner", cube_id: "sd_shared", target_user_id: "sd_reader", access: "read" });
    await server.post("/product/share_cube", { user_id: "sd_owner", cube_id: "sd_shared", target_user_id: "sd_writer", access: "write" });

    const stranger = await softDelete({ user_id: "sd_stranger", mem_cube_id: "sd_shared", record_id: "x" });
    assert.equal(stranger.status, 403, JSON.stringify(stranger.body));
    assert.equal(stranger.body.message, "user 'sd_stranger' may not write cube 'sd_shared'");
    const reader = await softDelete({ user_id: "sd_reader", mem_cube_id: "sd_shared", record_id: "x" });
    assert.equal(reader.status, 403);
    assert.deepEqual(await listed("sd_owner", "sd_shared"), [FLAT], "refused: nothing was set aside");
    const readerDashboard = await server.post("/product/get_memory_dashboard", { user_id: "sd_reader", mem_cube_id: "sd_shared" });
    assert.equal(readerDashboard.status, 200, "a read share reads the dashboard");
    assert.equal(readerDashboard.body.data.statistics.total_text_nodes, 1);
    const strangerDashboard = await server.post("/product/get_memory_dashboard", { user_id: "sd_stranger", mem_cube_id: "sd_shared" });
    assert.equal(strangerDashboard.status, 403);

    const writer = await softDelete({ user_id: "sd_writer", mem_cube_id: "sd_shared", record_id: "w-1" });
    assert.equal(writer.body.data.deleted, 1, "a write share may");
    assert.equal((await recover({ user_id: "sd_reader", mem_cube_id: "sd_shared", delete_record_id: "w-1" })).status, 403);
    assert.equal((await recover({ user_id: "sd_stranger", mem_cube_id: "sd_shared", delete_record_id: "w-1" })).status, 403);
    assert.deepEqual(await listed("sd_owner", "sd_shared"), [], "refused recovers brought nothing back");
    assert.equal((await recover({ mem_cube_id: "sd_shared", delete_record_id: "w-1" })).body.data.recovered, 1, "open mode: the owner acts");

    const nobody = await softDelete({ mem_cube_id: "sd_never_written", record_id: "x" });
    assert.deepEqual(nobody.body, { code: 200, message: "Called Successfully", data: { status: "success", deleted: 0 } }, "a cube nobody wrote holds nothing");
    const empty = await softDelete({ mem_cube_id: "sd_shared", record_id: "" });
    assert.equal(empty.body.data.deleted, 0, "an empty record id names no delete (MemOS: success, nothing done)");
    assert.deepEqual(await listed("sd_owner", "sd_shared"), [FLAT]);
    const missing = await softDelete({ mem_cube_id: "sd_shared" });
    assert.equal(missing.status, 422);
    assert.match(missing.body.message, /^record_id: /);
    const badRecover = await recover({ mem_cube_id: "sd_shared", record_id: "w-1" });
    assert.equal(badRecover.status, 422, "recover names it delete_record_id");
    assert.match(badRecover.body.message, /^delete_record_id: /);
  });

  test(`${label}: the dashboard: MemOS's kinds, each bucket counted by its length, totals in statistics`, async () => {
    await add("sd_dash", "sd_dash", ["one fact", "two facts", "three facts"]);
    const all = await server.post("/product/get_memory_dashboard", { mem_cube_id: "sd_dash" });
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.equal(all.body.message, "Memories retrieved successfully");
    const { text_mem, pref_mem, tool_mem, skill_mem, statistics } = all.body.data;
    assert.equal(text_mem.length, 1);
    assert.equal(text_mem[0].cube_id, "sd_dash");
    assert.equal(text_mem[0].memories.length, 3);
    assert.equal(text_mem[0].total_nodes, 3);
    assert.deepEqual(pref_mem, [{ cube_id: "sd_dash", memories: [], total_nodes: 0 }]);
    assert.deepEqual(tool_mem, [{ cube_id: "sd_dash", memories: [], total_nodes: 0 }]);
    assert.deepEqual(skill_mem, [{ cube_id: "sd_dash", memories: [], total_nodes: 0 }]);
    assert.deepEqual(statistics, { total_text_nodes: 3, total_tool_nodes: 0, total_skill_nodes: 0, total_preference_nodes: 0 });

    const page = await server.post("/product/get_memory_dashboard", {
      user_id: "sd_dash",
      page: 1,
      page_size: 2,
      include_preference: false,
      include_tool_memory: false,
      include_skill_memory: false,
    });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.data.text_mem[0].cube_id, "sd_dash", "no mem_cube_id: the user's own cube");
    assert.equal(page.body.data.text_mem[0].total_nodes, 2, "the bucket's own length");
    assert.equal(page.body.data.statistics.total_text_nodes, 3, "every match");
    assert.deepEqual([page.body.data.pref_mem, page.body.data.tool_mem, page.body.data.skill_mem], [[], [], []]);

    const fresh = await server.post("/product/get_memory_dashboard", { mem_cube_id: "sd_dash_nobody" });
    assert.equal(fresh.status, 200);
    assert.deepEqual(fresh.body.data.text_mem, [{ cube_id: "sd_dash_nobody", memories: [], total_nodes: 0 }]);
  });
}

/** A server with a retention of 2 s: what is set aside is purged by the server once it has passed. */
function purgeSuite(label: string, env: () => Record<string, string>, rowsSetAside: (env: Record<string, string>, dataDir: string) => Promise<number>) {
  test(`${label}: past MEMCUBE_SOFT_DELETE_RETENTION the server purges what was set aside, and it can no longer be recovered`, async () => {
    const server = await startTestServer({ ...env(), MEMCUBE_SOFT_DELETE_RETENTION: "2s" });
    try {
      await server.post("/product/add", { user_id: "sd_purge", messages: FLAT });
      await server.post("/product/delete_memory_by_record_id", { mem_cube_id: "sd_purge", record_id: "p-1" });
      const early = await server.post("/product/recover_memory_by_record_id", { mem_cube_id: "sd_purge", delete_record_id: "p-1" });
      assert.equal(early.body.data.recovered, 1, "within the retention it comes back");
      await server.post("/product/delete_memory_by_record_id", { mem_cube_id: "sd_purge", record_id: "p-2" });
      assert.equal(await rowsSetAside(env(), server.dataDir), 1);
      // The sweep runs every half retention: the row goes a little after 2 s, with no request asking.
      const deadline = Date.now() + 15_000;
      while ((await rowsSetAside(env(), server.dataDir)) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await rowsSetAside(env(), server.dataDir), 0, "purged by the server");
      const late = await server.post("/product/recover_memory_by_record_id", { mem_cube_id: "sd_purge", delete_record_id: "p-2" });
      assert.deepEqual(late.body, { code: 200, message: "Called Successfully", data: { status: "success", recovered: 0 } }, "as MemOS for an unknown id");
      const listed = await server.post("/product/get_all", { user_id: "sd_purge" });
      assert.deepEqual(listed.body.data[0]?.memories[0]?.nodes ?? [], []);
    } finally {
      await server.cleanup();
    }
  });
}

test("memories set aside still count in MEMCUBE_CUBE_MAX_BYTES until purged; they leave the memory count at once", async () => {
  const server = await startTestServer({ MEMCUBE_CUBE_MAX_BYTES: "200", MEMCUBE_CUBE_MAX_MEMORIES: "1" });
  try {
    const note = "A note of about eighty characters, stored twice: as a message and as a memory.";
    assert.equal((await server.post("/product/add", { user_id: "sd_quota", messages: note })).status, 200);
    assert.equal((await server.post("/product/add", { user_id: "sd_quota", messages: note.replace("note", "memo") })).status, 413);
    await server.post("/product/delete_memory_by_record_id", { mem_cube_id: "sd_quota", record_id: "q" });
    const stillFull = await server.post("/product/add", { user_id: "sd_quota", messages: note.replace("note", "memo") });
    assert.equal(stillFull.status, 413, "the bytes are still stored");
    assert.match(stillFull.body.message, /bytes \(MEMCUBE_CUBE_MAX_BYTES\)/, "refused for its bytes, not its memory count");
    await server.post("/product/delete_memory_by_record_id", { mem_cube_id: "sd_quota", record_id: "q", hard_delete: true });
    assert.equal((await server.post("/product/add", { user_id: "sd_quota", messages: note.replace("note", "memo") })).status, 200, "purged: room again");
  } finally {
    await server.cleanup();
  }
});

/** SQLite: memories set aside, read from the file. */
async function sqliteSetAside(_env: Record<string, string>, dataDir: string): Promise<number> {
  const db = new Database(path.join(dataDir, "memcube.db"), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM memories WHERE status = 'deleted'").pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("soft delete on SQLite", () => {
  softDeleteSuite("sqlite", () => ({}), sqliteSetAside);
  purgeSuite("sqlite", () => ({}), sqliteSetAside);
});

describe("soft delete on PostgreSQL", { skip: POSTGRES_SKIP }, () => {
  let schema: TestSchema;
  before(async () => {
    schema = await freshSchema("soft_delete");
  });
  const setAside = async () => Number((await querySchema<{ n: number }>(schema.url, "SELECT count(*)::int AS n FROM memories WHERE status = 'deleted'"))[0]?.n);
  softDeleteSuite("postgres", () => ({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }), setAside);
  purgeSuite("postgres", () => ({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }), setAside);
  after(async () => {
    await schema.drop();
  });
});
