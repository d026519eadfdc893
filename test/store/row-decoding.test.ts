/**
 * Rows are checked where they leave the database driver: a row that does not have the shape the
 * store expects (a hand edit, a schema drift) fails with the table and column named, instead of
 * coming out as a record with a memory type or a tag list the rest of memcube does not know.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import type { MessageRecord, NewMemory } from "../../src/store/types.js";
import { freshSchema, POSTGRES_SKIP, querySchema } from "../support/postgres.js";
import { tempDataDir } from "../support/server.js";

const now = "2026-01-01T00:00:00.000Z";

async function storeOneMemory(store: Store): Promise<string> {
  const message: MessageRecord = { cubeId: "c", messageId: "m1", sessionId: "s", role: "user", content: "I live in Lyon", chatTime: now, createdAt: now };
  const memory: NewMemory = {
    id: crypto.randomUUID(),
    cubeId: "c",
    userId: "u",
    sessionId: "s",
    text: "I live in Lyon",
    memoryType: "UserMemory",
    key: "",
    tags: ["home"],
    confidence: 1,
    source: "conversation",
    background: "",
    info: {},
    chatTime: now,
    createdAt: now,
    updatedAt: now,
    sourceMessageIds: ["m1"],
    vector: null,
    keywords: "i live in lyon",
  };
  await store.addConversation({ userId: "u", now, entries: [{ message, memory }] });
  return memory.id;
}

describe("row decoding", () => {
  test("sqlite: a memory row with an unknown type or a damaged tag list fails naming the column", async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, "memcube.db");
    try {
      const store = new SqliteStore(file);
      const id = await storeOneMemory(store);
      assert.equal((await store.getMemory(id))?.memoryType, "UserMemory");
      const raw = new Database(file);
      raw.prepare("UPDATE memories SET memory_type = 'Gossip' WHERE id = ?").run(id);
      await assert.rejects(store.getMemory(id), { name: "StoreRowError", message: /memories row: memory_type .*one of WorkingMemory/ });
      raw.prepare("UPDATE memories SET memory_type = 'UserMemory' WHERE id = ?").run(id);
      // The memory's tags are its tag set's (stored once per cube and list).
      raw.prepare("UPDATE memory_tag_sets SET tags = '{\"home\":1}' WHERE id = (SELECT tag_set_id FROM memories WHERE id = ?)").run(id);
      await assert.rejects(store.listMemories({ cubeId: "c" }), { name: "StoreRowError", message: /memories row: tags .*list of strings/ });
      raw.close();
      await store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("postgres: a memory row with an unknown status fails naming the column", { skip: POSTGRES_SKIP }, async () => {
    const schema = await freshSchema("rowdecode");
    const store = await PostgresStore.open(schema.url, { maxConnections: 2 });
    try {
      const id = await storeOneMemory(store);
      assert.equal((await store.getMemory(id))?.status, "activated");
      await querySchema(schema.url, "UPDATE memories SET status = 'half-deleted' WHERE id = $1", [id]);
      await assert.rejects(store.getMemory(id), { name: "StoreRowError", message: /memories row: status .*one of activated/ });
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
