/**
 * Upgrading in place: a store written before request-level info was stored once per cube (SQLite
 * schema 4, PostgreSQL schema 2: a copy of `info` in every memory row) opens with this build, and
 * every memory reads back the info it had, now held once per cube and counted in the cube's usage.
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
const SHARED = { project: "apollo", big: "b".repeat(5_000) };
const OTHER = { project: "gemini" };

/** Old-shaped rows: three memories of one add (the same info copied into each), one of another, one without. */
const OLD_MEMORIES = [
  { id: "m1", cube: "old", text: "first", info: SHARED },
  { id: "m2", cube: "old", text: "second", info: SHARED },
  { id: "m3", cube: "old", text: "third", info: SHARED },
  { id: "m4", cube: "old", text: "fourth", info: OTHER },
  { id: "m5", cube: "old", text: "fifth", info: {} },
  { id: "m6", cube: "elsewhere", text: "sixth", info: SHARED },
];

async function checkUpgraded(store: Store): Promise<void> {
  const memories = await store.getMemories(OLD_MEMORIES.map((memory) => memory.id));
  assert.deepEqual(
    memories.map((memory) => [memory.id, memory.info]),
    OLD_MEMORIES.map((memory) => [memory.id, memory.info]),
    "every memory shows the info it had",
  );
  const { memories: filtered } = await store.listMemories({ cubeId: "old", filter: { field: "info.project", op: "eq", value: "apollo" } });
  assert.deepEqual(filtered.map((memory) => memory.id).sort(), ["m1", "m2", "m3"], "info filters still work");
  const texts = ["first", "second", "third", "fourth", "fifth"].reduce((sum, text) => sum + text.length, 0);
  const usage = await store.cubeUsage("old");
  assert.equal(usage.memories, 5);
  // Texts of messages and memories, and each distinct info once (PostgreSQL measures jsonb's own text form).
  const minimum = 2 * texts + JSON.stringify(SHARED).length + JSON.stringify(OTHER).length;
  assert.ok(usage.bytes >= minimum && usage.bytes < minimum + 20, `usage counts the info once: ${usage.bytes} (about ${minimum})`);
}

describe("upgrade in place: per-memory info moves to one row per cube", () => {
  test("sqlite: a schema-4 file", async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, "memcube.db");
    try {
      const old = sqliteAtSchema(file, 4, ["old", "elsewhere"], NOW);
      for (const memory of OLD_MEMORIES) {
        old
          .prepare("INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at) VALUES (?, ?, 's', 'user', ?, ?, ?)")
          .run(memory.cube, memory.id, memory.text, NOW, NOW);
        const { lastInsertRowid } = old
          .prepare(
            `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, info, chat_time, created_at, updated_at)
             VALUES (?, ?, 'u', 's', ?, 'UserMemory', ?, ?, ?, ?)`,
          )
          .run(memory.id, memory.cube, memory.text, JSON.stringify(memory.info), NOW, NOW, NOW);
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
      const infos = raw.prepare("SELECT cube_id AS cubeId, info FROM memory_infos ORDER BY cube_id, id").all();
      const columns = (raw.prepare("SELECT name FROM pragma_table_info('memories')").pluck().all() as string[]).filter((name) => name.startsWith("info"));
      raw.close();
      assert.deepEqual(
        infos,
        [
          { cubeId: "elsewhere", info: JSON.stringify(SHARED) },
          { cubeId: "old", info: JSON.stringify(SHARED) },
          { cubeId: "old", info: JSON.stringify(OTHER) },
        ],
        "one row per distinct info and cube; none for an empty info",
      );
      assert.deepEqual(columns, ["info_id"], "the per-memory copy is gone");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("postgres: a schema-2 database", { skip: POSTGRES_SKIP }, async () => {
    const schema = await freshSchema("info_upgrade");
    try {
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        await postgresAtSchema(client, 2, ["old", "elsewhere"], NOW);
        for (const memory of OLD_MEMORIES) {
          await client.query(
            "INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at) VALUES ($1, $2, 's', 'user', $3, $4, $4)",
            [memory.cube, memory.id, memory.text, NOW],
          );
          await client.query(
            `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, info, chat_time, created_at, updated_at)
             VALUES ($1, $2, 'u', 's', $3, 'UserMemory', $4::jsonb, $5, $5, $5)`,
            [memory.id, memory.cube, memory.text, JSON.stringify(memory.info), NOW],
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
      const infos = await querySchema<{ cube_id: string; info: unknown }>(schema.url, "SELECT cube_id, info FROM memory_infos ORDER BY cube_id, id");
      assert.deepEqual(
        infos.map((row) => [row.cube_id, row.info]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        [
          ["elsewhere", SHARED],
          ["old", OTHER],
          ["old", SHARED],
        ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      );
      const columns = await querySchema<{ column_name: string }>(
        schema.url,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'memories' AND column_name LIKE 'info%'",
      );
      assert.deepEqual(
        columns.map((row) => row.column_name),
        ["info_id"],
      );
    } finally {
      await schema.drop();
    }
  });
});
