/**
 * Upgrading in place to the soft delete's schema (SQLite 7, PostgreSQL 5): a store written before
 * opens with this build, its memories read as they were, and the soft delete, its recovery and its
 * purge work on them.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import pg from "pg";
import { PG_MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { postgresAtSchema, sqliteAtSchema } from "../support/old-schema.js";
import { freshSchema, POSTGRES_SKIP } from "../support/postgres.js";
import { tempDataDir } from "../support/server.js";

const NOW = "2026-01-01T00:00:00.000Z";
const LATER = "2026-01-02T00:00:00.000Z";
const OLD = [
  { id: "m1", text: "the old active memory", status: "activated" },
  { id: "m2", text: "an archived version", status: "archived" },
];

async function checkUpgraded(store: Store): Promise<void> {
  assert.deepEqual(
    (await store.listMemories({ cubeId: "old" })).memories.map((memory) => memory.text),
    ["the old active memory"],
  );
  assert.deepEqual(await store.softDeletedMemories({ limit: 10 }), [], "nothing was set aside by the upgrade");
  assert.equal(await store.softDeleteMemories("old", "r1", LATER), 1, "the active memory only");
  assert.equal((await store.listMemories({ cubeId: "old" })).total, 0);
  assert.equal((await store.getMemory("m2"))?.status, "archived", "an archived version stays archived");
  assert.equal(await store.recoverMemories("old", "r1"), 1);
  assert.equal((await store.getMemory("m1"))?.status, "activated");
  assert.equal(await store.softDeleteMemories("old", "r2", LATER), 1);
  const [setAside] = await store.softDeletedMemories({ deletedBefore: "2026-01-03T00:00:00.000Z", limit: 10 });
  assert.deepEqual(setAside, { cubeId: "old", id: "m1", recordId: "r2", deletedAt: LATER });
  assert.equal(await store.deleteMemories("old", ["m1"]), 1, "purged");
  assert.deepEqual(await store.getMessages("old", ["m1"]), []);
}

describe("upgrade in place: the soft delete's columns", () => {
  test("sqlite: a schema-6 file", async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, "memcube.db");
    try {
      const old = sqliteAtSchema(file, 6, ["old"], NOW);
      for (const memory of OLD) {
        old
          .prepare("INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at) VALUES ('old', ?, 's', 'user', ?, ?, ?)")
          .run(memory.id, memory.text, NOW, NOW);
        const { lastInsertRowid } = old
          .prepare(
            `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, status, bytes, chat_time, created_at, updated_at)
             VALUES (?, 'old', 'u', 's', ?, 'UserMemory', ?, ?, ?, ?, ?)`,
          )
          .run(memory.id, memory.text, memory.status, Buffer.byteLength(memory.text), NOW, NOW, NOW);
        old.prepare("INSERT INTO memory_sources (memory_rowid, cube_id, message_id, position) VALUES (?, 'old', ?, 0)").run(lastInsertRowid, memory.id);
      }
      old.close();
      const store = new SqliteStore(file);
      try {
        assert.deepEqual(await store.schemaStatus(), { applied: MIGRATIONS.length, latest: MIGRATIONS.length });
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("postgres: a schema-4 database", { skip: POSTGRES_SKIP }, async () => {
    const schema = await freshSchema("soft_delete_upgrade");
    try {
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        await postgresAtSchema(client, 4, ["old"], NOW);
        for (const memory of OLD) {
          await client.query(
            "INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at) VALUES ('old', $1, 's', 'user', $2, $3, $3)",
            [memory.id, memory.text, NOW],
          );
          await client.query(
            `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, status, bytes, chat_time, created_at, updated_at)
             VALUES ($1, 'old', 'u', 's', $2, 'UserMemory', $3, $4, $5, $5, $5)`,
            [memory.id, memory.text, memory.status, Buffer.byteLength(memory.text), NOW],
          );
          await client.query("INSERT INTO memory_sources (memory_id, cube_id, message_id, position) VALUES ($1, 'old', $1, 0)", [memory.id]);
        }
      } finally {
        await client.end();
      }
      const store = await PostgresStore.open(schema.url, { maxConnections: 2 });
      try {
        assert.deepEqual(await store.schemaStatus(), { applied: PG_MIGRATIONS.length, latest: PG_MIGRATIONS.length });
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await schema.drop();
    }
  });
});
