import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { ANN_MIN_VECTORS } from "../../src/store/sqlite/vector-index.js";
import type { MessageRecord, NewMemory } from "../../src/store/types.js";
import { seededRandom } from "../../bench/lib/corpus.js";
import { tempDataDir } from "../support/server.js";

const dataDir = tempDataDir();
after(() => rmSync(dataDir, { recursive: true, force: true }));
const file = path.join(dataDir, "memcube.db");
const now = "2026-01-01T00:00:00.000Z";
const DIMENSION = 64;
const random = seededRandom(7);

/** Clustered unit vectors, like sentence embeddings: topics with variations around them. */
const centres = Array.from({ length: 40 }, () => Array.from({ length: DIMENSION }, () => random() - 0.5));
function vectorNear(centre: number[], spread: number): Float32Array {
  const vector = Float32Array.from(centre, (value) => value + (random() - 0.5) * spread);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function entries(cubeId: string, from: number, count: number) {
  return Array.from({ length: count }, (_, offset) => {
    const index = from + offset;
    const message: MessageRecord = { cubeId, messageId: `m${index}`, sessionId: "s", role: "user", content: `memory ${index}`, chatTime: now, createdAt: now };
    const memory: NewMemory = {
      id: crypto.randomUUID(),
      cubeId,
      userId: "u",
      sessionId: "s",
      text: `memory ${index}`,
      memoryType: "UserMemory",
      key: "",
      tags: [],
      confidence: 1,
      source: "conversation",
      background: "",
      info: {},
      chatTime: now,
      createdAt: now,
      updatedAt: now,
      sourceMessageIds: [`m${index}`],
      vector: vectorNear(centres[index % centres.length] as number[], 0.6),
      keywords: `memory ${index}`,
    };
    return { message, memory };
  });
}

async function exactTop(store: SqliteStore, query: Float32Array, k: number): Promise<string[]> {
  // A filter that selects everything forces the exact scan path.
  const hits = await store.searchVectors({ cubeId: "big", filter: { field: "session_id", op: "eq", value: "s" } }, query, k);
  return hits.map((hit) => hit.id);
}

describe("approximate nearest-neighbour index", () => {
  const total = ANN_MIN_VECTORS + 1500;

  test("a large cube gets an HNSW index whose top 10 match exact search (recall ≥ 0.99)", async () => {
    const store = new SqliteStore(file);
    await store.resetVectors({ name: "test", dimension: DIMENSION });
    await store.addConversation({ userId: "u", now, entries: entries("big", 0, total) });
    await store.searchVectors({ cubeId: "big" }, vectorNear(centres[0] as number[], 0.6), 10); // starts the build
    await store.indexesSettled();
    let found = 0;
    let asked = 0;
    for (let trial = 0; trial < 50; trial += 1) {
      const query = vectorNear(centres[trial % centres.length] as number[], 0.8);
      const exact = await exactTop(store, query, 10);
      const approximate = (await store.searchVectors({ cubeId: "big" }, query, 10)).map((hit) => hit.id);
      found += approximate.filter((id) => exact.includes(id)).length;
      asked += exact.length;
    }
    assert.ok(found / asked >= 0.99, `recall ${found / asked}`);
    await store.close();
  });

  test("after a restart the saved index is used, catches up with new rows and never returns deleted ones", async () => {
    const store = new SqliteStore(file);
    const writer = new SqliteStore(file); // another process's connection on the same file
    const added = entries("big", total, 5);
    await writer.addConversation({ userId: "u", now, entries: added });
    const newest = added[0]?.memory as NewMemory;
    const hits = await store.searchVectors({ cubeId: "big" }, newest.vector as Float32Array, 3);
    assert.equal(hits[0]?.id, newest.id, "a row written by another connection is found");

    await writer.deleteMemories("big", [newest.id]);
    const after = await store.searchVectors({ cubeId: "big" }, newest.vector as Float32Array, 10);
    assert.ok(!after.some((hit) => hit.id === newest.id), "a row deleted by another connection is not returned");
    await writer.close();
    await store.close();
  });

  test("a soft delete takes a large cube's rows out of its index; recovered, they are found again", async () => {
    const store = new SqliteStore(file);
    await store.addConversation({ userId: "u", now, entries: entries("aside", 0, ANN_MIN_VECTORS + 200) });
    const query = vectorNear(centres[3] as number[], 0.8);
    await store.searchVectors({ cubeId: "aside" }, query, 10); // starts the build
    await store.indexesSettled();
    const before = (await store.searchVectors({ cubeId: "aside" }, query, 10)).map((hit) => hit.id);
    assert.equal(before.length, 10);
    assert.equal(await store.softDeleteMemories("aside", "r", now), ANN_MIN_VECTORS + 200);
    assert.deepEqual(await store.searchVectors({ cubeId: "aside" }, query, 10), []);
    const later = entries("aside", ANN_MIN_VECTORS + 200, 3);
    await store.addConversation({ userId: "u", now, entries: later });
    assert.deepEqual(
      (await store.searchVectors({ cubeId: "aside" }, query, 10)).map((hit) => hit.id).sort(),
      later.map(({ memory }) => memory.id).sort(),
      "only what was added since",
    );
    await store.recoverMemories("aside", "r");
    const exact = async () =>
      (await store.searchVectors({ cubeId: "aside", filter: { field: "session_id", op: "eq", value: "s" } }, query, 10)).map((hit) => hit.id);
    assert.deepEqual(
      (await store.searchVectors({ cubeId: "aside" }, query, 10)).map((hit) => hit.id),
      await exact(),
      "exact while the index is rebuilt",
    );
    await store.indexesSettled();
    const rebuilt = (await store.searchVectors({ cubeId: "aside" }, query, 10)).map((hit) => hit.id);
    const wanted = await exact();
    assert.ok(rebuilt.filter((id) => wanted.includes(id)).length >= 9, "the rebuilt index holds the recovered rows");
    assert.deepEqual(wanted, before, "the same nearest rows as before the soft delete");
    await store.close();
  });

  test("a recovery by another process sharing the file makes this process rebuild its index with the recovered rows", async () => {
    const store = new SqliteStore(file);
    const other = new SqliteStore(file);
    await store.addConversation({ userId: "u", now, entries: entries("shared-aside", 0, ANN_MIN_VECTORS + 50) });
    const query = vectorNear(centres[5] as number[], 0.8);
    await store.searchVectors({ cubeId: "shared-aside" }, query, 10); // starts the build
    await store.indexesSettled();
    const before = (await store.searchVectors({ cubeId: "shared-aside" }, query, 10)).map((hit) => hit.id);
    await other.softDeleteMemories("shared-aside", "r", now);
    assert.deepEqual(await store.searchVectors({ cubeId: "shared-aside" }, query, 10), [], "set aside rows are dropped at the join");
    await other.recoverMemories("shared-aside", "r");
    assert.deepEqual(
      (await store.searchVectors({ cubeId: "shared-aside" }, query, 10)).map((hit) => hit.id),
      before,
      "recovered rows are found (exactly, while the index is rebuilt)",
    );
    await store.indexesSettled();
    const rebuilt = (await store.searchVectors({ cubeId: "shared-aside" }, query, 10)).map((hit) => hit.id);
    assert.ok(rebuilt.filter((id) => before.includes(id)).length >= 9, `the rebuilt index holds them: ${rebuilt.length}`);
    await other.close();
    await store.close();
  });

  test("small cubes and narrow scopes are searched exactly", async () => {
    const store = new SqliteStore(file);
    const small = entries("small", 0, 50);
    await store.addConversation({ userId: "u", now, entries: small });
    const target = small[7]?.memory as NewMemory;
    const hits = await store.searchVectors({ cubeId: "small" }, target.vector as Float32Array, 1);
    assert.equal(hits[0]?.id, target.id);
    assert.ok(Math.abs((hits[0]?.score ?? 0) - 1) < 0.001, "compact vectors keep cosine within 0.001");
    await store.close();
  });
});
