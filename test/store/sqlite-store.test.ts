import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { CubeWriteRefused } from "../../src/store/store.js";
import type { MessageRecord, NewMemory } from "../../src/store/types.js";
import { tempDataDir } from "../support/server.js";

const dataDir = tempDataDir();
after(() => rmSync(dataDir, { recursive: true, force: true }));
const file = path.join(dataDir, "memcube.db");
const now = "2026-01-01T00:00:00.000Z";

function entry(cubeId: string, messageId: string, text: string, vector: number[] | null) {
  const message: MessageRecord = { cubeId, messageId, sessionId: "s", role: "user", content: text, chatTime: now, createdAt: now };
  const memory: NewMemory = {
    id: crypto.randomUUID(), cubeId, userId: "u", sessionId: "s", text, memoryType: "UserMemory", key: "", tags: [],
    confidence: 1, source: "conversation", background: "", info: {}, chatTime: now, createdAt: now, updatedAt: now,
    sourceMessageIds: [messageId], vector: vector ? new Float32Array(vector) : null, keywords: text.toLowerCase(),
  };
  return { message, memory };
}

function indexCounts(): { vectors: number; words: number; memories: number; messages: number } {
  const db = new Database(file, { readonly: true });
  sqliteVec.load(db);
  try {
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      vectors: count("SELECT count(*) FROM memory_vectors"),
      words: count("SELECT count(*) FROM memory_words_docsize"),
      memories: count("SELECT count(*) FROM memories"),
      messages: count("SELECT count(*) FROM messages"),
    };
  } finally {
    db.close();
  }
}

describe("SqliteStore", () => {
  test("a memory, its vector and its words are written and deleted together", async () => {
    const store = new SqliteStore(file);
    await store.resetVectors({ name: "test", dimension: 3 });
    await store.createCube({ id: "c1", name: "c1", ownerId: "u", createdAt: now });
    await store.createCube({ id: "c2", name: "c2", ownerId: "u", createdAt: now });
    const first = entry("c1", "m1", "apples and pears", [1, 0, 0]);
    const second = entry("c1", "m2", "only words here", null);
    const other = entry("c2", "m1", "apples in another cube", [1, 0, 0]);
    await store.addConversation({ userId: "u", now, entries: [first, second, other] });
    assert.deepEqual(indexCounts(), { vectors: 2, words: 3, memories: 3, messages: 3 });

    const nearest = await store.searchVectors({ cubeId: "c1" }, new Float32Array([1, 0, 0]), 10);
    assert.deepEqual(nearest.map((hit) => hit.id), [first.memory.id], "the vector index is partitioned by cube");
    const keyword = await store.searchKeywords({ cubeId: "c2" }, ["apples"], 10);
    assert.deepEqual(keyword.map((hit) => hit.id), [other.memory.id]);

    assert.equal(await store.deleteMemories("c1", [first.memory.id, second.memory.id]), 2);
    assert.deepEqual(indexCounts(), { vectors: 1, words: 1, memories: 1, messages: 1 });
    await store.close();
  });

  test("FTS5 syntax in words is searched as text, never interpreted", async () => {
    const store = new SqliteStore(file);
    await store.createCube({ id: "c3", name: "c3", ownerId: "u", createdAt: now });
    const tricky = entry("c3", "t1", 'he said "near(" or * and \' or 1=1 --', null);
    await store.addConversation({ userId: "u", now, entries: [tricky] });
    for (const word of ['"', "NEAR(", "*", "OR", "' OR 1=1 --", "AND"]) {
      await assert.doesNotReject(store.searchKeywords({ cubeId: "c3" }, [word], 5), word);
    }
    assert.deepEqual((await store.searchKeywords({ cubeId: "c3" }, ["near("], 5)).map((hit) => hit.id), [tricky.memory.id]);
    await store.close();
  });

  test("a write re-checks access in its transaction: another user's cube is refused and nothing is written", async () => {
    const store = new SqliteStore(file);
    await store.createCube({ id: "theirs", name: "theirs", ownerId: "someone", createdAt: now });
    const sneaky = entry("theirs", "s1", "written after access was revoked", null);
    const fresh = entry("brand-new", "n1", "goes to a new cube", null);
    await assert.rejects(store.addConversation({ userId: "u", now, entries: [fresh, sneaky] }), CubeWriteRefused);
    assert.equal(await store.getCube("brand-new"), undefined, "the whole batch was rolled back");
    assert.equal((await store.listMemories({ cubeId: "theirs" })).total, 0);
    await store.shareCube("theirs", "u", "write");
    await store.addConversation({ userId: "u", now, entries: [fresh, sneaky] });
    assert.equal((await store.getCube("brand-new"))?.ownerId, "u");
    assert.equal((await store.listMemories({ cubeId: "theirs" })).total, 1);
    await store.close();
  });

  test("reopening runs no migration twice and keeps the data", async () => {
    const store = new SqliteStore(file);
    assert.equal((await store.listMemories({ cubeId: "c2" })).total, 1);
    assert.deepEqual(await store.embedderIdentity(), { name: "test", dimension: 3 });
    await store.close();
  });
});
