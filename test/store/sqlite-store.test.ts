import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { MessageRecord, NewMemory } from "../../src/store/types.js";
import { tempDataDir } from "../support/server.js";

const dataDir = tempDataDir();
after(() => rmSync(dataDir, { recursive: true, force: true }));
const file = path.join(dataDir, "memcube.db");
const now = "2026-01-01T00:00:00.000Z";

function entry(cubeId: string, messageId: string, text: string, vector: number[] | null) {
  const message: MessageRecord = { cubeId, messageId, sessionId: "s", role: "user", content: text, chatTime: now, createdAt: now };
  const memory: NewMemory = {
    id: crypto.randomUUID(),
    cubeId,
    userId: "u",
    sessionId: "s",
    text,
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
    sourceMessageIds: [messageId],
    vector: vector ? new Float32Array(vector) : null,
    keywords: text.toLowerCase(),
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

// The behaviour every store shares is tested in contract.test.ts; this file looks inside SQLite's tables.
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
    assert.deepEqual(
      nearest.map((hit) => hit.id),
      [first.memory.id],
      "the vector index is partitioned by cube",
    );
    const keyword = await store.searchKeywords({ cubeId: "c2" }, ["apples"], 10);
    assert.deepEqual(
      keyword.map((hit) => hit.id),
      [other.memory.id],
    );

    assert.equal(await store.deleteMemories("c1", [first.memory.id, second.memory.id]), 2);
    assert.deepEqual(indexCounts(), { vectors: 1, words: 1, memories: 1, messages: 1 });
    await store.close();
  });
});
