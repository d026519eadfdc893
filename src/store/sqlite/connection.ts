import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import type { EmbedderIdentity } from "../store.js";
import { digestOf } from "../info-json.js";
import { identityFrom, infoDecoder, jobDecoder, memoryDecoder } from "../core/rows.js";
import { jsonText, number, rowOf, text, valueOf } from "../core/decode.js";
import { MIGRATIONS } from "./migrations.js";
import { VectorIndexes } from "./vector-index.js";

const EMBEDDER_KEY = "embedder";
/** Statements kept prepared (see `read`); past this many distinct texts (filters vary) they start over. */
const MAX_STATEMENTS = 500;

/** `memories` and `jobs` rows as SQLite returns them (JSON columns as text). */
export const decodeMemory = memoryDecoder(jsonText);
export const decodeJob = jobDecoder(jsonText);
/** A `memory_infos` row's info. */
export const decodeInfo = infoDecoder(jsonText);
/** A memory row's rowid (the key of its sources, words and vector). */
export const decodeRowid = rowOf("memories", { rowid: number });
export const decodeCount = valueOf("count", number);
export const decodeId = valueOf("id", text);

/** Placeholders for a short literal list (vec0's metadata constraints take no subquery); longer lists use BOUND_LIST. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}

export function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/**
 * One SQLite file with sqlite-vec and FTS5, migrated, and what this process keeps about it: the
 * embedder recorded (read on every search), whether the vector table exists, and the in-memory
 * vector indexes of large cubes. Every module of the store works on this one connection.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  readonly ann: VectorIndexes;
  private embedder: EmbedderIdentity | undefined;
  private vectorTable: boolean;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // FULL: an acknowledged write survives a crash of the process and of the machine.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    sqliteVec.load(this.db);
    // Schemas 5 and 6 move per-memory info and tags into memory_infos and memory_tag_sets by digest, as new writes do.
    this.db.function("memcube_sha256", { deterministic: true }, (text: unknown) => digestOf(String(text)));
    this.migrate();
    this.embedder = this.readIdentity();
    this.vectorTable = this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'memory_vectors'").get() !== undefined;
    const annFolder = file === ":memory:" ? undefined : path.join(path.dirname(file), "ann");
    this.ann = new VectorIndexes(
      this.db,
      (sql) => this.read(sql),
      annFolder,
      () => this.embedder,
    );
  }

  private migrate(): void {
    const applied = this.schemaVersion();
    if (applied > MIGRATIONS.length) {
      throw new Error(`${this.file} was written by a newer memcube (schema ${applied}, this one knows ${MIGRATIONS.length})`);
    }
    MIGRATIONS.forEach((sql, index) => {
      if (index < applied) return;
      // Under the write lock, the version is read again: another process may have migrated meanwhile.
      this.db
        .transaction(() => {
          if (this.schemaVersion() !== index) return;
          this.db.exec(sql);
          this.db.pragma(`user_version = ${index + 1}`);
        })
        .immediate();
    });
  }

  schemaVersion(): number {
    return Number(this.db.pragma("user_version", { simple: true }));
  }

  /**
   * A statement prepared once per SQL text: better-sqlite3 compiles every `prepare` anew (20–40 µs
   * each, and a search ran about 25). For statements used as they come (never switched to
   * `pluck` or `raw`, which would change them for every other user of the same text).
   */
  read(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs the work in an IMMEDIATE transaction: the write lock up front, so a busy file is waited for, not failed on. */
  write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  private readIdentity(): EmbedderIdentity | undefined {
    const value = this.db.prepare("SELECT value FROM meta WHERE key = ?").pluck().get(EMBEDDER_KEY);
    return value === undefined ? undefined : identityFrom(value);
  }

  get identity(): EmbedderIdentity | undefined {
    return this.embedder;
  }

  writeEmbedder(identity: EmbedderIdentity): void {
    this.embedder = identity;
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(EMBEDDER_KEY, JSON.stringify(identity));
  }

  get hasVectorTable(): boolean {
    return this.vectorTable;
  }

  /** After the vector table was (re)created. */
  vectorTableCreated(): void {
    this.vectorTable = true;
  }

  close(): void {
    if (!this.db.open) return;
    this.ann.saveAll();
    this.db.close();
  }
}
