import { number, valueOf } from "../core/decode.js";
import type { ActiveMemory } from "../core/refine.js";
import { encodeInfo } from "../info-json.js";
import { storedBytesOf } from "../stored-bytes.js";
import { encodeTags } from "../tag-sets.js";
import type { NewMemory } from "../types.js";
import { vectorBlob, type SqliteConnection } from "./connection.js";
import { documentTerms } from "./cube-terms.js";
import { quantize } from "./quantize.js";

/** An active memory as refinement reads it, with its rowid (the key of its index entries). */
export interface SqliteActiveMemory extends ActiveMemory {
  rowid: number;
  cubeId: string;
}

const decodeSharedId = valueOf("shared row", number);

/** What a memory shares with the others of its cube: its info (memory_infos) and its tags (memory_tag_sets). */
const SHARED = {
  info: { table: "memory_infos", column: "info" },
  tags: { table: "memory_tag_sets", column: "tags" },
} as const;
type Shared = keyof typeof SHARED;

/** Inside a write transaction: the cube's row for this content (one per distinct content), null for none. */
function sharedIdFor(conn: SqliteConnection, kind: Shared, cubeId: string, encoded: { json: string; digest: string; bytes: number } | null): number | null {
  if (!encoded) return null;
  const { table, column } = SHARED[kind];
  conn.db
    .prepare(`INSERT INTO ${table} (cube_id, digest, ${column}, bytes) VALUES (?, ?, ?, ?) ON CONFLICT (cube_id, digest) DO NOTHING`)
    .run(cubeId, encoded.digest, encoded.json, encoded.bytes);
  return decodeSharedId(conn.db.prepare(`SELECT id FROM ${table} WHERE cube_id = ? AND digest = ?`).pluck().get(cubeId, encoded.digest));
}

/** Inside a write transaction: drops the info rows no memory points at any more. */
export function dropUnusedInfos(conn: SqliteConnection, infoIds: Iterable<number>): void {
  const drop = conn.db.prepare("DELETE FROM memory_infos WHERE id = ? AND NOT EXISTS (SELECT 1 FROM memories WHERE info_id = ?)");
  for (const infoId of new Set(infoIds)) drop.run(infoId, infoId);
}

/** Inside a write transaction: drops the tag sets no memory points at any more. */
export function dropUnusedTagSets(conn: SqliteConnection, tagSetIds: Iterable<number>): void {
  const drop = conn.db.prepare("DELETE FROM memory_tag_sets WHERE id = ? AND NOT EXISTS (SELECT 1 FROM memories WHERE tag_set_id = ?)");
  for (const tagSetId of new Set(tagSetIds)) drop.run(tagSetId, tagSetId);
}

/**
 * The columns a memory record is read from, named: not `m.*`, which also copied each row's compact
 * vector (a kilobyte the record never holds) out of SQLite on every read, and made a DISTINCT
 * compare it (60 records: 1.3–2.0 ms → 0.6–1.1 ms).
 */
const MEMORY_COLUMNS = [
  "rowid",
  "id",
  "cube_id",
  "user_id",
  "session_id",
  "text",
  "memory_type",
  "key",
  "status",
  "confidence",
  "source",
  "background",
  "chat_time",
  "created_at",
  "updated_at",
  "info_id",
]
  .map((column) => `m.${column}`)
  .join(", ");
/** A memory row `m`'s record columns, with its tags read from its tag set (as the records have them). */
export const MEMORY_SELECT = `${MEMORY_COLUMNS}, coalesce((SELECT t.tags FROM memory_tag_sets t WHERE t.id = m.tag_set_id), '[]') AS tags`;

/** Inside a write transaction: a memory row with its sources, its words and (when indexed) its vector. */
export function insertMemory(conn: SqliteConnection, memory: NewMemory): void {
  const { db } = conn;
  const infoId = sharedIdFor(conn, "info", memory.cubeId, encodeInfo(memory.info));
  const tagSetId = sharedIdFor(conn, "tags", memory.cubeId, encodeTags(memory.tags));
  const result = db
    .prepare(
      `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, key, tag_set_id, confidence, source,
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
      tagSetId,
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
