/**
 * POST /product/delete_user: erasure. Afterwards no table of the SQLite file holds the user's id,
 * the ids (or keyword tags) of the cubes they owned, or anything they wrote; other users' data is
 * untouched. Only the user themself or an admin key may ask.
 */
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { cubeTag } from "../../src/store/sqlite/cube-terms.js";
import { extractionEnv, memories, script } from "../support/extraction.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestServer, type Json, type TestServer } from "../support/server.js";

const KEYS = {
  "sk-alice-4c1e9b7d2f6a8e30": "alice",
  "sk-bob-7e2a5c9f1d3b6e84": "bob",
  "sk-carol-2b8d4f6a0c1e9d57": "carol",
  "sk-dave-9a3c7e1f5b2d8c46": "dave",
  "sk-admin-5f9b1d3e7a2c4e68": "*",
};
const as = (user: string) => ({ authorization: `Bearer ${Object.entries(KEYS).find(([, actor]) => actor === user)?.[0]}` });

const ALICE_CUBES = ["alice", "alice-work", "alice-shared"];

let llm: FakeOpenAI;
let server: TestServer;

before(async () => {
  llm = await startFakeOpenAI();
  // Extraction refines each add into one derived memory (the raw ones are archived: history rows).
  script(llm, { extract: (prompt) => memories({ memory: `refined: ${/(\w+ zanzibar\w*)/.exec(prompt.user)?.[1] ?? "note"}`, sources: [1] }) });
  server = await startTestServer({ ...extractionEnv(llm), MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
});
after(async () => {
  await server.cleanup();
  await llm.close();
});

async function ok(route: string, body: unknown, user: string): Promise<Json> {
  const response = await server.post(route, body, as(user));
  assert.equal(response.status, 200, `${route} as ${user}: ${JSON.stringify(response.body)}`);
  return response.body;
}

const add = (user: string, cube: string, content: string, id: string) =>
  ok("/product/add", { user_id: user, writable_cube_ids: [cube], messages: [{ role: "user", content, message_id: id }], async_mode: "sync" }, user);

/** Every row of every table (virtual tables' shadow tables included), as text and raw bytes. */
function dump(file: string): { table: string; text: string; bytes: Buffer[] }[] {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    return tables.flatMap((table) => {
      let rows: Record<string, unknown>[];
      try {
        rows = db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
      } catch {
        return []; // a virtual table this connection cannot open (sqlite-vec not loaded): its shadow tables are read
      }
      return rows.map((row) => {
        const values = Object.values(row);
        return {
          table,
          text: values
            .filter((value) => !Buffer.isBuffer(value))
            .map(String)
            .join("\u0000"),
          bytes: values.filter((value): value is Buffer => Buffer.isBuffer(value)),
        };
      });
    });
  } finally {
    db.close();
  }
}

function traces(file: string, needles: readonly string[]): string[] {
  const found: string[] = [];
  for (const row of dump(file)) {
    for (const needle of needles) {
      if (row.text.includes(needle) || row.bytes.some((bytes) => bytes.includes(needle))) found.push(`${row.table}: ${needle}`);
    }
  }
  return [...new Set(found)];
}

describe("POST /product/delete_user", () => {
  test("erases every trace of the user and leaves other users' data as it was", async () => {
    // alice: three cubes, one shared with bob (write) and carol (read); bob writes into it.
    await add("alice", "alice", "alice zanzibarone private diary", "a-1");
    await add("alice", "alice-work", "alice zanzibartwo work notes", "a-2");
    await add("alice", "alice-shared", "alice zanzibarthree shared plan", "a-3");
    await ok("/product/share_cube", { user_id: "alice", cube_id: "alice-shared", target_user_id: "bob", access: "write" }, "alice");
    await ok("/product/share_cube", { user_id: "alice", cube_id: "alice-shared", target_user_id: "carol", access: "read" }, "alice");
    await add("bob", "alice-shared", "bob zanzibarfour wrote in alice's cube", "b-in-a");
    // bob shares his cube with alice (write); both write into it. carol shares hers with alice and bob (read).
    await add("bob", "bob", "bob kept this quietly", "b-1");
    await ok("/product/share_cube", { user_id: "bob", cube_id: "bob", target_user_id: "alice", access: "write" }, "bob");
    await add("alice", "bob", "alice zanzibarfive wrote in bob's cube", "a-in-b");
    await add("bob", "bob", "bob replied later", "b-2");
    await add("carol", "carol", "carol recipe for bread", "c-1");
    for (const target of ["alice", "bob"]) {
      await ok("/product/share_cube", { user_id: "carol", cube_id: "carol", target_user_id: target, access: "read" }, "carol");
    }
    for (const user of ["alice", "bob", "carol"]) {
      const idle = await server.post(`/product/scheduler/wait?user_name=${user}&timeout_seconds=10&poll_interval=0.02`, {}, as(user));
      assert.equal(idle.body.message, "idle");
    }
    await ok("/product/search", { user_id: "alice", query: "zanzibarone diary", readable_cube_ids: ["alice", "bob", "carol"] }, "alice");

    const file = path.join(server.dataDir, "memcube.db");
    const memoryIds = (await ok("/product/get_all", { user_id: "alice", mem_cube_ids: ALICE_CUBES }, "alice")).data.flatMap(
      (entry: { memories: { nodes: { id: string }[] }[] }) => entry.memories[0]?.nodes.map((memory) => memory.id) ?? [],
    ) as string[];
    const needles = ["alice", "zanzibar", ...ALICE_CUBES.map(cubeTag), ...memoryIds];
    const before = traces(file, needles);
    for (const table of [
      "users",
      "cubes",
      "cube_access",
      "messages",
      "memories",
      "memory_sources",
      "memory_history",
      "jobs",
      "memory_words_data",
      "memory_vectors_chunks",
    ]) {
      assert.ok(
        before.some((trace) => trace.startsWith(`${table}:`)),
        `the fixture leaves traces in ${table}: ${before.join(", ")}`,
      );
    }
    const listed = async (userId: string, cubeIds: string[]) =>
      (
        (await ok("/product/get_all", { user_id: userId, mem_cube_ids: cubeIds }, userId)).data as {
          cube_id: string;
          memories: { nodes: { memory: string }[] }[];
        }[]
      ).map((entry) => ({ cube_id: entry.cube_id, nodes: entry.memories[0]?.nodes ?? [] }));
    const bobBefore = await listed("bob", ["bob", "carol"]);
    const carolBefore = await listed("carol", ["carol"]);

    // Another user's key may not erase alice; nothing changes.
    const refused = await server.post("/product/delete_user", { user_id: "alice" }, as("bob"));
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, "this API key may not act as user 'alice'");
    assert.deepEqual(traces(file, needles), before);

    const erased = await ok("/product/delete_user", { user_id: "alice" }, "alice");
    assert.equal(erased.message, "User deleted successfully");
    assert.equal(erased.data.user_id, "alice");
    assert.equal(erased.data.user_deleted, true);
    assert.equal(erased.data.cubes, 3);
    assert.equal(erased.data.shares, 2, "alice's access to bob's and carol's cubes");
    assert.ok(erased.data.memories >= 5 && erased.data.messages >= 5 && erased.data.jobs >= 5, JSON.stringify(erased.data));

    // No trace in any table (FTS and vector shadow tables included).
    assert.deepEqual(traces(file, needles), []);

    // Her cubes are gone for everyone; bob's and carol's data is as it was, less what alice wrote in bob's cube.
    for (const cube of ALICE_CUBES) {
      const exists = await server.post("/product/exist_mem_cube_id", { user_id: "bob", mem_cube_id: cube }, as("bob"));
      assert.equal(exists.body.data[cube], false, cube);
    }
    const withoutAlice = bobBefore.map((entry) => ({ ...entry, nodes: entry.nodes.filter((memory) => !memory.memory.includes("zanzibar")) }));
    assert.deepEqual(await listed("bob", ["bob", "carol"]), withoutAlice);
    assert.deepEqual(await listed("carol", ["carol"]), carolBefore);
    const search = await ok("/product/search", { user_id: "bob", query: "zanzibarfive bob cube", readable_cube_ids: ["bob"] }, "bob");
    assert.ok(search.data.text_mem[0].memories.every((memory: { memory: string }) => !memory.memory.includes("zanzibar")));

    // Erasing again finds nothing; alice may start afresh.
    const again = await ok("/product/delete_user", { user_id: "alice" }, "alice");
    assert.deepEqual(again.data, { user_id: "alice", user_deleted: false, cubes: 0, memories: 0, messages: 0, jobs: 0, shares: 0 });
    await add("alice", "alice", "a fresh start", "a-new");
  });

  test("an admin key may erase any user", async () => {
    await add("dave", "dave", "dave owns this", "d-1");
    const erased = await ok("/product/delete_user", { user_id: "dave" }, "*");
    assert.equal(erased.data.cubes, 1);
    assert.equal(erased.data.user_deleted, true);
    assert.deepEqual(traces(path.join(server.dataDir, "memcube.db"), ["dave"]), []);
  });

  test("a bad user id is a 422 and erases nothing", async () => {
    const response = await server.post("/product/delete_user", { user_id: "bob; DROP TABLE users" }, as("*"));
    assert.equal(response.status, 422);
    assert.equal((await server.post("/product/get_all", { user_id: "bob", mem_cube_ids: ["bob"] }, as("bob"))).status, 200);
  });
});
