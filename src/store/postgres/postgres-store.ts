
import {
  CubeWriteRefused,
  JobLeaseLost,
  type ClaimRequest,
  type ConversationBatch,
  type ConversationWrite,
  type EmbedderIdentity,
  type Store,
  type StoreStats,
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
import { rowToMemory, rowToMessage, type MemoryRow, type MessageRow } from "../rows.js";
import { Database, type DatabaseOptions, type Queryable } from "./database.js";
import { Params, scopeSql } from "./filter-sql.js";
import { PG_MIGRATIONS } from "./migrations.js";
import { LARGE_CUBE, WordCounts } from "./word-counts.js";
import { PostgresJobs } from "./jobs.js";
import { encodeInfo } from "../info-json.js";
import { storedBytesOf } from "../stored-bytes.js";

const EMBEDDER_KEY = "embedder";
const FOREIGN_KEY_VIOLATION = "23503";

/**
 * Scopes with at most this many vectors are searched exactly (a sort of the scope's rows, found
 * through the cube index): always right, and as fast as the HNSW index there (measured: 2,000
 * 512-d vectors ≈ 3 ms, the index ≈ 4 ms at 20,000). Larger ones go to the HNSW index, with
 * pgvector's iterative scan continuing until the cube (and any filter) has let enough rows through;
 * when even that returns too few, the search is done exactly.
 */
export const EXACT_SEARCH_LIMIT = 2_000;

/** In a large cube, a word held by this share of its memories or more is common (see selectiveWords). */
const COMMON_WORD_SHARE = 0.05;
/** pgvector indexes `vector` up to 2,000 dimensions, and up to 4,000 as `halfvec`; beyond, search is exact. */
const VECTOR_INDEX_MAX = 2_000;
const HALFVEC_INDEX_MAX = 4_000;

/** Columns of a memory row, without its (large) vector and words; its info is stored once per cube in memory_infos. */
const MEMORY_COLUMNS = `m.seq, m.id, m.cube_id, m.user_id, m.session_id, m.text, m.memory_type, m.key, m.tags, m.status,
  m.confidence, m.source, m.background, coalesce((SELECT i.info FROM memory_infos i WHERE i.id = m.info_id), '{}'::jsonb) AS info,
  m.chat_time, m.created_at, m.updated_at`;



const MESSAGE_COLUMNS = "msg.cube_id, msg.message_id, msg.session_id, msg.role, msg.content, msg.chat_time, msg.created_at";



/** pgvector's text form, `[0.1,0.2,…]`: exact for float32 components. */
function vectorText(vector: Float32Array): string {
  return `[${Array.prototype.join.call(vector, ",")}]`;
}

/**
 * A vector in pgvector's binary form (`vector_send`): dimension and a reserved word (int16 each),
 * then the float4s, all big-endian. Several times faster to read than the text form.
 */
function decodeVector(bytes: Buffer): Float32Array {
  const dimension = bytes.readUInt16BE(0);
  const vector = new Float32Array(dimension);
  for (let i = 0; i < dimension; i += 1) vector[i] = bytes.readFloatBE(4 + i * 4);
  return vector;
}

/** The distance of `m.embedding` to a bound query vector, as the HNSW index for the dimension computes it. */
function distanceSql(dimension: number, query: string): string {
  if (dimension > VECTOR_INDEX_MAX && dimension <= HALFVEC_INDEX_MAX) {
    return `(m.embedding::halfvec(${dimension}) <=> ${query}::halfvec(${dimension}))`;
  }
  return `(m.embedding <=> ${query}::vector)`;
}

export interface PostgresStoreOptions extends DatabaseOptions {
  /** Scopes with at most this many vectors are searched exactly (default EXACT_SEARCH_LIMIT; tests lower it). */
  exactSearchLimit?: number;
  /** Cubes with at least this many memories count as large (default LARGE_CUBE; tests lower it). */
  largeCube?: number;
}

/**
 * PostgreSQL with pgvector: the store for several memcube processes, on as many machines, sharing
 * one database. Everything lives in the database (the queue, the indexes, the access rules): a
 * process keeps only its connection pool and the vector column's dimension.
 */
export class PostgresStore implements Store {
  readonly kind = "postgres";
  private closed = false;
  /** The vector column's dimension; undefined until known to exist (looked up again while undefined). */
  private dimension: number | undefined;
  private readonly wordCounts = new WordCounts();
  /** Counts capped at "common" (see selectiveWords) and recent cube sizes: kept apart from the exact counts. */
  private readonly cappedCounts = new WordCounts();

  private constructor(
    private readonly db: Database,
    private readonly exactSearchLimit: number,
    private readonly largeCube: number,
  ) {}

  /** Connects, migrates the schema (several processes may start at once) and reads the vector column. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const store = new PostgresStore(await Database.open(url, options), options.exactSearchLimit ?? EXACT_SEARCH_LIMIT, options.largeCube ?? LARGE_CUBE);
    await store.vectorDimension();
    return store;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  /** The vector column's dimension, or undefined when no embedder has been set up yet. */
  private async vectorDimension(db: Queryable = this.db): Promise<number | undefined> {
    if (this.dimension !== undefined) return this.dimension;
    const { rows } = await db.query<{ dimension: number }>(
      `SELECT atttypmod AS dimension FROM pg_attribute
       WHERE attrelid = 'memories'::regclass AND attname = 'embedding' AND NOT attisdropped`,
    );
    this.dimension = rows[0] ? rows[0].dimension : undefined;
    return this.dimension;
  }

  private async meta(db: Queryable, key: string): Promise<string | undefined> {
    const { rows } = await db.query<{ value: string }>("SELECT value FROM meta WHERE key = $1", [key]);
    return rows[0]?.value;
  }

  async embedderIdentity(): Promise<EmbedderIdentity | undefined> {
    const value = await this.meta(this.db, EMBEDDER_KEY);
    return value === undefined ? undefined : (JSON.parse(value) as EmbedderIdentity);
  }

  private async writeEmbedder(db: Queryable, identity: EmbedderIdentity): Promise<void> {
    await db.query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
      EMBEDDER_KEY,
      JSON.stringify(identity),
    ]);
  }

  /**
   * Drops every vector and makes a vector column (and HNSW index) for the embedder's dimension,
   * under an advisory lock. Resetting to the embedder already recorded, with its column in place,
   * keeps the vectors: processes that start at once on a new database all adopt the embedder, and
   * only the first one creates the column.
   */
  async resetVectors(identity: EmbedderIdentity): Promise<void> {
    const { dimension } = identity;
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16_000) throw new Error("bad embedding dimension");
    await this.db.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('memcube:vectors' || current_schema()))");
      this.dimension = undefined;
      const recorded = await this.meta(client, EMBEDDER_KEY);
      if (recorded === JSON.stringify(identity) && (await this.vectorDimension(client)) === dimension) return;
      await client.query("ALTER TABLE memories DROP COLUMN IF EXISTS embedding");
      await client.query(`ALTER TABLE memories ADD COLUMN embedding vector(${dimension})`);
      // Inline with the row whenever it fits a page: exact scans then read no TOAST table.
      await client.query("ALTER TABLE memories ALTER COLUMN embedding SET STORAGE MAIN");
      if (dimension <= VECTOR_INDEX_MAX) {
        await client.query("CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops) WHERE status = 'activated'");
      } else if (dimension <= HALFVEC_INDEX_MAX) {
        await client.query(
          `CREATE INDEX memories_embedding ON memories USING hnsw ((embedding::halfvec(${dimension})) halfvec_cosine_ops) WHERE status = 'activated'`,
        );
      }
      await this.writeEmbedder(client, identity);
      this.dimension = dimension;
    });
    // A rolled-back reset leaves the column as it was: look it up again.
    if (this.dimension === undefined) await this.vectorDimension();
  }

  async recordEmbedder(identity: EmbedderIdentity): Promise<void> {
    await this.writeEmbedder(this.db, identity);
  }

  // ---- users and cubes ----

  private async ensureUser(db: Queryable, userId: string, now: string): Promise<void> {
    await db.query("INSERT INTO users (id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", [userId, now]);
  }

  async getCube(cubeId: string): Promise<CubeRecord | undefined> {
    const { rows } = await this.db.query<CubeRecord>(
      `SELECT id, name, owner_id AS "ownerId", created_at AS "createdAt" FROM cubes WHERE id = $1`,
      [cubeId],
    );
    return rows[0];
  }

  async createCube(cube: CubeRecord): Promise<boolean> {
    return this.db.transaction(async (client) => {
      await this.ensureUser(client, cube.ownerId, cube.createdAt);
      const { rowCount } = await client.query(
        "INSERT INTO cubes (id, name, owner_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        [cube.id, cube.name, cube.ownerId, cube.createdAt],
      );
      return rowCount === 1;
    });
  }

  async deleteCube(cubeId: string): Promise<void> {
    await this.db.transaction(async (client) => {
      // Locks the cube first, so that writes to it wait for the delete (or the delete for them).
      await client.query("SELECT 1 FROM cubes WHERE id = $1 FOR UPDATE", [cubeId]);
      await client.query("DELETE FROM memory_history WHERE memory_id IN (SELECT id FROM memories WHERE cube_id = $1)", [cubeId]);
      await client.query("DELETE FROM jobs WHERE cube_id = $1", [cubeId]);
      // Messages, memories (with their sources, vectors and words) and shares go with the cube.
      await client.query("DELETE FROM cubes WHERE id = $1", [cubeId]);
    });
  }

  async deleteUser(userId: string): Promise<UserErasure> {
    return this.db.transaction(async (client) => {
      // Locks the user's cubes first, so that writes to them wait for the erasure.
      const { rows: cubes } = await client.query<{ id: string }>("SELECT id FROM cubes WHERE owner_id = $1 ORDER BY id FOR UPDATE", [userId]);
      const owned = cubes.map((row) => row.id);
      const count = async (sql: string, params: unknown[]) => Number((await client.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
      let memories = await count("SELECT count(*) AS n FROM memories WHERE cube_id = ANY($1::text[])", [owned]);
      let messages = await count("SELECT count(*) AS n FROM messages WHERE cube_id = ANY($1::text[])", [owned]);
      await client.query("DELETE FROM memory_history WHERE memory_id IN (SELECT id FROM memories WHERE cube_id = ANY($1::text[]))", [owned]);
      let jobs = (await client.query("DELETE FROM jobs WHERE cube_id = ANY($1::text[])", [owned])).rowCount ?? 0;
      // Messages, memories (with their sources, vectors and words) and shares go with the cubes.
      await client.query("DELETE FROM cubes WHERE id = ANY($1::text[])", [owned]);
      // What the user wrote into cubes others own (shared for writing) is theirs to erase too.
      const { rows: elsewhere } = await client.query<{ cube_id: string; id: string }>(
        "SELECT cube_id, id FROM memories WHERE user_id = $1 ORDER BY cube_id, id FOR UPDATE",
        [userId],
      );
      const byCube = new Map<string, string[]>();
      for (const row of elsewhere) byCube.set(row.cube_id, [...(byCube.get(row.cube_id) ?? []), row.id]);
      for (const [cubeId, memoryIds] of byCube) {
        const ids = await this.withEarlierVersions(client, cubeId, memoryIds);
        const { rows: cited } = await client.query<{ message_id: string }>(
          "SELECT DISTINCT message_id FROM memory_sources WHERE memory_id = ANY($1::text[])",
          [ids],
        );
        const removed = await client.query<{ info_id: string | null }>(
          "DELETE FROM memories WHERE id = ANY($1::text[]) AND cube_id = $2 RETURNING info_id::text AS info_id",
          [ids, cubeId],
        );
        memories += removed.rowCount ?? 0;
        await this.dropUnusedInfos(client, removed.rows.map((row) => row.info_id));
        await client.query("DELETE FROM memory_history WHERE memory_id = ANY($1::text[])", [ids]);
        const forgotten = await client.query(
          `DELETE FROM messages msg WHERE msg.cube_id = $1 AND msg.message_id = ANY($2::text[])
             AND NOT EXISTS (
               SELECT 1 FROM memory_sources s JOIN memories m ON m.id = s.memory_id
               WHERE s.cube_id = msg.cube_id AND s.message_id = msg.message_id AND m.status = 'activated')`,
          [cubeId, cited.map((row) => row.message_id)],
        );
        messages += forgotten.rowCount ?? 0;
      }
      jobs += (await client.query("DELETE FROM jobs WHERE user_id = $1", [userId])).rowCount ?? 0;
      const shares = (await client.query("DELETE FROM cube_access WHERE user_id = $1", [userId])).rowCount ?? 0;
      await client.query("DELETE FROM chat_token_usage WHERE user_id = $1", [userId]);
      const user = (await client.query("DELETE FROM users WHERE id = $1", [userId])).rowCount ?? 0;
      return { user: user === 1, cubes: owned.length, memories, messages, jobs, shares };
    });
  }

  async accessOf(cubeId: string, userId: string): Promise<CubeAccess | undefined> {
    const { rows } = await this.db.query<{ access: CubeAccess | null }>(
      `SELECT CASE WHEN c.owner_id = $1 THEN 'owner' ELSE a.access END AS access
       FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = $1
       WHERE c.id = $2`,
      [userId, cubeId],
    );
    return rows[0]?.access ?? undefined;
  }

  async cubesOf(userId: string): Promise<UserCube[]> {
    const { rows } = await this.db.query<CubeRecord & { access: CubeAccess; memories: number }>(
      `SELECT c.id, c.name, c.owner_id AS "ownerId", c.created_at AS "createdAt",
              CASE WHEN c.owner_id = $1 THEN 'owner' ELSE a.access END AS access,
              (SELECT count(*) FROM memories m WHERE m.cube_id = c.id AND m.status = 'activated')::int AS memories
       FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = $1
       WHERE c.owner_id = $1 OR a.user_id IS NOT NULL
       ORDER BY c.id`,
      [userId],
    );
    return rows.map(({ access, memories, ...cube }) => ({ cube, access, memories }));
  }

  async shareCube(cubeId: string, userId: string, access: SharedAccess | undefined): Promise<void> {
    await this.db.transaction(async (client) => {
      if (access === undefined) {
        await client.query("DELETE FROM cube_access WHERE cube_id = $1 AND user_id = $2", [cubeId, userId]);
        return;
      }
      await this.ensureUser(client, userId, new Date().toISOString());
      await client.query(
        `INSERT INTO cube_access (cube_id, user_id, access) VALUES ($1, $2, $3)
         ON CONFLICT (cube_id, user_id) DO UPDATE SET access = excluded.access`,
        [cubeId, userId, access],
      );
    });
  }

  // ---- writing ----

  /**
   * Inside a write transaction: the rows of the memories' infos (one per cube and distinct info,
   * written when missing), by memory id; memories with an empty info have none. The digest is of
   * jsonb's text form, as the schema-3 migration computed it.
   */
  private async infoIdsOf(db: Queryable, memories: readonly NewMemory[]): Promise<Map<string, string>> {
    const byMemory = new Map<string, string>();
    const byKey = new Map<string, string>();
    for (const memory of memories) {
      const encoded = encodeInfo(memory.info);
      if (!encoded) continue;
      const key = `${memory.cubeId}\n${encoded.digest}`;
      let infoId = byKey.get(key);
      if (infoId === undefined) {
        const digest = "encode(sha256(convert_to($2::jsonb::text, 'UTF8')), 'hex')";
        const inserted = await db.query<{ id: string }>(
          `INSERT INTO memory_infos (cube_id, digest, info, bytes) VALUES ($1, ${digest}, $2::jsonb, $3)
           ON CONFLICT (cube_id, digest) DO NOTHING RETURNING id::text AS id`,
          [memory.cubeId, encoded.json, encoded.bytes],
        );
        // Held already: read (and key-share lock) it, so that a concurrent delete cannot drop it under this write.
        const found = inserted.rows[0]
          ? inserted
          : await db.query<{ id: string }>(`SELECT id::text AS id FROM memory_infos WHERE cube_id = $1 AND digest = ${digest} FOR KEY SHARE`, [
              memory.cubeId,
              encoded.json,
            ]);
        infoId = found.rows[0]?.id;
        if (infoId === undefined) throw new Error(`the info of cube '${memory.cubeId}' could not be stored`);
        byKey.set(key, infoId);
      }
      byMemory.set(memory.id, infoId);
    }
    return byMemory;
  }

  /**
   * Inside a write transaction, after memories were deleted: drops the info rows none points at any
   * more. A memory another transaction wrote meanwhile keeps its info (the foreign key refuses the
   * delete, which is then left for later).
   */
  private async dropUnusedInfos(db: Queryable, infoIds: readonly (string | null)[]): Promise<void> {
    const candidates = [...new Set(infoIds.filter((infoId): infoId is string => infoId !== null))];
    if (candidates.length === 0) return;
    await db.query("SAVEPOINT drop_infos");
    try {
      await db.query(
        `DELETE FROM memory_infos i WHERE i.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.info_id = i.id)`,
        [candidates],
      );
      await db.query("RELEASE SAVEPOINT drop_infos");
    } catch (error) {
      await db.query("ROLLBACK TO SAVEPOINT drop_infos");
      if ((error as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw error;
    }
  }

  /** Inserts memories with their sources, words and vectors, in the order given (one statement each). */
  private async insertMemories(db: Queryable, memories: readonly NewMemory[]): Promise<void> {
    if (memories.length === 0) return;
    const withVectors = memories.some((memory) => memory.vector) && (await this.vectorDimension(db)) !== undefined;
    const infoIds = await this.infoIdsOf(db, memories);
    const rows = memories.map((memory) => ({
      id: memory.id,
      cube_id: memory.cubeId,
      user_id: memory.userId,
      session_id: memory.sessionId,
      text: memory.text,
      memory_type: memory.memoryType,
      key: memory.key,
      tags: memory.tags,
      confidence: memory.confidence,
      source: memory.source,
      background: memory.background,
      info_id: infoIds.get(memory.id) ?? null,
      bytes: storedBytesOf(memory),
      chat_time: memory.chatTime,
      created_at: memory.createdAt,
      updated_at: memory.updatedAt,
      keywords: memory.keywords,
      embedding: withVectors && memory.vector ? Array.from(memory.vector) : null,
    }));
    await db.query(
      `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, key, tags, confidence, source, background, info_id,
         bytes, chat_time, created_at, updated_at, words${withVectors ? ", embedding" : ""})
       SELECT x.id, x.cube_id, x.user_id, x.session_id, x.text, x.memory_type, x.key, x.tags, x.confidence, x.source, x.background,
         x.info_id, x.bytes, x.chat_time, x.created_at, x.updated_at,
         CASE WHEN btrim(x.keywords) = '' THEN NULL ELSE to_tsvector('simple', x.keywords) END
         ${withVectors ? ", x.embedding::vector" : ""}
       FROM json_to_recordset($1::json) AS x(id text, cube_id text, user_id text, session_id text, text text, memory_type text,
         key text, tags jsonb, confidence double precision, source text, background text, info_id bigint, bytes bigint, chat_time text,
         created_at text, updated_at text, keywords text, embedding text)`,
      [JSON.stringify(rows)],
    );
    const sources = memories.flatMap((memory) =>
      memory.sourceMessageIds.map((messageId, position) => ({ memory_id: memory.id, cube_id: memory.cubeId, message_id: messageId, position })),
    );
    if (sources.length === 0) return;
    await db.query(
      `INSERT INTO memory_sources (memory_id, cube_id, message_id, position)
       SELECT x.memory_id, x.cube_id, x.message_id, x.position
       FROM json_to_recordset($1::json) AS x(memory_id text, cube_id text, message_id text, position integer)`,
      [JSON.stringify(sources)],
    );
  }

  /**
   * Inside a write transaction: the user may write the cube, which is created when missing. The cube
   * row is share-locked until the transaction ends, so a concurrent delete of the cube waits.
   */
  private async claimForWriting(db: Queryable, cubeId: string, userId: string, now: string): Promise<void> {
    await db.query("INSERT INTO cubes (id, name, owner_id, created_at) VALUES ($1, $1, $2, $3) ON CONFLICT DO NOTHING", [cubeId, userId, now]);
    const { rows } = await db.query<{ owner_id: string; access: string | null }>(
      `SELECT c.owner_id, a.access FROM cubes c LEFT JOIN cube_access a ON a.cube_id = c.id AND a.user_id = $2
       WHERE c.id = $1 FOR SHARE OF c`,
      [cubeId, userId],
    );
    const row = rows[0];
    if (!row) throw new CubeWriteRefused(cubeId); // deleted between the two statements
    if (row.owner_id !== userId && row.access !== "write") throw new CubeWriteRefused(cubeId);
  }

  async addConversation(batch: ConversationBatch): Promise<ConversationWrite> {
    return this.db.transaction(async (client) => {
      const existingMessageIds: string[] = [];
      await this.ensureUser(client, batch.userId, batch.now);
      // Cubes in a fixed order, so that two batches over the same cubes never deadlock.
      for (const cubeId of [...new Set(batch.entries.map((entry) => entry.message.cubeId))].sort()) {
        await this.claimForWriting(client, cubeId, batch.userId, batch.now);
      }
      const key = (cubeId: string, messageId: string) => JSON.stringify([cubeId, messageId]);
      const firsts = new Map<string, (typeof batch.entries)[number]>();
      for (const entry of batch.entries) {
        const id = key(entry.message.cubeId, entry.message.messageId);
        if (!firsts.has(id)) firsts.set(id, entry);
      }
      const messages = [...firsts.values()].map(({ message }) => ({
        cube_id: message.cubeId,
        message_id: message.messageId,
        session_id: message.sessionId,
        role: message.role,
        content: message.content,
        chat_time: message.chatTime,
        created_at: message.createdAt,
      }));
      const inserted = new Set<string>();
      if (messages.length > 0) {
        const { rows } = await client.query<{ cube_id: string; message_id: string }>(
          `INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at)
           SELECT x.cube_id, x.message_id, x.session_id, x.role, x.content, x.chat_time, x.created_at
           FROM json_to_recordset($1::json) AS x(cube_id text, message_id text, session_id text, role text, content text,
             chat_time text, created_at text)
           ON CONFLICT DO NOTHING
           RETURNING cube_id, message_id`,
          [JSON.stringify(messages)],
        );
        for (const row of rows) inserted.add(key(row.cube_id, row.message_id));
      }
      /** Per cube: the messages stored now, with the memory made from each. */
      const stored = new Map<string, Map<string, string>>();
      const memories: NewMemory[] = [];
      for (const entry of batch.entries) {
        const id = key(entry.message.cubeId, entry.message.messageId);
        if (firsts.get(id) !== entry || !inserted.has(id)) {
          existingMessageIds.push(entry.message.messageId);
          continue;
        }
        memories.push(entry.memory);
        const inCube = stored.get(entry.message.cubeId) ?? new Map<string, string>();
        inCube.set(entry.message.messageId, entry.memory.id);
        stored.set(entry.message.cubeId, inCube);
      }
      await this.insertMemories(client, memories);
      const jobs: ConversationWrite["jobs"] = [];
      for (const job of batch.jobs ?? []) {
        const inCube = stored.get(job.cubeId);
        const messageIds = [...new Set(job.messageIds)].filter((messageId) => inCube?.has(messageId));
        if (messageIds.length === 0) continue;
        const memoryIds = messageIds.map((messageId) => inCube?.get(messageId) as string);
        await PostgresJobs.enqueue(client, job, messageIds, memoryIds, batch.now);
        jobs.push({ taskId: job.taskId, cubeId: job.cubeId, messageIds });
      }
      return { existingMessageIds, jobs };
    });
  }

  /** The memories with the archived versions they replaced, transitively (within the cube). */
  private async withEarlierVersions(db: Queryable, cubeId: string, memoryIds: readonly string[]): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `WITH RECURSIVE lineage(id) AS (
         SELECT unnest($1::text[]) COLLATE "C"
         UNION
         SELECT h.memory_id FROM memory_history h
           JOIN lineage l ON h.replaced_by = l.id
           JOIN memories m ON m.id = h.memory_id
         WHERE m.cube_id = $2 AND m.status = 'archived')
       SELECT id FROM lineage`,
      [[...memoryIds], cubeId],
    );
    return rows.map((row) => row.id);
  }

  async deleteMemories(cubeId: string, memoryIds: readonly string[]): Promise<number> {
    if (memoryIds.length === 0) return 0;
    return this.db.transaction(async (client) => {
      const all = await this.withEarlierVersions(client, cubeId, memoryIds);
      const { rows: found } = await client.query<{ id: string }>(
        "SELECT id FROM memories WHERE id = ANY($1::text[]) AND cube_id = $2 ORDER BY id FOR UPDATE",
        [all, cubeId],
      );
      if (found.length === 0) return 0;
      const ids = found.map((row) => row.id);
      const { rows: cited } = await client.query<{ message_id: string }>(
        "SELECT DISTINCT message_id FROM memory_sources WHERE memory_id = ANY($1::text[])",
        [ids],
      );
      // Sources, vectors and words go with the rows.
      const removed = await client.query<{ info_id: string | null }>("DELETE FROM memories WHERE id = ANY($1::text[]) RETURNING info_id::text AS info_id", [ids]);
      await this.dropUnusedInfos(client, removed.rows.map((row) => row.info_id));
      await client.query("DELETE FROM memory_history WHERE memory_id = ANY($1::text[])", [ids]);
      await client.query(
        `DELETE FROM messages msg WHERE msg.cube_id = $1 AND msg.message_id = ANY($2::text[])
           AND NOT EXISTS (
             SELECT 1 FROM memory_sources s JOIN memories m ON m.id = s.memory_id
             WHERE s.cube_id = msg.cube_id AND s.message_id = msg.message_id AND m.status = 'activated')`,
        [cubeId, cited.map((row) => row.message_id)],
      );
      const requested = new Set(memoryIds);
      return ids.filter((id) => requested.has(id)).length;
    });
  }

  async setVectors(entries: readonly { id: string; vector: Float32Array }[]): Promise<void> {
    if ((await this.vectorDimension()) === undefined) throw new Error("no vector index: call resetVectors first");
    if (entries.length === 0) return;
    await this.db.query(
      `UPDATE memories m SET embedding = x.embedding::vector
       FROM json_to_recordset($1::json) AS x(id text, embedding text) WHERE m.id = x.id`,
      [JSON.stringify(entries.map(({ id, vector }) => ({ id, embedding: Array.from(vector) })))],
    );
  }

  // ---- jobs and refinement ----

  /** Inside a transaction: the memory leaves search (its status; the indexes cover active rows only) and records its successor. */
  private async archive(db: Queryable, row: { id: string; text: string; memory_type: string }, successorId: string, reason: string, now: string): Promise<void> {
    await db.query("UPDATE memories SET status = 'archived', updated_at = $1 WHERE id = $2", [now, row.id]);
    await db.query(
      `INSERT INTO memory_history (memory_id, version, text, memory_type, status, replaced_by, changed_at, reason)
       VALUES ($1, (SELECT coalesce(max(version), 0) + 1 FROM memory_history WHERE memory_id = $1), $2, $3, 'archived', $4, $5, $6)`,
      [row.id, row.text, row.memory_type, successorId, now, reason],
    );
  }

  async commitRefinement(refinement: Refinement): Promise<RefinementWrite> {
    const { cubeId, now } = refinement;
    return this.db.transaction(async (client) => {
      if (!(await PostgresJobs.holds(client, refinement.claim))) throw new JobLeaseLost(refinement.claim.jobId);
      type ActiveRow = { id: string; text: string; memory_type: string };
      const active = async (memoryId: string): Promise<ActiveRow | undefined> =>
        (
          await client.query<ActiveRow>(
            "SELECT id, text, memory_type FROM memories WHERE id = $1 AND cube_id = $2 AND status = 'activated' FOR UPDATE",
            [memoryId, cubeId],
          )
        ).rows[0];
      const messagesExist = async (messageIds: readonly string[]): Promise<boolean> => {
        const wanted = [...new Set(messageIds)];
        if (wanted.length === 0) return true;
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM messages WHERE cube_id = $1 AND message_id = ANY($2::text[])",
          [cubeId, wanted],
        );
        return rows[0]?.n === wanted.length;
      };
      const insertedIds: string[] = [];
      const archivedIds: string[] = [];
      for (const { memory, supersedes } of refinement.derived) {
        // A message forgotten while the job ran must not come back through what was derived from it.
        if (!(await messagesExist(memory.sourceMessageIds))) continue;
        await this.insertMemories(client, [memory]);
        insertedIds.push(memory.id);
        const old = supersedes ? await active(supersedes.memoryId) : undefined;
        if (old && supersedes) {
          await this.archive(client, old, memory.id, supersedes.reason, now);
          // The new version carries the whole lineage, so its history reads newest first.
          await client.query(
            `INSERT INTO memory_history (memory_id, version, text, memory_type, status, replaced_by, changed_at, reason)
             SELECT $1, version, text, memory_type, status, replaced_by, changed_at, reason FROM memory_history WHERE memory_id = $2`,
            [memory.id, old.id],
          );
          archivedIds.push(old.id);
        }
      }
      const standing = new Set(insertedIds);
      for (const { memoryId, successorId, reason } of refinement.retire) {
        if (!standing.has(successorId) && (await active(successorId)) === undefined) continue;
        const raw = await active(memoryId);
        if (!raw) continue;
        await this.archive(client, raw, successorId, reason, now);
        archivedIds.push(raw.id);
      }
      await PostgresJobs.finish(client, refinement.claim, { status: "done", result: { ...refinement.result, insertedIds, archivedIds } }, now);
      return { insertedIds, archivedIds };
    });
  }

  async memoriesByKey(cubeId: string, keys: readonly string[], limit: number): Promise<MemoryRecord[]> {
    const wanted = [...new Set(keys.map((key) => key.trim().toLowerCase()).filter(Boolean))];
    if (wanted.length === 0) return [];
    const { rows } = await this.db.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.cube_id = $1 AND m.status = 'activated' AND lower(m.key) = ANY($2::text[])
       ORDER BY m.chat_time DESC, m.seq DESC LIMIT $3`,
      [cubeId, wanted, limit],
    );
    return this.hydrate(rows);
  }

  async getMessages(cubeId: string, messageIds: readonly string[]): Promise<MessageRecord[]> {
    if (messageIds.length === 0) return [];
    const { rows } = await this.db.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages msg WHERE msg.cube_id = $1 AND msg.message_id = ANY($2::text[]) ORDER BY msg.chat_time, msg.seq`,
      [cubeId, [...messageIds]],
    );
    return rows.map(rowToMessage);
  }

  async messagesBefore(cubeId: string, sessionId: string, before: string, limit: number): Promise<MessageRecord[]> {
    const { rows } = await this.db.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages msg WHERE msg.cube_id = $1 AND msg.session_id = $2 AND msg.chat_time < $3
       ORDER BY msg.chat_time DESC, msg.seq DESC LIMIT $4`,
      [cubeId, sessionId, before, limit],
    );
    return rows.reverse().map(rowToMessage);
  }

  async followingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>> {
    if (messageIds.length === 0) return new Map();
    const { rows } = await this.db.query<MessageRow & { after_id: string }>(
      `SELECT m.message_id AS after_id, ${MESSAGE_COLUMNS} FROM messages m
       CROSS JOIN LATERAL (SELECT * FROM messages n WHERE n.cube_id = m.cube_id AND n.session_id = m.session_id
         AND (n.chat_time, n.seq) > (m.chat_time, m.seq) ORDER BY n.chat_time, n.seq LIMIT 1) msg
       WHERE m.cube_id = $1 AND m.message_id = ANY($2::text[])`,
      [cubeId, [...new Set(messageIds)]],
    );
    return new Map(rows.map((row) => [row.after_id, rowToMessage(row)]));
  }

  async claimJob(request: ClaimRequest): Promise<JobRecord | undefined> {
    return PostgresJobs.claim(this.db, request);
  }

  async renewJob(claim: JobClaim, leaseUntil: string): Promise<boolean> {
    return PostgresJobs.renew(this.db, claim, leaseUntil);
  }

  async finishJob(claim: JobClaim, outcome: JobOutcome, now: string): Promise<boolean> {
    return PostgresJobs.finish(this.db, claim, outcome, now);
  }

  async getJob(taskId: string): Promise<JobRecord | undefined> {
    return PostgresJobs.get(this.db, taskId);
  }

  async listJobs(userId: string, limit: number): Promise<JobRecord[]> {
    return PostgresJobs.list(this.db, userId, limit);
  }

  async countUnfinishedJobs(userId: string): Promise<number> {
    return PostgresJobs.countUnfinished(this.db, userId);
  }

  async countJobs(userId?: string): Promise<JobCount[]> {
    return PostgresJobs.count(this.db, userId);
  }

  async pruneJobs(finishedBefore: string): Promise<number> {
    return PostgresJobs.prune(this.db, finishedBefore);
  }

  // ---- operations ----

  async schemaStatus(): Promise<{ applied: number; latest: number }> {
    const { rows } = await this.db.query<{ version: number | null }>("SELECT max(version) AS version FROM schema_migrations");
    return { applied: rows[0]?.version ?? 0, latest: PG_MIGRATIONS.length };
  }

  async stats(now: string): Promise<StoreStats> {
    const { rows } = await this.db.query<{ memories: number; cubes: number }>(
      "SELECT (SELECT count(*) FROM memories WHERE status = 'activated')::int AS memories, (SELECT count(*) FROM cubes)::int AS cubes",
    );
    const { oldestDueAt, ...jobs } = await PostgresJobs.counts(this.db, now);
    return { memories: rows[0]?.memories ?? 0, cubes: rows[0]?.cubes ?? 0, jobs, oldestDueAt };
  }

  async cubeUsage(cubeId: string): Promise<{ memories: number; bytes: number }> {
    const { rows } = await this.db.query<{ memories: number; bytes: number }>(
      `SELECT
         (SELECT count(*) FROM memories WHERE cube_id = $1 AND status = 'activated')::int AS memories,
         ((SELECT coalesce(sum(octet_length(content)), 0) FROM messages WHERE cube_id = $1)
          + (SELECT coalesce(sum(bytes), 0) FROM memories WHERE cube_id = $1)
          + (SELECT coalesce(sum(bytes), 0) FROM memory_infos WHERE cube_id = $1))::float8 AS bytes`,
      [cubeId],
    );
    return rows[0] ?? { memories: 0, bytes: 0 };
  }

  async addChatTokens(userId: string, day: string, tokens: number): Promise<number> {
    const { rows } = await this.db.query<{ tokens: number }>(
      `INSERT INTO chat_token_usage (user_id, day, tokens) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, day) DO UPDATE SET tokens = chat_token_usage.tokens + excluded.tokens RETURNING tokens::float8 AS tokens`,
      [userId, day, tokens],
    );
    return rows[0]?.tokens ?? tokens;
  }

  async chatTokens(userId: string, day: string): Promise<number> {
    const { rows } = await this.db.query<{ tokens: number }>("SELECT tokens::float8 AS tokens FROM chat_token_usage WHERE user_id = $1 AND day = $2", [userId, day]);
    return rows[0]?.tokens ?? 0;
  }

  async listParkedJobs(limit: number): Promise<JobRecord[]> {
    return PostgresJobs.parked(this.db, limit);
  }

  async retryParkedJob(taskId: string, now: string): Promise<boolean> {
    return PostgresJobs.retryParked(this.db, taskId, now);
  }

  async dropParkedJob(taskId: string): Promise<boolean> {
    return PostgresJobs.dropParked(this.db, taskId);
  }

  // ---- reading ----

  /** Rows to records, with each memory's source messages (one query for all of them). */
  private async hydrate(rows: readonly MemoryRow[]): Promise<MemoryRecord[]> {
    if (rows.length === 0) return [];
    const { rows: sources } = await this.db.query<MessageRow & { memory_id: string }>(
      `SELECT s.memory_id, ${MESSAGE_COLUMNS}
       FROM memory_sources s JOIN messages msg ON msg.cube_id = s.cube_id AND msg.message_id = s.message_id
       WHERE s.memory_id = ANY($1::text[]) ORDER BY s.memory_id, s.position`,
      [rows.map((row) => row.id)],
    );
    const byMemory = new Map<string, MessageRecord[]>();
    for (const source of sources) {
      const list = byMemory.get(source.memory_id) ?? [];
      list.push(rowToMessage(source));
      byMemory.set(source.memory_id, list);
    }
    return rows.map((row) => rowToMemory(row, byMemory.get(row.id) ?? []));
  }

  async getMemory(memoryId: string): Promise<MemoryRecord | undefined> {
    const { rows } = await this.db.query<MemoryRow>(`SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.id = $1`, [memoryId]);
    return (await this.hydrate(rows))[0];
  }

  async getMemories(memoryIds: readonly string[]): Promise<MemoryRecord[]> {
    if (memoryIds.length === 0) return [];
    const { rows } = await this.db.query<MemoryRow>(`SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.id = ANY($1::text[])`, [[...memoryIds]]);
    const byId = new Map((await this.hydrate(rows)).map((memory) => [memory.id, memory]));
    return memoryIds.flatMap((id) => byId.get(id) ?? []);
  }

  async memoriesFromMessages(cubeId: string, messageIds: readonly string[]): Promise<MemoryRecord[]> {
    if (messageIds.length === 0) return [];
    const { rows } = await this.db.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM memories m
       WHERE m.status = 'activated' AND m.id IN (
         SELECT s.memory_id FROM memory_sources s WHERE s.cube_id = $1 AND s.message_id = ANY($2::text[]))
       ORDER BY m.seq`,
      [cubeId, [...messageIds]],
    );
    return this.hydrate(rows);
  }

  async listMemories(scope: MemoryScope, page?: Page, textContains?: string): Promise<{ memories: MemoryRecord[]; total: number }> {
    const params = new Params();
    const where = scopeSql(scope, params);
    const textClause = textContains ? ` AND strpos(lower(m.text), lower(${params.add(textContains)}::text)) > 0` : "";
    const { rows: counted } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM memories m WHERE ${where}${textClause}`,
      params.values,
    );
    const paging = page ? ` LIMIT ${params.add(page.limit)} OFFSET ${params.add(page.offset)}` : "";
    const { rows } = await this.db.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE ${where}${textClause} ORDER BY m.created_at DESC, m.seq DESC${paging}`,
      params.values,
    );
    return { memories: await this.hydrate(rows), total: counted[0]?.n ?? 0 };
  }

  async recentMemories(cubeId: string, sessionId: string, limit: number): Promise<MemoryRecord[]> {
    const { rows } = await this.db.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.cube_id = $1 AND m.session_id = $2 AND m.status = 'activated'
       ORDER BY m.chat_time DESC, m.seq DESC LIMIT $3`,
      [cubeId, sessionId, limit],
    );
    return this.hydrate(rows);
  }

  async memoryHistory(memoryId: string): Promise<MemoryVersion[]> {
    const { rows } = await this.db.query<MemoryVersion>(
      `SELECT memory_id AS "memoryId", text, memory_type AS "memoryType", status, replaced_by AS "replacedBy",
         changed_at AS "changedAt", reason
       FROM memory_history WHERE memory_id = $1 ORDER BY version DESC`,
      [memoryId],
    );
    return rows;
  }

  async memoryIds(scope: MemoryScope & { sessionId?: string }): Promise<string[]> {
    const params = new Params();
    const where = scopeSql(scope, params);
    const session = scope.sessionId === undefined ? "" : ` AND m.session_id = ${params.add(scope.sessionId)}`;
    const { rows } = await this.db.query<{ id: string }>(`SELECT m.id FROM memories m WHERE ${where}${session} ORDER BY m.seq`, params.values);
    return rows.map((row) => row.id);
  }

  async memoryTexts(after: string | undefined, limit: number): Promise<{ id: string; cubeId: string; memoryType: string; text: string }[]> {
    const { rows } = await this.db.query<{ id: string; cubeId: string; memoryType: string; text: string }>(
      `SELECT id, cube_id AS "cubeId", memory_type AS "memoryType", text FROM memories
       WHERE status = 'activated' AND id > $1 ORDER BY id LIMIT $2`,
      [after ?? "", limit],
    );
    return rows;
  }

  // ---- searching ----

  async hasMemories(scope: MemoryScope): Promise<boolean> {
    const params = new Params();
    const { rowCount } = await this.db.query(`SELECT 1 FROM memories m WHERE ${scopeSql(scope, params)} LIMIT 1`, params.values);
    return rowCount === 1;
  }

  async searchVectors(scope: MemoryScope, vector: Float32Array, limit: number): Promise<ScoredId[]> {
    if (limit < 1) return [];
    const dimension = await this.vectorDimension();
    if (dimension === undefined) return [];
    const counting = new Params();
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM memories m WHERE ${scopeSql(scope, counting)} AND m.embedding IS NOT NULL LIMIT ${counting.add(this.exactSearchLimit + 1)}
       ) scope`,
      counting.values,
    );
    const inScope = rows[0]?.n ?? 0;
    if (inScope === 0) return [];
    const indexed = dimension <= HALFVEC_INDEX_MAX;
    if (inScope <= this.exactSearchLimit || !indexed) return this.nearest(scope, vector, limit, dimension, "exact");
    const approximate = await this.nearest(scope, vector, limit, dimension, "index");
    // Even an iterative scan gives up after hnsw.max_scan_tuples: then the exact answer.
    if (approximate.length >= Math.min(limit, inScope)) return approximate;
    return this.nearest(scope, vector, limit, dimension, "exact");
  }

  /**
   * The scope's nearest memories. `exact` orders by an expression no index provides, so the scope is
   * read through its b-tree and sorted; `index` lets the planner walk the HNSW index (which pgvector's
   * iterative scan continues past rows the scope rejects), then re-sorts what it found.
   */
  private async nearest(scope: MemoryScope, vector: Float32Array, limit: number, dimension: number, how: "exact" | "index"): Promise<ScoredId[]> {
    const params = new Params();
    const distance = distanceSql(dimension, params.add(vectorText(vector)));
    const where = scopeSql(scope, params);
    const order = how === "exact" ? `${distance} + 0` : distance;
    const { rows } = await this.db.query<{ id: string; distance: number }>(
      `SELECT id, distance FROM (
         SELECT m.id, ${distance} AS distance FROM memories m
         WHERE ${where} AND m.embedding IS NOT NULL
         ORDER BY ${order} LIMIT ${params.add(limit)}
       ) nearest ORDER BY distance, id`,
      params.values,
    );
    return rows.map((row) => ({ id: row.id, score: 1 - row.distance }));
  }

  /** The query's words as a tsquery: each bound as a parameter and parsed as plain text, never as tsquery syntax. */
  private static wordsQuery(words: readonly string[], params: Params): string {
    return `(${words.map((word) => `plainto_tsquery('simple', ${params.add(word)}::text)`).join(" || ")})`;
  }

  async searchKeywords(scope: MemoryScope, words: readonly string[], limit: number): Promise<ScoredId[]> {
    const unique = [...new Set(words.filter((word) => word.trim() !== ""))];
    if (unique.length === 0 || limit < 1) return [];
    const matching = await this.selectiveWords(scope.cubeId, unique);
    const params = new Params();
    const ranking = PostgresStore.wordsQuery(unique, params);
    const match = matching.length === unique.length ? ranking : PostgresStore.wordsQuery(matching, params);
    const where = scopeSql(scope, params);
    const { rows } = await this.db.query<{ id: string; rank: number }>(
      `SELECT m.id, ts_rank(m.words, ${ranking}) AS rank FROM memories m
       WHERE m.words @@ ${match} AND ${where}
       ORDER BY rank DESC, m.seq LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map((row) => ({ id: row.id, score: row.rank }));
  }

  /**
   * The words that choose which memories are ranked. PostgreSQL ranks every memory that holds a
   * query word, and in a large cube a common word is held by thousands: when the query also has
   * rarer words, those alone choose the memories (the common ones still count in their rank), as
   * a memory with nothing but common words of the query is rarely what it asks for.
   */
  private async selectiveWords(cubeId: string, words: readonly string[]): Promise<readonly string[]> {
    if (words.length < 2) return words;
    const documents = await this.cubeSize(cubeId);
    if (documents < this.largeCube) return words;
    const common = Math.ceil(documents * COMMON_WORD_SHARE);
    const counts = new Map<string, number>();
    const uncounted: string[] = [];
    for (const word of words) {
      const known = this.wordCounts.get(cubeId, word) ?? this.cappedCounts.get(cubeId, word);
      if (known === undefined) uncounted.push(word);
      else counts.set(word, known);
    }
    if (uncounted.length > 0) {
      // Counting stops at `common`: all that matters is whether a word reaches it.
      const { rows } = await this.db.query<{ word: string; n: number }>(
        `SELECT w.word, (SELECT count(*)::int FROM (
                           SELECT 1 FROM memories m
                           WHERE m.cube_id = $1 AND m.status = 'activated' AND m.words @@ plainto_tsquery('simple', w.word)
                           LIMIT $3) held) AS n
         FROM unnest($2::text[]) AS w(word)`,
        [cubeId, uncounted, common],
      );
      for (const row of rows) {
        counts.set(row.word, row.n);
        this.cappedCounts.set(cubeId, row.word, row.n);
      }
    }
    const rare = words.filter((word) => (counts.get(word) ?? 0) < common);
    return rare.length > 0 ? rare : words;
  }

  async wordFrequencies(cubeId: string, words: readonly string[]): Promise<{ documents: number; frequencies: Map<string, number> }> {
    const frequencies = new Map<string, number>();
    // Known only for large cubes: a small cube is counted afresh, its words with it.
    const known = this.wordCounts.get(cubeId);
    const missing = [...new Set(words)].filter((word) => {
      const count = known === undefined ? undefined : this.wordCounts.get(cubeId, word);
      if (count !== undefined) frequencies.set(word, count);
      return count === undefined;
    });
    if (known !== undefined && missing.length === 0) return { documents: known, frequencies };
    const { rows } = await this.db.query<{ word: string | null; n: number }>(
      `${known === undefined ? "SELECT NULL AS word, count(*)::int AS n FROM memories m WHERE m.cube_id = $1 AND m.status = 'activated' UNION ALL " : ""}
       SELECT w.word, (SELECT count(*)::int FROM memories m
                       WHERE m.cube_id = $1 AND m.status = 'activated' AND m.words @@ plainto_tsquery('simple', w.word))
       FROM unnest($2::text[]) AS w(word)`,
      [cubeId, missing],
    );
    let documents = known ?? 0;
    for (const row of rows) {
      if (row.word === null) documents = row.n;
      else frequencies.set(row.word, row.n);
    }
    if (documents >= this.largeCube) {
      if (known === undefined) this.wordCounts.set(cubeId, undefined, documents);
      for (const word of missing) this.wordCounts.set(cubeId, word, frequencies.get(word) ?? 0);
    }
    return { documents, frequencies };
  }

  /** The cube's active memories, as of up to a minute ago: enough to tell a large cube from a small one. */
  private async cubeSize(cubeId: string): Promise<number> {
    const known = this.wordCounts.get(cubeId) ?? this.cappedCounts.get(cubeId);
    if (known !== undefined) return known;
    const { rows } = await this.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM memories m WHERE m.cube_id = $1 AND m.status = 'activated'",
      [cubeId],
    );
    const count = rows[0]?.n ?? 0;
    this.cappedCounts.set(cubeId, undefined, count);
    return count;
  }

  async vectorsOf(memoryIds: readonly string[]): Promise<Map<string, Float32Array>> {
    const result = new Map<string, Float32Array>();
    if (memoryIds.length === 0 || (await this.vectorDimension()) === undefined) return result;
    const { rows } = await this.db.query<{ id: string; embedding: Buffer }>(
      "SELECT id, vector_send(embedding) AS embedding FROM memories WHERE id = ANY($1::text[]) AND embedding IS NOT NULL",
      [[...memoryIds]],
    );
    for (const row of rows) result.set(row.id, decodeVector(row.embedding));
    return result;
  }
}


