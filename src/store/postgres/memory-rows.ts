import { rowOf, text } from "../core/decode.js";
import type { ActiveMemory } from "../core/refine.js";
import { encodeInfo } from "../info-json.js";
import { storedBytesOf } from "../stored-bytes.js";
import { encodeTags } from "../tag-sets.js";
import type { NewMemory } from "../types.js";
import type { PostgresConnection } from "./connection.js";
import type { Queryable } from "./database.js";

/**
 * Columns of a memory row, without its (large) vector and words; its info and its tags are stored
 * once per cube and distinct content, in memory_infos and memory_tag_sets.
 */
export const MEMORY_COLUMNS = `m.seq, m.id, m.cube_id, m.user_id, m.session_id, m.text, m.memory_type, m.key,
  coalesce((SELECT t.tags FROM memory_tag_sets t WHERE t.id = m.tag_set_id), '[]'::jsonb) AS tags, m.status,
  m.confidence, m.source, m.background, coalesce((SELECT i.info FROM memory_infos i WHERE i.id = m.info_id), '{}'::jsonb) AS info,
  m.chat_time, m.created_at, m.updated_at`;

const FOREIGN_KEY_VIOLATION = "23503";
const sharedIdRow = rowOf("shared row", { id: text });

/** What a memory shares with the others of its cube: its info and its tags, each in a table of its own, by digest. */
const SHARED = {
  info: { table: "memory_infos", column: "info", reference: "info_id", encode: (memory: NewMemory) => encodeInfo(memory.info) },
  tags: { table: "memory_tag_sets", column: "tags", reference: "tag_set_id", encode: (memory: NewMemory) => encodeTags(memory.tags) },
} as const;
type Shared = keyof typeof SHARED;

/**
 * Inside a write transaction: the rows of the memories' infos or tag sets (one per cube and
 * distinct content, written when missing), by memory id; memories with an empty one have none.
 * The digest is of jsonb's text form, as the schema migrations computed it.
 */
async function sharedIdsOf(db: Queryable, kind: Shared, memories: readonly NewMemory[]): Promise<Map<string, string>> {
  const { table, column, encode } = SHARED[kind];
  const byMemory = new Map<string, string>();
  const byKey = new Map<string, string>();
  for (const memory of memories) {
    const encoded = encode(memory);
    if (!encoded) continue;
    const key = `${memory.cubeId}\n${encoded.digest}`;
    let sharedId = byKey.get(key);
    if (sharedId === undefined) {
      const digest = "encode(sha256(convert_to($2::jsonb::text, 'UTF8')), 'hex')";
      const inserted = await db.query(
        `INSERT INTO ${table} (cube_id, digest, ${column}, bytes) VALUES ($1, ${digest}, $2::jsonb, $3)
         ON CONFLICT (cube_id, digest) DO NOTHING RETURNING id::text AS id`,
        [memory.cubeId, encoded.json, encoded.bytes],
      );
      // Held already: read (and key-share lock) it, so that a concurrent delete cannot drop it under this write.
      const found = inserted.rows[0]
        ? inserted
        : await db.query(`SELECT id::text AS id FROM ${table} WHERE cube_id = $1 AND digest = ${digest} FOR KEY SHARE`, [memory.cubeId, encoded.json]);
      sharedId = found.rows[0] === undefined ? undefined : sharedIdRow(found.rows[0]).id;
      if (sharedId === undefined) throw new Error(`the ${column} of cube '${memory.cubeId}' could not be stored`);
      byKey.set(key, sharedId);
    }
    byMemory.set(memory.id, sharedId);
  }
  return byMemory;
}

/**
 * Inside a write transaction, after memories were deleted: drops the info or tag-set rows none
 * points at any more. A memory another transaction wrote meanwhile keeps its row (the foreign key
 * refuses the delete, which is then left for later).
 */
export async function dropUnusedShared(db: Queryable, kind: Shared, sharedIds: readonly (string | null)[]): Promise<void> {
  const { table, reference } = SHARED[kind];
  const candidates = [...new Set(sharedIds.filter((sharedId): sharedId is string => sharedId !== null))];
  if (candidates.length === 0) return;
  await db.query("SAVEPOINT drop_shared");
  try {
    await db.query(`DELETE FROM ${table} s WHERE s.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.${reference} = s.id)`, [candidates]);
    await db.query("RELEASE SAVEPOINT drop_shared");
  } catch (error) {
    await db.query("ROLLBACK TO SAVEPOINT drop_shared");
    if ((error as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw error;
  }
}

export const MESSAGE_COLUMNS = "msg.cube_id, msg.message_id, msg.session_id, msg.role, msg.content, msg.chat_time, msg.created_at";

/** Inserts memories with their sources, words and vectors, in the order given (one statement each). */
export async function insertMemories(conn: PostgresConnection, db: Queryable, memories: readonly NewMemory[]): Promise<void> {
  if (memories.length === 0) return;
  const withVectors = memories.some((memory) => memory.vector) && (await conn.vectorDimension(db)) !== undefined;
  const infoIds = await sharedIdsOf(db, "info", memories);
  const tagSetIds = await sharedIdsOf(db, "tags", memories);
  const rows = memories.map((memory) => ({
    id: memory.id,
    cube_id: memory.cubeId,
    user_id: memory.userId,
    session_id: memory.sessionId,
    text: memory.text,
    memory_type: memory.memoryType,
    key: memory.key,
    tag_set_id: tagSetIds.get(memory.id) ?? null,
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
    `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, key, tag_set_id, confidence, source, background, info_id,
       bytes, chat_time, created_at, updated_at, words${withVectors ? ", embedding" : ""})
     SELECT x.id, x.cube_id, x.user_id, x.session_id, x.text, x.memory_type, x.key, x.tag_set_id, x.confidence, x.source, x.background,
       x.info_id, x.bytes, x.chat_time, x.created_at, x.updated_at,
       CASE WHEN btrim(x.keywords) = '' THEN NULL ELSE to_tsvector('simple', x.keywords) END
       ${withVectors ? ", x.embedding::vector" : ""}
     FROM json_to_recordset($1::json) AS x(id text, cube_id text, user_id text, session_id text, text text, memory_type text,
       key text, tag_set_id bigint, confidence double precision, source text, background text, info_id bigint, bytes bigint, chat_time text,
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

/** Inside a transaction: the memory leaves search (its status; the indexes cover active rows only) and records its successor. */
export async function archiveMemory(db: Queryable, row: ActiveMemory, successorId: string, reason: string, now: string): Promise<void> {
  await db.query("UPDATE memories SET status = 'archived', updated_at = $1 WHERE id = $2", [now, row.id]);
  await db.query(
    `INSERT INTO memory_history (memory_id, version, text, memory_type, status, replaced_by, changed_at, reason)
     VALUES ($1, (SELECT coalesce(max(version), 0) + 1 FROM memory_history WHERE memory_id = $1), $2, $3, 'archived', $4, $5, $6)`,
    [row.id, row.text, row.memoryType, successorId, now, reason],
  );
}
