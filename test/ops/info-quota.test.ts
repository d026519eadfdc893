/**
 * Request-level `info` and the cube byte quota: an add's info is stored once per cube (not once per
 * memory), counted against MEMCUBE_CUBE_MAX_BYTES with everything else the add stores, and an add
 * that would pass a cube's quota is refused whole before anything is written. A listing of many
 * memories carrying a large info is bounded in bytes.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { startTestServer, type TestServer } from "../support/server.js";

/** Bytes of the SQLite store's file, with its write-ahead log checkpointed into it first (the log's size is reused, not grown). */
function storeBytes(dataDir: string): number {
  const file = path.join(dataDir, "memcube.db");
  const db = new Database(file);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return statSync(file).size;
}

const messages = (count: number, label: string) => Array.from({ length: count }, (_, index) => ({ role: "user", content: `${label} message ${index}` }));

describe("info and MEMCUBE_CUBE_MAX_BYTES", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_CUBE_MAX_BYTES: "1mb" });
    // The cubes exist before the tests measure the store.
    for (const cube of ["ia", "ib"])
      assert.equal((await server.post("/product/add", { user_id: "iu", writable_cube_ids: [cube], messages: "hello" })).status, 200);
  });
  after(() => server.cleanup());

  test("an add whose info alone passes the quota is refused whole with 413, and the store did not grow", async () => {
    const before = storeBytes(server.dataDir);
    const over = await server.post("/product/add", {
      user_id: "iu",
      writable_cube_ids: ["ia", "ib"],
      messages: messages(50, "refused"),
      info: { blob: "x".repeat(1_100_000) },
    });
    assert.equal(over.status, 413);
    assert.match(over.body.message, /^cube 'ia' is full: .* of 1048576 bytes \(MEMCUBE_CUBE_MAX_BYTES\)/);
    assert.equal(storeBytes(server.dataDir), before, "nothing was written");
    for (const cube of ["ia", "ib"]) {
      const all = await server.post("/product/get_all", { user_id: "iu", mem_cube_ids: [cube] });
      assert.deepEqual(
        all.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory),
        ["hello"],
      );
    }
  });

  test("info is stored once per cube: one add writes about its body per cube, not a copy per memory; the next add past the quota is refused", async () => {
    const info = { blob: "y".repeat(300_000), source: "import" };
    const body = { user_id: "iu", writable_cube_ids: ["ia", "ib"], messages: messages(50, "kept"), info };
    const bodyBytes = Buffer.byteLength(JSON.stringify(body));
    const before = storeBytes(server.dataDir);
    const added = await server.post("/product/add", body);
    assert.equal(added.status, 200);
    assert.equal(added.body.data.length, 100);
    const grown = storeBytes(server.dataDir) - before;
    // Per cube: the body once, and a fixed overhead per memory (ids, times, index entries, vectors).
    const bound = 2 * (bodyBytes + 50 * 8_192);
    assert.ok(grown <= bound, `the store grew by ${grown} bytes (bound ${bound}; a copy of info per memory would be ${100 * 300_000})`);

    const page = await server.post("/product/get_all", { user_id: "iu", mem_cube_ids: ["ia"], page: 1, page_size: 60 });
    assert.equal(page.status, 200);
    const memories = page.body.data[0].memories[0].nodes as { memory: string; metadata: { info: unknown } }[];
    assert.equal(memories.length, 51);
    for (const memory of memories.filter((item) => item.memory.startsWith("kept"))) assert.deepEqual(memory.metadata.info, info);

    // ~300 KB of each cube's 1 MiB are used: 800 KB more do not fit.
    const over = await server.post("/product/add", { user_id: "iu", writable_cube_ids: ["ib"], messages: "one more", info: { blob: "z".repeat(800_000) } });
    assert.equal(over.status, 413);
    assert.match(over.body.message, /^cube 'ib' is full: \d+ of 1048576 bytes/);
    const used = Number(/is full: (\d+) of/.exec(over.body.message)?.[1]);
    assert.ok(used > 300_000 && used < 320_000, `the usage counts the info once: ${used}`);
  });
});

describe("answers listing memories are bounded in bytes", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({});
  });
  after(() => server.cleanup());

  test("get_all of memories carrying a large info stops at the answer's byte budget and says so", async () => {
    const info = { blob: "w".repeat(400_000) };
    for (const batch of [0, 1]) {
      assert.equal((await server.post("/product/add", { user_id: "bu", messages: messages(30, `batch${batch}`), info })).status, 200);
    }
    const response = await fetch(`${server.url}/product/get_all`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: "bu" }),
    });
    const text = await response.text();
    assert.equal(response.status, 200);
    // 60 memories × 400 KB of info would be 24 MB.
    assert.ok(text.length < 17 * 1024 ** 2, `answer of ${text.length} bytes`);
    const [bucket] = JSON.parse(text).data;
    assert.equal(bucket.total_nodes, 60);
    assert.ok(bucket.memories.length >= 1 && bucket.memories.length < 60);
    assert.equal(bucket.truncated, true);
    // Smaller pages get everything.
    const seen = new Set<string>();
    for (let page = 1; page <= 6; page++) {
      const { body } = await server.post("/product/get_all", { user_id: "bu", page, page_size: 10 });
      assert.equal(body.data[0].truncated, undefined);
      for (const memory of body.data[0].memories[0].nodes) seen.add(memory.id);
    }
    assert.equal(seen.size, 60);
  });

  test("a search answer is bounded the same way", async () => {
    const response = await fetch(`${server.url}/product/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: "bu", query: "batch0 message", top_k: 100, dedup: "no", include_preference: false }),
    });
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.ok(text.length < 17 * 1024 ** 2, `answer of ${text.length} bytes`);
    const [bucket] = JSON.parse(text).data.text_mem;
    assert.ok(bucket.memories.length >= 1 && bucket.memories.length < 60);
    assert.equal(bucket.truncated, true);
    assert.equal(bucket.total_nodes, bucket.memories.length);
  });
});
