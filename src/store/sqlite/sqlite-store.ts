import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import {
  CubeWriteRefused,
  JobLeaseLost,
  type ClaimRequest,
  type ConversationBatch,
  type ConversationWrite,
  type EmbedderIdentity,
  type StoreStats,
  type Store,
  type UserErasure,
} from "../store.js";
import type {
  CubeAccess,
  CubeRecord,
  JobClaim,
  JobCount,
  JobOutcome,
  JobRecord,
  MemoryRecord,
  MemoryScope,
  MemoryType,
  MemoryVersion,
  MessageRecord,
  NewMemory,
  Page,
  Refinement,
  RefinementWrite,
  ScoredId,
  SharedAccess,
  UserCube,
} from "../types.js";
import { BOUND_LIST, boundList } from "./bound-list.js";
import { cubeTag, documentTerms, termsOf } from "./cube-terms.js";
import { scopeSql } from "./filter-sql.js";
import { SqliteJobs } from "./jobs.js";
import { dequantize, quantize } from "./quantize.js";
import { VectorIndexes, type Neighbour } from "./vector-index.js";
import { MIGRATIONS } from "./migrations.js";
import { rowToMemory, rowToMessage, type MessageRow } from "../rows.js";
import { decodeMemoryRow, type SqliteMemoryRow } from "./rows.js";
import { digestOf, encodeInfo } from "../info-json.js";
import { storedBytesOf } from "../stored-bytes.js";

const EMBEDDER_KEY = "embedder";

/** FTS5 sees user words only as quoted strings, never as query syntax. */
function quoteWord(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}

/** Placeholders for a short literal list (vec0's metadata constraints take no subquery); longer lists use BOUND_LIST. */
function marks(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}

function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** The embedded default store: one SQLite file with sqlite-vec and FTS5. */
export class SqliteStore implements Store {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  private readonly ann: VectorIndexes;
  /** Cached: read on every search. */
  private identity: EmbedderIdentity | undefined;
  private vectorTable: boolean;

  constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // FULL: an acknowledged write survives a crash of the process and of the machine.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    sqliteVec.load(this.db);
    // Schema 5 moves per-memory info into memory_infos by digest, as new writes do.
    this.db.function("memcube_sha256", { deterministic: true }, (text: unknown) => digestOf(String(text)));
    this.migrate();
    this.identity = this.readIdentity();
    this.vectorTable = this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'memory_vectors'").get() !== undefined;
    const annFolder = file === ":memory:" ? undefined : path.join(path.dirname(file), "ann");
    this.ann = new VectorIndexes(this.db, annFolder, () => this.identity);
  }

  private migrate(): void {
    const applied = Number(this.db.pragma("user_version", { simple: true }));
    if (applied > MIGRATIONS.length) {
      throw new Error(`${this.file} was written by a newer memcube (schema ${applied}, this one knows ${MIGRATIONS.length})`);
    }
    MIGRATIONS.forEach((sql, index) => {
      if (index < applied) return;
      // Under the write lock, the version is read again: another process may have migrated meanwhile.
      this.db.transaction(() => {
        if (Number(this.db.pragma("user_version", { simple: true })) !== index) return;
        this.db.exec(sql);
        this.db.pragma(`user_version = ${index + 1}`);
      }).immediate();
    });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.ann.saveAll();
    this.db.close();
  }

  /** Resolves when no background index build is running (tests and benchmarks). */
  async indexesSettled(): Promise<void> {
    await this.ann.settled();
  }

  private meta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  private readIdentity(): EmbedderIdentity | undefined {
    const value = this.meta(EMBEDDER_KEY);
    return value === undefined ? undefined : (JSON.parse(value) as EmbedderIdentity);
  }

  async embedderIdentity(): Promise<EmbedderIdentity | undefined> {
    return this.identity;
  }

  private hasVectorTable(): boolean {
    return this.vectorTable;
  }

  async resetVectors(identity: EmbedderIdentity): Promise<void> {
    if (!Number.isInteger(identity.dimension) || identity.dimension < 1) throw new Error("bad embedding dimension");
    this.db.transaction(() => {
      this.db.exec("DROP TABLE IF EXISTS memory_vectors");
      this.db.exec(
        `CREATE VIRTUAL TABLE memory_vectors USING vec0(
           cube_id TEXT PARTITION KEY, memory_type TEXT, embedding FLOAT[${identity.dimension}] distance_metric=cosine)`,
      );
      this.db.exec("UPDATE memories SET vector_q = NULL WHERE vector_q IS NOT NULL");
      this.writeEmbedder(identity);
    }).immediate();
    this.vectorTable = true;
    this.ann.dropAll();
  }

  private writeEmbedder(identity: EmbedderIdentity): void {
    this.identity = identity;
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(EMBEDDER_KEY, JSON.stringify(identity));
  }

  async recordEmbedder(identity: EmbedderIdentity): Promise<void> {
    this.writeEmbedder(identity);
  }

  // ---- users and cubes ----

  private ensureUser(userId: string, now: string): void {
    this.db.prepare("INSERT INTO users (id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING").run(userId, now);
  }

  async getCube(cubeId: string): Promise<CubeRecord | undefined> {
    const row = this.db
      .prepare("SELECT id, name, owner_id AS ownerId, created_at AS createdAt FROM cubes WHERE id = ?")
      .get(cubeId) as CubeRecord | undefined;
    return row;
  }

  async createCube(cube: CubeRecord): Promise<boolean> {
    return this.db.transaction(() => {
      this.ensureUser(cube.ownerId, cube.createdAt);
      const result = this.db
        .prepare("INSERT INTO cubes (id, name, owner_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
        .run(cube.id, cube.name, cube.ownerId, cube.createdAt);
      return result.changes === 1;
    }).immediate();
  }

  async deleteCube(cubeId: string): Promise<void> {
    this.db.transaction(() => {
      const rowids = this.db.prepare("SELECT rowid FROM memories WHERE cube_id = ?").pluck().all(cubeId) as number[];
      this.removeIndexEntries(cubeId, rowids);
      this.db.prepare("DELETE FROM memory_history WHERE memory_id IN (SELECT id FROM memories WHERE cube_id = ?)").run(cubeId);
      this.db.prepare("DELETE FROM jobs WHERE cube_id = ?").run(cubeId);
      this.db.prepare("DELETE FROM cubes WHERE id = ?").run(cubeId);
    }).immediate();
    this.ann.drop(cubeId);
  }

  async accessOf(cubeId: string, userId: string): Promise<CubeAccess | undefined> {
    const row = this.db
      .prepare(
        `SELECT CASE WHEN c.owner_id = ? THEN 'owner' ELSE a.access END AS access
         FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = ?
         WHERE c.id = ?`,
      )
      .get(userId, userId, cubeId) as { access: CubeAccess | null } | undefined;
    return row?.access ?? undefined;
  }

  async cubesOf(userId: string): Promise<UserCube[]> {
    const rows = this.db
      .prepare(
        `SELECT c.id, c.name, c.owner_id AS ownerId, c.created_at AS createdAt,
                CASE WHEN c.owner_id = ? THEN 'owner' ELSE a.access END AS access,
                (SELECT count(*) FROM memories m WHERE m.cube_id = c.id AND m.status = 'activated') AS memories
         FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = ?
         WHERE c.owner_id = ? OR a.user_id IS NOT NULL
         ORDER BY c.id`,
      )
      .all(userId, userId, userId) as (CubeRecord & { access: CubeAccess; memories: number })[];
    return rows.map(({ access, memories, ...cube }) => ({ cube, access, memories }));
  }

  async shareCube(cubeId: string, userId: string, access: SharedAccess | undefined): Promise<void> {
    this.db.transaction(() => {
      if (access === undefined) {
        this.db.prepare("DELETE FROM cube_access WHERE cube_id = ? AND user_id = ?").run(cubeId, userId);
        return;
      }
      this.ensureUser(userId, new Date().toISOString());
      this.db
        .prepare(
          `INSERT INTO cube_access (cube_id, user_id, access) VALUES (?, ?, ?)
           ON CONFLICT (cube_id, user_id) DO UPDATE SET access = excluded.access`,
        )
        .run(cubeId, userId, access);
    }).immediate();
  }

  // ---- writing ----

  /** Inside a write transaction: the cube's row for this info (one per distinct info), null for an empty info. */
  private infoIdFor(cubeId: string, info: Record<string, unknown>): number | null {
    const encoded = encodeInfo(info);
    if (!encoded) return null;
    this.db
      .prepare("INSERT INTO memory_infos (cube_id, digest, info, bytes) VALUES (?, ?, ?, ?) ON CONFLICT (cube_id, digest) DO NOTHING")
      .run(cubeId, encoded.digest, encoded.json, encoded.bytes);
    return this.db.prepare("SELECT id FROM memory_infos WHERE cube_id = ? AND digest = ?").pluck().get(cubeId, encoded.digest) as number;
  }

  /** Inside a write transaction: drops the info rows no memory points at any more. */
  private dropUnusedInfos(infoIds: Iterable<number>): void {
    const drop = this.db.prepare("DELETE FROM memory_infos WHERE id = ? AND NOT EXISTS (SELECT 1 FROM memories WHERE info_id = ?)");
    for (const infoId of new Set(infoIds)) drop.run(infoId, infoId);
  }

  private insertMemory(memory: NewMemory): void {
    const infoId = this.infoIdFor(memory.cubeId, memory.info);
    const result = this.db
      .prepare(
        `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, key, tags, confidence, source,
           background, info_id, chat_time, created_at, updated_at, bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        memory.id,
        memory.cubeId,
        memory.userId,
        memory.sessionId,
        memory.text,
        memory.memoryType,
        memory.key,
        JSON.stringify(memory.tags),
        memory.confidence,
        memory.source,
        memory.background,
        infoId,
        memory.chatTime,
        memory.createdAt,
        memory.updatedAt,
        storedBytesOf(memory),
      );
    const rowid = BigInt(result.lastInsertRowid);
    const addSource = this.db.prepare("INSERT INTO memory_sources (memory_rowid, cube_id, message_id, position) VALUES (?, ?, ?, ?)");
    memory.sourceMessageIds.forEach((messageId, position) => addSource.run(rowid, memory.cubeId, messageId, position));
    this.db.prepare("INSERT INTO memory_words (rowid, words) VALUES (?, ?)").run(rowid, documentTerms(memory.cubeId, memory.keywords));
    if (memory.vector && this.hasVectorTable()) {
      this.db
        .prepare("INSERT INTO memory_vectors (rowid, cube_id, memory_type, embedding) VALUES (?, ?, ?, ?)")
        .run(rowid, memory.cubeId, memory.memoryType, vectorBlob(memory.vector));
      this.db.prepare("UPDATE memories SET vector_q = ? WHERE rowid = ?").run(quantize(memory.vector), rowid);
    }
  }

  /** Inside a write transaction: the user may write the cube, which is created when missing. */
  private claimForWriting(cubeId: string, userId: string, now: string): void {
    const cube = this.db.prepare("SELECT owner_id AS ownerId FROM cubes WHERE id = ?").get(cubeId) as { ownerId: string } | undefined;
    if (!cube) {
      this.ensureUser(userId, now);
      this.db.prepare("INSERT INTO cubes (id, name, owner_id, created_at) VALUES (?, ?, ?, ?)").run(cubeId, cubeId, userId, now);
      return;
    }
    if (cube.ownerId === userId) return;
    const shared = this.db.prepare("SELECT access FROM cube_access WHERE cube_id = ? AND user_id = ?").pluck().get(cubeId, userId);
    if (shared !== "write") throw new CubeWriteRefused(cubeId);
  }

  async addConversation(batch: ConversationBatch): Promise<ConversationWrite> {
    const existingMessageIds: string[] = [];
    /** Per cube: the messages stored now, with the memory made from each. */
    const stored = new Map<string, Map<string, string>>();
    const jobs: ConversationWrite["jobs"] = [];
    const insertMessage = this.db.prepare(
      `INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.db.transaction(() => {
      this.ensureUser(batch.userId, batch.now);
      for (const cubeId of new Set(batch.entries.map((entry) => entry.message.cubeId))) {
        this.claimForWriting(cubeId, batch.userId, batch.now);
      }
      for (const { message, memory } of batch.entries) {
        const inserted = insertMessage.run(
          message.cubeId,
          message.messageId,
          message.sessionId,
          message.role,
          message.content,
          message.chatTime,
          message.createdAt,
        );
        if (inserted.changes === 0) {
          existingMessageIds.push(message.messageId);
          continue;
        }
        this.insertMemory(memory);
        const inCube = stored.get(message.cubeId) ?? new Map<string, string>();
        inCube.set(message.messageId, memory.id);
        stored.set(message.cubeId, inCube);
      }
      for (const job of batch.jobs ?? []) {
        const inCube = stored.get(job.cubeId);
        const messageIds = [...new Set(job.messageIds)].filter((messageId) => inCube?.has(messageId));
        if (messageIds.length === 0) continue;
        const memoryIds = messageIds.map((messageId) => inCube?.get(messageId) as string);
        this.jobs.enqueue(job, messageIds, memoryIds, batch.now);
        jobs.push({ taskId: job.taskId, cubeId: job.cubeId, messageIds });
      }
    }).immediate();
    // A cube that just grew large gets its index built now rather than on its first search.
    for (const cubeId of new Set(batch.entries.map((entry) => entry.message.cubeId))) this.ann.prepare(cubeId);
    return { existingMessageIds, jobs };
  }

  private removeIndexEntries(cubeId: string, rowids: readonly number[]): void {
    const deleteWords = this.db.prepare("DELETE FROM memory_words WHERE rowid = ?");
    const deleteVector = this.hasVectorTable() ? this.db.prepare("DELETE FROM memory_vectors WHERE rowid = ?") : undefined;
    for (const rowid of rowids) {
      deleteWords.run(BigInt(rowid));
      deleteVector?.run(BigInt(rowid));
      this.ann.remove(cubeId, rowid);
    }
  }

  async deleteMemories(cubeId: string, memoryIds: readonly string[]): Promise<number> {
    if (memoryIds.length === 0) return 0;
    return this.db.transaction(() => this.forgetMemories(cubeId, memoryIds).deleted).immediate();
  }

  /**
   * Inside a write transaction: deletes the memories with their earlier versions from every index
   * and forgets the messages no other active memory cites. Counts the given memories deleted, every
   * memory row removed, and the messages forgotten.
   */
  private forgetMemories(cubeId: string, memoryIds: readonly string[]): { deleted: number; rows: number; messages: number } {
    let deleted = 0;
    let rows = 0;
    let messages = 0;
    const find = this.db.prepare("SELECT rowid, info_id AS infoId FROM memories WHERE id = ? AND cube_id = ?");
    const sourcesOf = this.db.prepare("SELECT message_id FROM memory_sources WHERE memory_rowid = ?").pluck();
    const forgotten = new Set<string>();
    const infoIds: number[] = [];
    const requested = new Set(memoryIds);
    for (const memoryId of this.withEarlierVersions(cubeId, memoryIds)) {
      const found = find.get(memoryId, cubeId) as { rowid: number; infoId: number | null } | undefined;
      if (found === undefined) continue;
      const { rowid } = found;
      if (found.infoId !== null) infoIds.push(found.infoId);
      for (const messageId of sourcesOf.all(rowid) as string[]) forgotten.add(messageId);
      this.removeIndexEntries(cubeId, [rowid]);
      this.db.prepare("DELETE FROM memories WHERE rowid = ?").run(rowid);
      this.db.prepare("DELETE FROM memory_history WHERE memory_id = ?").run(memoryId);
      rows += 1;
      if (requested.has(memoryId)) deleted += 1;
    }
    this.dropUnusedInfos(infoIds);
    const stillCited = this.db.prepare(
      `SELECT 1 FROM memory_sources s JOIN memories m ON m.rowid = s.memory_rowid
       WHERE s.cube_id = ? AND s.message_id = ? AND m.status = 'activated' LIMIT 1`,
    );
    const forget = this.db.prepare("DELETE FROM messages WHERE cube_id = ? AND message_id = ?");
    for (const messageId of forgotten) {
      if (stillCited.get(cubeId, messageId) === undefined) messages += forget.run(cubeId, messageId).changes;
    }
    return { deleted, rows, messages };
  }

  async deleteUser(userId: string): Promise<UserErasure> {
    const erased = this.db.transaction((): UserErasure & { owned: string[] } => {
      const owned = this.db.prepare("SELECT id FROM cubes WHERE owner_id = ? ORDER BY id").pluck().all(userId) as string[];
      let memories = 0;
      let messages = 0;
      let jobs = 0;
      const countIn = (table: string, cubeId: string) =>
        this.db.prepare(`SELECT count(*) FROM ${table} WHERE cube_id = ?`).pluck().get(cubeId) as number;
      for (const cubeId of owned) {
        memories += countIn("memories", cubeId);
        messages += countIn("messages", cubeId);
        const rowids = this.db.prepare("SELECT rowid FROM memories WHERE cube_id = ?").pluck().all(cubeId) as number[];
        this.removeIndexEntries(cubeId, rowids);
        this.db.prepare("DELETE FROM memory_history WHERE memory_id IN (SELECT id FROM memories WHERE cube_id = ?)").run(cubeId);
        jobs += this.db.prepare("DELETE FROM jobs WHERE cube_id = ?").run(cubeId).changes;
        // Messages, memories (with their sources) and the shares of the cube go with it.
        this.db.prepare("DELETE FROM cubes WHERE id = ?").run(cubeId);
      }
      // What the user wrote into cubes others own (shared for writing) is theirs to erase too.
      const elsewhere = this.db
        .prepare("SELECT cube_id AS cubeId, id FROM memories WHERE user_id = ? ORDER BY cube_id, rowid")
        .all(userId) as { cubeId: string; id: string }[];
      const byCube = new Map<string, string[]>();
      for (const { cubeId, id } of elsewhere) byCube.set(cubeId, [...(byCube.get(cubeId) ?? []), id]);
      for (const [cubeId, ids] of byCube) {
        const forgotten = this.forgetMemories(cubeId, ids);
        memories += forgotten.rows;
        messages += forgotten.messages;
      }
      jobs += this.db.prepare("DELETE FROM jobs WHERE user_id = ?").run(userId).changes;
      const shares = this.db.prepare("DELETE FROM cube_access WHERE user_id = ?").run(userId).changes;
      this.db.prepare("DELETE FROM chat_token_usage WHERE user_id = ?").run(userId);
      const user = this.db.prepare("DELETE FROM users WHERE id = ?").run(userId).changes;
      // A contentless FTS5 index keeps deleted terms in its segments until they are merged: merge
      // them all now, so that no word of the user's stays in the file (it rewrites the keyword index).
      if (memories > 0) this.db.prepare("INSERT INTO memory_words (memory_words) VALUES ('optimize')").run();
      return { owned, user: user === 1, cubes: owned.length, memories, messages, jobs, shares };
    }).immediate();
    for (const cubeId of erased.owned) this.ann.drop(cubeId);
    const { owned: _owned, ...counts } = erased;
    return counts;
  }

  async setVectors(entries: readonly { id: string; vector: Float32Array }[]): Promise<void> {
    if (!this.hasVectorTable()) throw new Error("no vector index: call resetVectors first");
    this.db.transaction(() => {
      const find = this.db.prepare("SELECT rowid, cube_id AS cubeId, memory_type AS memoryType FROM memories WHERE id = ?");
      const remove = this.db.prepare("DELETE FROM memory_vectors WHERE rowid = ?");
      const insert = this.db.prepare("INSERT INTO memory_vectors (rowid, cube_id, memory_type, embedding) VALUES (?, ?, ?, ?)");
      const compact = this.db.prepare("UPDATE memories SET vector_q = ? WHERE rowid = ?");
      for (const { id, vector } of entries) {
        const row = find.get(id) as { rowid: number; cubeId: string; memoryType: string } | undefined;
        if (!row) continue;
        remove.run(BigInt(row.rowid));
        insert.run(BigInt(row.rowid), row.cubeId, row.memoryType, vectorBlob(vector));
        compact.run(quantize(vector), row.rowid);
      }
    }).immediate();
  }

  // ---- jobs and refinement ----

  private jobQueue: SqliteJobs | undefined;
  private get jobs(): SqliteJobs {
    this.jobQueue ??= new SqliteJobs(this.db);
    return this.jobQueue;
  }

  /**
   * The memories with the archived versions they replaced, transitively: a deleted memory takes its
   * history with it (an earlier version says much the same thing, so forgetting must reach it too).
   */
  private withEarlierVersions(cubeId: string, memoryIds: readonly string[]): string[] {
    const all = new Set(memoryIds);
    const pending = [...memoryIds];
    const earlier = this.db
      .prepare(
        `SELECT DISTINCT h.memory_id FROM memory_history h JOIN memories m ON m.id = h.memory_id
         WHERE h.replaced_by = ? AND m.cube_id = ? AND m.status = 'archived'`,
      )
      .pluck();
    while (pending.length > 0) {
      for (const previous of earlier.all(pending.pop(), cubeId) as string[]) {
        if (all.has(previous)) continue;
        all.add(previous);
        pending.push(previous);
      }
    }
    return [...all];
  }

  /** Inside a transaction: the memory leaves search (status and every index) and records its successor. */
  private archive(row: { rowid: number; id: string; cubeId: string; text: string; memoryType: string }, successorId: string, reason: string, now: string): void {
    this.db.prepare("UPDATE memories SET status = 'archived', updated_at = ? WHERE rowid = ?").run(now, row.rowid);
    this.removeIndexEntries(row.cubeId, [row.rowid]);
    this.db
      .prepare(
        `INSERT INTO memory_history (memory_id, version, text, memory_type, status, replaced_by, changed_at, reason)
         VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM memory_history WHERE memory_id = ?), ?, ?, 'archived', ?, ?, ?)`,
      )
      .run(row.id, row.id, row.text, row.memoryType, successorId, now, reason);
  }

  async commitRefinement(refinement: Refinement): Promise<RefinementWrite> {
    const { cubeId, now } = refinement;
    return this.db.transaction(() => {
      if (!this.jobs.holds(refinement.claim)) throw new JobLeaseLost(refinement.claim.jobId);
      const messageExists = this.db.prepare("SELECT 1 FROM messages WHERE cube_id = ? AND message_id = ?");
      const active = this.db.prepare(
        `SELECT rowid, id, cube_id AS cubeId, text, memory_type AS memoryType FROM memories
         WHERE id = ? AND cube_id = ? AND status = 'activated'`,
      );
      type ActiveRow = { rowid: number; id: string; cubeId: string; text: string; memoryType: string };
      const inheritHistory = this.db.prepare(
        `INSERT INTO memory_history (memory_id, version, text, memory_type, status, replaced_by, changed_at, reason)
         SELECT ?, version, text, memory_type, status, replaced_by, changed_at, reason FROM memory_history WHERE memory_id = ?`,
      );
      const insertedIds: string[] = [];
      const archivedIds: string[] = [];
      for (const { memory, supersedes } of refinement.derived) {
        // A message forgotten while the job ran must not come back through what was derived from it.
        if (!memory.sourceMessageIds.every((messageId) => messageExists.get(cubeId, messageId) !== undefined)) continue;
        this.insertMemory(memory);
        insertedIds.push(memory.id);
        const old = supersedes ? (active.get(supersedes.memoryId, cubeId) as ActiveRow | undefined) : undefined;
        if (old && supersedes) {
          this.archive(old, memory.id, supersedes.reason, now);
          // The new version carries the whole lineage, so its history reads newest first.
          inheritHistory.run(memory.id, old.id);
          archivedIds.push(old.id);
        }
      }
      const standing = new Set(insertedIds);
      for (const { memoryId, successorId, reason } of refinement.retire) {
        if (!standing.has(successorId) && active.get(successorId, cubeId) === undefined) continue;
        const raw = active.get(memoryId, cubeId) as ActiveRow | undefined;
        if (!raw) continue;
        this.archive(raw, successorId, reason, now);
        archivedIds.push(raw.id);
      }
      this.jobs.finish(refinement.claim, { status: "done", result: { ...refinement.result, insertedIds, archivedIds } }, now);
      return { insertedIds, archivedIds };
    }).immediate();
  }

  async memoriesByKey(cubeId: string, keys: readonly string[], limit: number): Promise<MemoryRecord[]> {
    const wanted = [...new Set(keys.map((key) => key.trim().toLowerCase()).filter(Boolean))];
    if (wanted.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT * FROM memories WHERE cube_id = ? AND status = 'activated' AND lower(key) IN ${BOUND_LIST}
         ORDER BY chat_time DESC, rowid DESC LIMIT ?`,
      )
      .all(cubeId, boundList(wanted), limit) as SqliteMemoryRow[];
    return this.hydrate(rows);
  }

  async getMessages(cubeId: string, messageIds: readonly string[]): Promise<MessageRecord[]> {
    if (messageIds.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM messages WHERE cube_id = ? AND message_id IN ${BOUND_LIST} ORDER BY chat_time, rowid`)
      .all(cubeId, boundList(messageIds)) as MessageRow[];
    return rows.map(rowToMessage);
  }

  async messagesBefore(cubeId: string, sessionId: string, before: string, limit: number): Promise<MessageRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM messages WHERE cube_id = ? AND session_id = ? AND chat_time < ?
         ORDER BY chat_time DESC, rowid DESC LIMIT ?`,
      )
      .all(cubeId, sessionId, before, limit) as MessageRow[];
    return rows.reverse().map(rowToMessage);
  }

  async followingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>> {
    const next = this.db.prepare(
      `SELECT n.* FROM messages m JOIN messages n ON n.cube_id = m.cube_id AND n.session_id = m.session_id
         AND (n.chat_time > m.chat_time OR (n.chat_time = m.chat_time AND n.rowid > m.rowid))
       WHERE m.cube_id = ? AND m.message_id = ? ORDER BY n.chat_time, n.rowid LIMIT 1`,
    );
    const following = new Map<string, MessageRecord>();
    for (const messageId of new Set(messageIds)) {
      const row = next.get(cubeId, messageId) as MessageRow | undefined;
      if (row) following.set(messageId, rowToMessage(row));
    }
    return following;
  }

  async claimJob(request: ClaimRequest): Promise<JobRecord | undefined> {
    return this.jobs.claim(request);
  }

  async renewJob(claim: JobClaim, leaseUntil: string): Promise<boolean> {
    return this.jobs.renew(claim, leaseUntil);
  }

  async finishJob(claim: JobClaim, outcome: JobOutcome, now: string): Promise<boolean> {
    return this.jobs.finish(claim, outcome, now);
  }

  async getJob(taskId: string): Promise<JobRecord | undefined> {
    return this.jobs.get(taskId);
  }

  async listJobs(userId: string, limit: number): Promise<JobRecord[]> {
    return this.jobs.list(userId, limit);
  }

  async countUnfinishedJobs(userId: string): Promise<number> {
    return this.jobs.countUnfinished(userId);
  }

  async countJobs(userId?: string): Promise<JobCount[]> {
    return this.jobs.count(userId);
  }

  async pruneJobs(finishedBefore: string): Promise<number> {
    return this.jobs.prune(finishedBefore);
  }

  // ---- operations ----

  async schemaStatus(): Promise<{ applied: number; latest: number }> {
    return { applied: Number(this.db.pragma("user_version", { simple: true })), latest: MIGRATIONS.length };
  }

  async stats(now: string): Promise<StoreStats> {
    const memories = this.db.prepare("SELECT count(*) FROM memories WHERE status = 'activated'").pluck().get() as number;
    const cubes = this.db.prepare("SELECT count(*) FROM cubes").pluck().get() as number;
    const { oldestDueAt, ...jobs } = this.jobs.counts(now);
    return { memories, cubes, jobs, oldestDueAt };
  }

  async cubeUsage(cubeId: string): Promise<{ memories: number; bytes: number }> {
    return this.db
      .prepare(
        `SELECT
           (SELECT count(*) FROM memories WHERE cube_id = ? AND status = 'activated') AS memories,
           (SELECT coalesce(sum(length(CAST(content AS BLOB))), 0) FROM messages WHERE cube_id = ?)
           + (SELECT coalesce(sum(bytes), 0) FROM memories WHERE cube_id = ?)
           + (SELECT coalesce(sum(bytes), 0) FROM memory_infos WHERE cube_id = ?) AS bytes`,
      )
      .get(cubeId, cubeId, cubeId, cubeId) as { memories: number; bytes: number };
  }

  async listParkedJobs(limit: number): Promise<JobRecord[]> {
    return this.jobs.parked(limit);
  }

  async retryParkedJob(taskId: string, now: string): Promise<boolean> {
    return this.jobs.retryParked(taskId, now);
  }

  async dropParkedJob(taskId: string): Promise<boolean> {
    return this.jobs.dropParked(taskId);
  }

  async addChatTokens(userId: string, day: string, tokens: number): Promise<number> {
    // IMMEDIATE, as every write here: the write lock up front, so a busy file is waited for, not failed on.
    return this.db
      .transaction(
        () =>
          this.db
            .prepare(
              `INSERT INTO chat_token_usage (user_id, day, tokens) VALUES (?, ?, ?)
               ON CONFLICT (user_id, day) DO UPDATE SET tokens = tokens + excluded.tokens RETURNING tokens`,
            )
            .pluck()
            .get(userId, day, tokens) as number,
      )
      .immediate();
  }

  async chatTokens(userId: string, day: string): Promise<number> {
    return (this.db.prepare("SELECT tokens FROM chat_token_usage WHERE user_id = ? AND day = ?").pluck().get(userId, day) as number | undefined) ?? 0;
  }

  // ---- reading ----

  private hydrate(rows: readonly SqliteMemoryRow[]): MemoryRecord[] {
    if (rows.length === 0) return [];
    const sources = this.db.prepare(
      `SELECT msg.cube_id, msg.message_id, msg.session_id, msg.role, msg.content, msg.chat_time, msg.created_at
       FROM memory_sources s JOIN messages msg ON msg.cube_id = s.cube_id AND msg.message_id = s.message_id
       WHERE s.memory_rowid = ? ORDER BY s.position`,
    );
    const infos = this.infosOf(rows.flatMap((row) => (row.info_id === null ? [] : [row.info_id])));
    return rows.map((row) =>
      rowToMemory(decodeMemoryRow(row, (row.info_id === null ? undefined : infos.get(row.info_id)) ?? {}), (sources.all(row.rowid) as MessageRow[]).map(rowToMessage)),
    );
  }

  /** The infos by row, each read and decoded once however many of the memories carry it. */
  private infosOf(infoIds: readonly number[]): Map<number, Record<string, unknown>> {
    const read = this.db.prepare("SELECT info FROM memory_infos WHERE id = ?").pluck();
    const infos = new Map<number, Record<string, unknown>>();
    for (const infoId of new Set(infoIds)) {
      const json = read.get(infoId) as string | undefined;
      if (json !== undefined) infos.set(infoId, JSON.parse(json) as Record<string, unknown>);
    }
    return infos;
  }

  async getMemory(memoryId: string): Promise<MemoryRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM memories WHERE id = ?").get(memoryId) as SqliteMemoryRow | undefined;
    return row ? this.hydrate([row])[0] : undefined;
  }

  async getMemories(memoryIds: readonly string[]): Promise<MemoryRecord[]> {
    if (memoryIds.length === 0) return [];
    const rows = this.db.prepare(`SELECT * FROM memories WHERE id IN ${BOUND_LIST}`).all(boundList(memoryIds)) as SqliteMemoryRow[];
    const byId = new Map(this.hydrate(rows).map((memory) => [memory.id, memory]));
    return memoryIds.flatMap((id) => byId.get(id) ?? []);
  }

  async memoriesFromMessages(cubeId: string, messageIds: readonly string[]): Promise<MemoryRecord[]> {
    if (messageIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT DISTINCT m.* FROM memory_sources s JOIN memories m ON m.rowid = s.memory_rowid
         WHERE s.cube_id = ? AND s.message_id IN ${BOUND_LIST} AND m.status = 'activated'
         ORDER BY m.rowid`,
      )
      .all(cubeId, boundList(messageIds)) as SqliteMemoryRow[];
    return this.hydrate(rows);
  }

  async listMemories(
    scope: MemoryScope,
    page?: Page,
    textContains?: string,
  ): Promise<{ memories: MemoryRecord[]; total: number }> {
    const where = scopeSql(scope);
    const textClause = textContains ? " AND instr(lower(m.text), lower(?)) > 0" : "";
    const params = textContains ? [...where.params, textContains] : where.params;
    const total = this.db.prepare(`SELECT count(*) FROM memories m WHERE ${where.sql}${textClause}`).pluck().get(...params) as number;
    const paging = page ? " LIMIT ? OFFSET ?" : "";
    const rows = this.db
      .prepare(`SELECT m.* FROM memories m WHERE ${where.sql}${textClause} ORDER BY m.created_at DESC, m.rowid DESC${paging}`)
      .all(...params, ...(page ? [page.limit, page.offset] : [])) as SqliteMemoryRow[];
    return { memories: this.hydrate(rows), total };
  }

  async recentMemories(cubeId: string, sessionId: string, limit: number): Promise<MemoryRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM memories WHERE cube_id = ? AND session_id = ? AND status = 'activated'
         ORDER BY chat_time DESC, rowid DESC LIMIT ?`,
      )
      .all(cubeId, sessionId, limit) as SqliteMemoryRow[];
    return this.hydrate(rows);
  }

  async memoryHistory(memoryId: string): Promise<MemoryVersion[]> {
    return this.db
      .prepare(
        `SELECT memory_id AS memoryId, text, memory_type AS memoryType, status, replaced_by AS replacedBy,
           changed_at AS changedAt, reason
         FROM memory_history WHERE memory_id = ? ORDER BY version DESC`,
      )
      .all(memoryId) as MemoryVersion[];
  }

  async memoryIds(scope: MemoryScope & { sessionId?: string }): Promise<string[]> {
    const where = scopeSql(scope);
    const session = scope.sessionId === undefined ? "" : " AND m.session_id = ?";
    const params = scope.sessionId === undefined ? where.params : [...where.params, scope.sessionId];
    return this.db.prepare(`SELECT m.id FROM memories m WHERE ${where.sql}${session}`).pluck().all(...params) as string[];
  }

  async memoryTexts(
    after: string | undefined,
    limit: number,
  ): Promise<{ id: string; cubeId: string; memoryType: string; text: string }[]> {
    return this.db
      .prepare(
        `SELECT id, cube_id AS cubeId, memory_type AS memoryType, text FROM memories
         WHERE status = 'activated' AND id > ? ORDER BY id LIMIT ?`,
      )
      .all(after ?? "", limit) as { id: string; cubeId: string; memoryType: string; text: string }[];
  }

  // ---- searching ----

  async hasMemories(scope: MemoryScope): Promise<boolean> {
    const where = scopeSql(scope);
    return this.db.prepare(`SELECT 1 FROM memories m WHERE ${where.sql} LIMIT 1`).get(...where.params) !== undefined;
  }

  async searchVectors(scope: MemoryScope, vector: Float32Array, limit: number): Promise<ScoredId[]> {
    if (!this.hasVectorTable() || limit < 1) return [];
    const rows = this.vectorSearch(scope, vector, limit);
    return rows.map((row) => ({ id: row.id, score: 1 - row.distance }));
  }

  /**
   * The cheapest exact-enough way for the scope: a narrow scope (a filter, or a rare memory type)
   * is scanned on the rows' compact vectors; a whole large cube goes to its HNSW index; the rest to
   * sqlite-vec's exact search.
   */
  private vectorSearch(scope: MemoryScope, vector: Float32Array, limit: number): { id: string; distance: number }[] {
    const narrowed = scope.filter !== undefined || (scope.memoryTypes !== undefined && !scope.memoryTypes.includes("UserMemory"));
    if (narrowed) {
      const rows = this.scopeVectors(scope, SCAN_LIMIT + 1);
      if (rows.length <= SCAN_LIMIT) return nearestOf(rows, vector, limit);
      return scope.filter ? this.scanVectors(scope, vector, limit) : this.nearestVectors(scope, vector, limit);
    }
    // Over-fetch: the candidates are re-scored, and rows deleted by another process or of types
    // outside the scope are dropped.
    const neighbours = this.ann.nearest(scope.cubeId, vector, limit * 5 + 50);
    if (!neighbours) return this.nearestVectors(scope, vector, limit);
    return this.activeInScope(scope, neighbours, vector).slice(0, limit);
  }

  private scopeVectors(scope: MemoryScope, limit: number): { id: string; vector_q: Buffer }[] {
    const where = scopeSql(scope);
    return this.db
      .prepare(`SELECT m.id, m.vector_q FROM memories m WHERE ${where.sql} AND m.vector_q IS NOT NULL LIMIT ?`)
      .all(...where.params, limit) as { id: string; vector_q: Buffer }[];
  }

  /**
   * The index's candidates that are still active and in the scope, re-scored on the rows' compact
   * vectors: the index's own int8 scale is coarse for unit vectors, the per-row scale is not.
   */
  private activeInScope(scope: MemoryScope, neighbours: readonly Neighbour[], vector: Float32Array): { id: string; distance: number }[] {
    if (neighbours.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT id, memory_type AS memoryType, vector_q FROM memories
         WHERE rowid IN ${BOUND_LIST} AND status = 'activated' AND vector_q IS NOT NULL`,
      )
      .all(boundList(neighbours.map((neighbour) => neighbour.rowid))) as { id: string; memoryType: MemoryType; vector_q: Buffer }[];
    const inScope = rows.filter((row) => !scope.memoryTypes || scope.memoryTypes.includes(row.memoryType));
    return nearestOf(inScope, vector, inScope.length);
  }

  /** Index search inside the cube's partition (types are a vec0 metadata column). */
  private nearestVectors(scope: MemoryScope, vector: Float32Array, limit: number): { id: string; distance: number }[] {
    const types = scope.memoryTypes ?? [];
    const typeClause = types.length > 0 ? ` AND memory_type IN (${marks(types.length)})` : "";
    return this.db
      .prepare(
        `SELECT m.id, v.distance FROM (
           SELECT rowid, distance FROM memory_vectors
           WHERE embedding MATCH ? AND k = ? AND cube_id = ?${typeClause}
         ) v JOIN memories m ON m.rowid = v.rowid
         WHERE m.status = 'activated'
         ORDER BY v.distance`,
      )
      .all(vectorBlob(vector), Math.min(limit, 4096), scope.cubeId, ...types) as { id: string; distance: number }[];
  }

  /** Exact scan over the memories a filter selects, so that a narrow filter still finds its rows. */
  private scanVectors(scope: MemoryScope, vector: Float32Array, limit: number): { id: string; distance: number }[] {
    const where = scopeSql(scope);
    return this.db
      .prepare(
        `SELECT m.id, vec_distance_cosine(v.embedding, ?) AS distance
         FROM memories m JOIN memory_vectors v ON v.rowid = m.rowid
         WHERE ${where.sql} ORDER BY distance LIMIT ?`,
      )
      .all(vectorBlob(vector), ...where.params, limit) as { id: string; distance: number }[];
  }

  async searchKeywords(scope: MemoryScope, words: readonly string[], limit: number): Promise<ScoredId[]> {
    const tag = cubeTag(scope.cubeId);
    const terms = [...new Set(words.flatMap((word) => termsOf(tag, word)))];
    if (terms.length === 0 || limit < 1) return [];
    const searched = this.telling(tag, terms);
    if (searched.length === 0) return [];
    const where = scopeSql(scope);
    const rows = this.db
      .prepare(
        `SELECT m.id, bm25(memory_words) AS rank FROM memory_words JOIN memories m ON m.rowid = memory_words.rowid
         WHERE memory_words MATCH ? AND ${where.sql} ORDER BY rank LIMIT ?`,
      )
      .all(searched.map(quoteWord).join(" OR "), ...where.params, limit) as { id: string; rank: number }[];
    return rows.map((row) => ({ id: row.id, score: -row.rank }));
  }

  /**
   * The terms worth matching: those in few enough of the cube's documents. A term in most of them
   * tells little and would make BM25 score a large part of the cube; it still weighs in the
   * keyword coverage of the candidates the other terms and the vectors find.
   */
  private telling(tag: string, terms: readonly string[]): string[] {
    const counts = this.termCounts([tag, ...terms]);
    const documents = counts.get(tag) ?? 0;
    const ceiling = Math.max(COMMON_TERM_MIN_DOCUMENTS, documents * COMMON_TERM_SHARE);
    return terms.filter((term) => (counts.get(term) ?? 0) > 0 && (counts.get(term) ?? 0) <= ceiling);
  }

  private termCounts(terms: readonly string[]): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT term, doc FROM memory_word_counts WHERE term IN ${BOUND_LIST}`)
      .all(boundList(terms)) as { term: string; doc: number }[];
    return new Map(rows.map((row) => [row.term, row.doc]));
  }

  async wordFrequencies(cubeId: string, words: readonly string[]): Promise<{ documents: number; frequencies: Map<string, number> }> {
    const tag = cubeTag(cubeId);
    const termsByWord = new Map(words.map((word) => [word, termsOf(tag, word)]));
    const counts = this.termCounts([tag, ...[...termsByWord.values()].flat()]);
    const frequencies = new Map<string, number>();
    // A word indexed as several terms (x.com) is as frequent as its rarest part.
    for (const [word, terms] of termsByWord) frequencies.set(word, Math.min(...terms.map((term) => counts.get(term) ?? 0)));
    return { documents: counts.get(tag) ?? 0, frequencies };
  }

  async vectorsOf(memoryIds: readonly string[]): Promise<Map<string, Float32Array>> {
    const result = new Map<string, Float32Array>();
    if (memoryIds.length === 0) return result;
    const rows = this.db
      .prepare(`SELECT id, vector_q FROM memories WHERE id IN ${BOUND_LIST} AND vector_q IS NOT NULL`)
      .all(boundList(memoryIds)) as { id: string; vector_q: Buffer }[];
    for (const row of rows) result.set(row.id, dequantize(row.vector_q));
    return result;
  }
}

/** Terms in more than this share of a cube's documents (and more than the minimum) are not matched. */
const COMMON_TERM_SHARE = 0.05;
const COMMON_TERM_MIN_DOCUMENTS = 500;

/** Scopes with at most this many vectors are scanned in memory: faster than any index there. */
const SCAN_LIMIT = 2_000;

function nearestOf(rows: readonly { id: string; vector_q: Buffer }[], vector: Float32Array, limit: number): { id: string; distance: number }[] {
  return rows
    .map((row) => {
      const other = dequantize(row.vector_q);
      let dot = 0;
      for (let index = 0; index < other.length; index += 1) dot += (other[index] as number) * (vector[index] ?? 0);
      return { id: row.id, distance: 1 - dot };
    })
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit);
}
