import type { NewMemory } from "../types.js";
import type { ActiveMemory } from "../core/refine.js";
import { documentTerms } from "./cube-terms.js";
import { vectorBlob, type SqliteConnection } from "./connection.js";
import { quantize } from "./quantize.js";

/** An active memory as refinement reads it, with its rowid (the key of its index entries). */
export interface SqliteActiveMemory extends ActiveMemory {
  rowid: number;
  cubeId: string;
}

/** Inside a write transaction: a memory row with its sources, its words and (when indexed) its vector. */
export function insertMemory(conn: SqliteConnection, memory: NewMemory): void {
  const { db } = conn;
  const result = db
    .prepare(
      `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, key, tags, confidence, source,
         background, info, chat_time, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      JSON.stringify(memory.info),
      memory.chatTime,
      memory.createdAt,
      memory.updatedAt,
    );
  const rowid = BigInt(result.lastInsertRowid);
  const addSource = db.prepare("INSERT INTO memory_sources (memory_rowid, cube_id, message_id, position) VALUES (?, ?, ?, ?)");
  memory.sourceMessageIds.forEach((messageId, position) => addSource.run(rowid, memory.cubeId, messageId, position));
  db.prepare("INSERT INTO memory_words (rowid, words) VALUES (?, ?)").run(rowid, documentTerms(memory.cubeId, memory.keywords));
  if (memory.vector && conn.hasVectorTable) {
    db.prepare("INSERT INTO memory_vectors (rowid, cube_id, memory_type, embedding) VALUES (?, ?, ?, ?)").run(
      rowid,
      memory.cubeId,
      memory.memoryType,
      vectorBlob(memory.vector),
    );
    db.prepare("UPDATE memories SET vector_q = ? WHERE rowid = ?").run(quantize(memory.vector), rowid);
  }
}

/** Inside a write transaction: the rows leave the keyword index, the vector table and the cube's vector index. */
export function removeIndexEntries(conn: SqliteConnection, cubeId: string, rowids: readonly number[]): void {
  const deleteWords = conn.db.prepare("DELETE FROM memory_words WHERE rowid = ?");
  const deleteVector = conn.hasVectorTable ? conn.db.prepare("DELETE FROM memory_vectors WHERE rowid = ?") : undefined;
  for (const rowid of rowids) {
    deleteWords.run(BigInt(rowid));
    deleteVector?.run(BigInt(rowid));
    conn.ann.remove(cubeId, rowid);
  }
}

/** Inside a write transaction: the memory leaves search (status and every index) and records its successor. */
export function archiveMemory(conn: SqliteConnection, row: SqliteActiveMemory, successorId: string, reason: string, now: string): void {
  conn.db.prepare("UPDATE memories SET status = 'archived', updated_at = ? WHERE rowid = ?").run(now, row.rowid);
  removeIndexEntries(conn, row.cubeId, [row.rowid]);
  conn.db
    .prepare(
      `INSERT INTO memory_history (memory_id, version, text, memory_type, status, replaced_by, changed_at, reason)
       VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM memory_history WHERE memory_id = ?), ?, ?, 'archived', ?, ?, ?)`,
    )
    .run(row.id, row.id, row.text, row.memoryType, successorId, now, reason);
}
