/**
 * Upgrading in place: a store written before request-level tags were stored once per cube (SQLite
 * schema 5, PostgreSQL schema 3: a copy of the tag list in every memory row) opens with this build,
 * and every memory reads back the tags it had, in their order, now held once per cube and list,
 * counted once in the cube's usage and still filtered on.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { PG_MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { postgresAtSchema, sqliteAtSchema } from "../support/old-schema.js";
import { freshSchema, POSTGRES_SKIP, querySchema } from "../support/postgres.js";
import { tempDataDir } from "../support/server.js";

const NOW = "2026-01-01T00:00:00.000Z";
const SHARED = ["zeta", "alpha", "ü".repeat(50)];
const OTHER = ["beta"];

/** Old-shaped rows: three memories of one add (the same tags copied into each), one of other tags, one without, one in another cube. */
const OLD_MEMORIES = [
  { id: "m1", cube: "old", text: "first", tags: SHARED },
  { id: "m2", cube: "old", text: "second", tags: SHARED },
  { id: "m3", cube: "old", text: "third", tags: SHARED },
  { id: "m4", cube: "old", text: "fourth", tags: OTHER },
  { id: "m5", cube: "old", text: "fifth", tags: [] },
  { id: "m6", cube: "elsewhere", text: "sixth", tags: SHARED },
];

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

async function checkUpgraded(store: Store): Promise<void> {
  const memories = await store.getMemories(OLD_MEMORIES.map((memory) => memory.id));
  assert.deepEqual(
    memories.map((memory) => [memory.id, memory.tags]),
    OLD_MEMORIES.map((memory) => [memory.id, memory.tags]),
    "every memory shows the tags it had, in their order",
  );
  const tagged = async (value: string) =>
    (await store.listMemories({ cubeId: "old", filter: { field: "tags", op: "contains", value } })).memories.map((memory) => memory.id).sort();
  assert.deepEqual(await tagged("alpha"), ["m1", "m2", "m3"], "tag filters still work");
  assert.deepEqual(await tagged("beta"), ["m4"]);
  const texts = ["first", "second", "third", "fourth", "fifth"].reduce((sum, text) => sum + utf8(text), 0);
  const tagBytes = (tags: string[]) => tags.reduce((sum, tag) => sum + utf8(tag), 0);
  assert.deepEqual(await store.cubeUsage("old"), { memories: 5, bytes: 2 * texts + tagBytes(SHARED) + tagBytes(OTHER) }, "usage counts each tag list once");
  // A new memory with the same tags joins the migrated set: the usage does not grow by the tags again.
  await store.addConversation({
    userId: "u",
    now: NOW,
    entries: [
      {
        message: { cubeId: "old", messageId: "m7", sessionId: "s", role: "user", content: "seventh", chatTime: NOW, createdAt: NOW },
        memory: {
          id: "m7",
          cubeId: "old",
          userId: "u",
          sessionId: "s",
          text: "seventh",
          memoryType: "UserMemory",
          key: "",
          tags: [...SHARED],
          confidence: 1,
          source: "conversation",
          background: "",
          info: {},
          chatTime: NOW,
          createdAt: NOW,
          updatedAt: NOW,
          sourceMessageIds: ["m7"],
          vector: null,
          keywords: "seventh",
        },
      },
    ],
  });
  assert.equal((await store.cubeUsage("old")).bytes, 2 * (texts + utf8("seventh")) + tagBytes(SHARED) + tagBytes(OTHER));
}

describe("upgrade in place: per-memory tags move to one tag set per cube and list", () => {
  test("sqlite: a schema-5 file", async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, "memcube.db");
    try {
      const old = sqliteAtSchema(file, 5, ["old", "elsewhere"], NOW);
      for (const memory of OLD_MEMORIES) {
        old
          .prepare("INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at) VALUES (?, ?, 's', 'user', ?, ?, ?)")
          .run(memory.cube, memory.id, memory.text, NOW, NOW);
        // Schema 5's bytes: text, key, background and the tags of each memory.
        const bytes = utf8(memory.text) + memory.tags.reduce((sum, tag) => sum + utf8(tag), 0);
        const { lastInsertRowid } = old
          .prepare(
            `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, tags, bytes, chat_time, created_at, updated_at)
             VALUES (?, ?, 'u', 's', ?, 'UserMemory', ?, ?, ?, ?, ?)`,
          )
          .run(memory.id, memory.cube, memory.text, JSON.stringify(memory.tags), bytes, NOW, NOW, NOW);
        old
          .prepare("INSERT INTO memory_sources (memory_rowid, cube_id, message_id, position) VALUES (?, ?, ?, 0)")
          .run(lastInsertRowid, memory.cube, memory.id);
      }
      old.close();

      const store = new SqliteStore(file);
      try {
        assert.deepEqual(await store.schemaStatus(), { applied: MIGRATIONS.length, latest: MIGRATIONS.length });
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
      const raw = new Database(file, { readonly: true });
      const sets = raw.prepare("SELECT cube_id AS cubeId, tags FROM memory_tag_sets ORDER BY cube_id, id").all();
      const columns = (raw.prepare("SELECT name FROM pragma_table_info('memories')").pluck().all() as string[]).filter((name) => name.startsWith("tag"));
      raw.close();
      assert.deepEqual(
        sets,
        [
          { cubeId: "elsewhere", tags: JSON.stringify(SHARED) },
          { cubeId: "old", tags: JSON.stringify(SHARED) },
          { cubeId: "old", tags: JSON.stringify(OTHER) },
        ],
        "one row per distinct list and cube; none for no tags",
      );
      assert.deepEqual(columns, ["tag_set_id"], "the per-memory copy is gone");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("postgres: a schema-3 database", { skip: POSTGRES_SKIP }, async () => {
    const schema = await freshSchema("tags_upgrade");
    try {
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        await postgresAtSchema(client, 3, ["old", "elsewhere"], NOW);
        for (const memory of OLD_MEMORIES) {
          await client.query(
            "INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at) VALUES ($1, $2, 's', 'user', $3, $4, $4)",
            [memory.cube, memory.id, memory.text, NOW],
          );
          const bytes = utf8(memory.text) + memory.tags.reduce((sum, tag) => sum + utf8(tag), 0);
          await client.query(
            `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, tags, bytes, chat_time, created_at, updated_at)
             VALUES ($1, $2, 'u', 's', $3, 'UserMemory', $4::jsonb, $5, $6, $6, $6)`,
            [memory.id, memory.cube, memory.text, JSON.stringify(memory.tags), bytes, NOW],
          );
          await client.query("INSERT INTO memory_sources (memory_id, cube_id, message_id, position) VALUES ($1, $2, $1, 0)", [memory.id, memory.cube]);
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
      const sets = await querySchema<{ cube_id: string; tags: unknown }>(schema.url, "SELECT cube_id, tags FROM memory_tag_sets ORDER BY cube_id, id");
      assert.deepEqual(
        sets.map((row) => [row.cube_id, row.tags]),
        [
          ["elsewhere", SHARED],
          ["old", SHARED],
          ["old", OTHER],
        ],
      );
      const columns = await querySchema<{ column_name: string }>(
        schema.url,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'memories' AND column_name LIKE 'tag%'",
      );
      assert.deepEqual(
        columns.map((row) => row.column_name),
        ["tag_set_id"],
      );
    } finally {
      await schema.drop();
    }
  });
});
