/**
 * Stores at an earlier schema version, for upgrade-in-place tests: the migrations up to `version`
 * applied and recorded as a store of that age records them, with the owner `u` and its cubes, so a
 * test only inserts the rows in the old shape it is about.
 */
import Database from "better-sqlite3";
import type pg from "pg";
import { PG_MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { digestOf } from "../../src/store/info-json.js";

/** An SQLite file at schema `version`, with user `u` owning `cubes`; the caller closes it. */
export function sqliteAtSchema(file: string, version: number, cubes: readonly string[], now: string): Database.Database {
  const db = new Database(file);
  // The function later migrations call, as the store registers it when it opens a file.
  db.function("memcube_sha256", { deterministic: true }, (text: unknown) => digestOf(String(text)));
  for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
  db.pragma(`user_version = ${version}`);
  db.prepare("INSERT INTO users (id, created_at) VALUES ('u', ?)").run(now);
  for (const cube of cubes) db.prepare("INSERT INTO cubes (id, name, owner_id, created_at) VALUES (?, ?, 'u', ?)").run(cube, cube, now);
  return db;
}

/** A PostgreSQL schema (the client's search path) at schema `version`, with user `u` owning `cubes`. */
export async function postgresAtSchema(client: pg.Client, version: number, cubes: readonly string[], now: string): Promise<void> {
  await client.query("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
  for (const [index, sql] of PG_MIGRATIONS.slice(0, version).entries()) {
    await client.query(sql);
    await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [index + 1]);
  }
  await client.query("INSERT INTO users (id, created_at) VALUES ('u', $1)", [now]);
  for (const cube of cubes) await client.query("INSERT INTO cubes (id, name, owner_id, created_at) VALUES ($1, $1, 'u', $2)", [cube, now]);
}
