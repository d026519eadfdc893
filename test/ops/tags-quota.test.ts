/**
 * Request-level `custom_tags` and what one add may write: the tags of an add are stored once per
 * cube (one tag set, which its memories point at), not copied into every memory, so an add with many
 * short messages and many long tags writes about its body per cube, and the cube's usage counts the
 * tags once.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { startTestServer, type TestServer } from "../support/server.js";

/** Bytes of the SQLite store's file, with its write-ahead log checkpointed into it first. */
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

/** A fixed allowance per memory: its ids, times, message row, index entries and vector. */
const PER_MEMORY_OVERHEAD = 4_096;

describe("custom_tags are stored once per cube", () => {
  let server: TestServer;
  const cubes = ["ta", "tb", "tc"];
  before(async () => {
    server = await startTestServer({});
    // The cubes exist before the test measures the store.
    for (const cube of cubes) assert.equal((await server.post("/product/add", { user_id: "tu", writable_cube_ids: [cube], messages: "hello" })).status, 200);
  });
  after(() => server.cleanup());

  test("an add of many one-word messages with 64 long tags writes at most cubes × (body + a fixed overhead per memory)", async () => {
    const count = 300;
    const tags = Array.from({ length: 64 }, (_, index) => `${String(index).padStart(3, "0")}${"t".repeat(124)}`);
    const body = {
      user_id: "tu",
      writable_cube_ids: cubes,
      messages: Array.from({ length: count }, (_, index) => ({ role: "user", content: `w${index}` })),
      custom_tags: tags,
    };
    const bodyBytes = Buffer.byteLength(JSON.stringify(body));
    const before = storeBytes(server.dataDir);
    const added = await server.post("/product/add", body);
    assert.equal(added.status, 200);
    assert.equal(added.body.data.length, cubes.length * count);
    const grown = storeBytes(server.dataDir) - before;
    const bound = cubes.length * (bodyBytes + count * PER_MEMORY_OVERHEAD);
    assert.ok(grown <= bound, `the store grew by ${grown} bytes (bound ${bound}; the tags copied into every memory are ${cubes.length * count * 64 * 127})`);

    // Every memory still carries its tags, and the tag filter finds them.
    const all = await server.post("/product/get_all", { user_id: "tu", mem_cube_ids: ["tb"], page: 1, page_size: 400 });
    assert.equal(all.status, 200);
    const memories = all.body.data[0].memories[0].nodes as { memory: string; metadata: { tags: string[] } }[];
    assert.equal(memories.length, count + 1);
    for (const memory of memories.filter((item) => item.memory !== "hello")) assert.deepEqual(memory.metadata.tags, tags);
    const found = await server.post("/product/search", {
      user_id: "tu",
      readable_cube_ids: ["tc"],
      query: "w7",
      filter: { tags: { contains: tags[63] } },
      top_k: 5,
    });
    assert.equal(found.status, 200);
    const hits = (found.body.data.text_mem as { memories: { memory: string; metadata: { tags: string[] } }[] }[]).flatMap((bucket) => bucket.memories);
    assert.ok(hits.length > 0, "the tag filter matches");
    for (const hit of hits) assert.deepEqual(hit.metadata.tags, tags);
  });
});
