import type { ActiveMemory } from "../core/refine.js";
import type { NewMemory } from "../types.js";
import type { PostgresConnection } from "./connection.js";
import type { Queryable } from "./database.js";

/** Columns of a memory row, without its (large) vector and words. */
export const MEMORY_COLUMNS = `m.seq, m.id, m.cube_id, m.user_id, m.session_id, m.text, m.memory_type, m.key, m.tags, m.status,
  m.confidence, m.source, m.background, m.info, m.chat_time, m.created_at, m.updated_at`;

export const MESSAGE_COLUMNS = "msg.cube_id, msg.message_id, msg.session_id, msg.role, msg.content, msg.chat_time, msg.created_at";

/** Inserts memories with their sources, words and vectors, in the order given (one statement each). */
export async function insertMemories(conn: PostgresConnection, db: Queryable, memories: readonly NewMemory[]): Promise<void> {
  if (memories.length === 0) return;
  const withVectors = memories.some((memory) => memory.vector) && (await conn.vectorDimension(db)) !== undefined;
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
    info: memory.info,
    chat_time: memory.chatTime,
    created_at: memory.createdAt,
    updated_at: memory.updatedAt,
    keywords: memory.keywords,
    embedding: withVectors && memory.vector ? Array.from(memory.vector) : null,
  }));
  await db.query(
    `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, key, tags, confidence, source, background, info,
       chat_time, created_at, updated_at, words${withVectors ? ", embedding" : ""})
     SELECT x.id, x.cube_id, x.user_id, x.session_id, x.text, x.memory_type, x.key, x.tags, x.confidence, x.source, x.background,
       x.info, x.chat_time, x.created_at, x.updated_at,
       CASE WHEN btrim(x.keywords) = '' THEN NULL ELSE to_tsvector('simple', x.keywords) END
       ${withVectors ? ", x.embedding::vector" : ""}
     FROM json_to_recordset($1::json) AS x(id text, cube_id text, user_id text, session_id text, text text, memory_type text,
       key text, tags jsonb, confidence double precision, source text, background text, info jsonb, chat_time text,
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
