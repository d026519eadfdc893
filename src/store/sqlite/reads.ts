import type { ReadMethods } from "../core/composed-store.js";
import { memoryTextFrom, messageFrom, versionFrom } from "../core/rows.js";
import { inRequestedOrder, keysToMatch } from "../core/reads.js";
import type { MemoryRecord, MemoryScope, MemoryText, MemoryVersion, MessageRecord, Page } from "../types.js";
import { nullable, number, recordOf, text } from "../core/decode.js";
import { BOUND_LIST, boundList } from "./bound-list.js";
import { decodeCount, decodeId, decodeInfo, decodeMemory, type SqliteConnection } from "./connection.js";
import { scopeSql } from "./filter-sql.js";
import { MEMORY_SELECT } from "./memory-rows.js";

/** Where a message stands in its session. */
const positionFrom = recordOf("messages", { sessionId: ["session_id", text], chatTime: ["chat_time", text], row: ["row", number] });

/** What turning a memory row into a record needs beyond its fields: its rowid (its sources) and its info's row. */
const memoryKeys = recordOf("memories", { rowid: ["rowid", number], infoId: ["info_id", nullable(number)] });
const sourceKey = recordOf("memory_sources", { memoryRowid: ["memory_rowid", number] });

/** Reading memories and messages. */
export class SqliteReads implements ReadMethods {
  constructor(private readonly conn: SqliteConnection) {}

  /** Rows of `memories` (all columns) to records, with each memory's source messages (one query for all). */
  private withSources(rows: readonly unknown[]): MemoryRecord[] {
    if (rows.length === 0) return [];
    const keyed = rows.map((row) => ({ row, ...memoryKeys(row) }));
    const sources = new Map<number, MessageRecord[]>();
    const sourceRows = this.conn
      .read(
        `SELECT s.memory_rowid, msg.cube_id, msg.message_id, msg.session_id, msg.role, msg.content, msg.chat_time, msg.created_at
         FROM memory_sources s JOIN messages msg ON msg.cube_id = s.cube_id AND msg.message_id = s.message_id
         WHERE s.memory_rowid IN ${BOUND_LIST} ORDER BY s.memory_rowid, s.position`,
      )
      .all(boundList(keyed.map(({ rowid }) => rowid)));
    for (const row of sourceRows) {
      const { memoryRowid } = sourceKey(row);
      const list = sources.get(memoryRowid) ?? [];
      list.push(messageFrom(row));
      sources.set(memoryRowid, list);
    }
    const infos = this.infosOf(keyed.flatMap(({ infoId }) => (infoId === null ? [] : [infoId])));
    return keyed.map(({ row, rowid, infoId }) => ({
      ...decodeMemory(row),
      info: (infoId === null ? undefined : infos.get(infoId)) ?? {},
      sources: sources.get(rowid) ?? [],
    }));
  }

  /** The infos by row, each read and decoded once however many of the memories carry it. */
  private infosOf(infoIds: readonly number[]): Map<number, Record<string, unknown>> {
    const read = this.conn.read("SELECT info FROM memory_infos WHERE id = ?");
    const infos = new Map<number, Record<string, unknown>>();
    for (const infoId of new Set(infoIds)) {
      const row = read.get(infoId);
      if (row !== undefined) infos.set(infoId, decodeInfo(row));
    }
    return infos;
  }

  async getMemory(memoryId: string): Promise<MemoryRecord | undefined> {
    const row = this.conn.db.prepare(`SELECT ${MEMORY_SELECT} FROM memories m WHERE m.id = ?`).get(memoryId);
    return row === undefined ? undefined : this.withSources([row])[0];
  }

  async getMemories(memoryIds: readonly string[]): Promise<MemoryRecord[]> {
    if (memoryIds.length === 0) return [];
    const rows = this.conn.read(`SELECT ${MEMORY_SELECT} FROM memories m WHERE m.id IN ${BOUND_LIST}`).all(boundList(memoryIds));
    return inRequestedOrder(memoryIds, this.withSources(rows));
  }

  async memoryTextsOf(memoryIds: readonly string[]): Promise<MemoryText[]> {
    if (memoryIds.length === 0) return [];
    const rows = this.conn.read(`SELECT id, memory_type, status, text FROM memories WHERE id IN ${BOUND_LIST}`).all(boundList(memoryIds));
    return inRequestedOrder(memoryIds, rows.map(memoryTextFrom));
  }

  async memoriesFromMessages(cubeId: string, messageIds: readonly string[]): Promise<MemoryRecord[]> {
    if (messageIds.length === 0) return [];
    const rows = this.conn
      .read(
        `SELECT DISTINCT ${MEMORY_SELECT} FROM memory_sources s JOIN memories m ON m.rowid = s.memory_rowid
         WHERE s.cube_id = ? AND s.message_id IN ${BOUND_LIST} AND m.status = 'activated'
         ORDER BY m.rowid`,
      )
      .all(cubeId, boundList(messageIds));
    return this.withSources(rows);
  }

  async listMemories(scope: MemoryScope, page?: Page, textContains?: string): Promise<{ memories: MemoryRecord[]; total: number }> {
    const where = scopeSql(scope);
    const textClause = textContains ? " AND instr(lower(m.text), lower(?)) > 0" : "";
    const params = textContains ? [...where.params, textContains] : where.params;
    const total = decodeCount(
      this.conn.db
        .prepare(`SELECT count(*) FROM memories m WHERE ${where.sql}${textClause}`)
        .pluck()
        .get(...params),
    );
    const paging = page ? " LIMIT ? OFFSET ?" : "";
    const rows = this.conn.db
      .prepare(`SELECT ${MEMORY_SELECT} FROM memories m WHERE ${where.sql}${textClause} ORDER BY m.created_at DESC, m.rowid DESC${paging}`)
      .all(...params, ...(page ? [page.limit, page.offset] : []));
    return { memories: this.withSources(rows), total };
  }

  async recentMemories(cubeId: string, sessionId: string, limit: number): Promise<MemoryRecord[]> {
    // Prepared once: session recall reads it on the search path.
    const rows = this.conn
      .read(
        `SELECT ${MEMORY_SELECT} FROM memories m WHERE m.cube_id = ? AND m.session_id = ? AND m.status = 'activated'
         ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?`,
      )
      .all(cubeId, sessionId, limit);
    return this.withSources(rows);
  }

  async memoryHistory(memoryId: string): Promise<MemoryVersion[]> {
    return this.conn.db
      .prepare(
        `SELECT memory_id, text, memory_type, status, replaced_by, changed_at, reason
         FROM memory_history WHERE memory_id = ? ORDER BY version DESC`,
      )
      .all(memoryId)
      .map(versionFrom);
  }

  async memoryIds(scope: MemoryScope & { sessionId?: string }): Promise<string[]> {
    const where = scopeSql(scope);
    const session = scope.sessionId === undefined ? "" : " AND m.session_id = ?";
    const params = scope.sessionId === undefined ? where.params : [...where.params, scope.sessionId];
    return this.conn.db
      .prepare(`SELECT m.id FROM memories m WHERE ${where.sql}${session}`)
      .pluck()
      .all(...params)
      .map(decodeId);
  }

  async memoriesByKey(cubeId: string, keys: readonly string[], limit: number): Promise<MemoryRecord[]> {
    const wanted = keysToMatch(keys);
    if (wanted.length === 0) return [];
    const rows = this.conn.db
      .prepare(
        `SELECT ${MEMORY_SELECT} FROM memories m WHERE m.cube_id = ? AND m.status = 'activated' AND lower(m.key) IN ${BOUND_LIST}
         ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?`,
      )
      .all(cubeId, boundList(wanted), limit);
    return this.withSources(rows);
  }

  async getMessages(cubeId: string, messageIds: readonly string[]): Promise<MessageRecord[]> {
    if (messageIds.length === 0) return [];
    return this.conn
      .read(`SELECT * FROM messages WHERE cube_id = ? AND message_id IN ${BOUND_LIST} ORDER BY chat_time, rowid`)
      .all(cubeId, boundList(messageIds))
      .map(messageFrom);
  }

  async messagesBefore(cubeId: string, sessionId: string, before: string, limit: number): Promise<MessageRecord[]> {
    const rows = this.conn.db
      .prepare(
        `SELECT * FROM messages WHERE cube_id = ? AND session_id = ? AND chat_time < ?
         ORDER BY chat_time DESC, rowid DESC LIMIT ?`,
      )
      .all(cubeId, sessionId, before, limit);
    return rows.reverse().map(messageFrom);
  }

  async followingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>> {
    return this.neighbours(cubeId, messageIds, "after");
  }

  async precedingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>> {
    return this.neighbours(cubeId, messageIds, "before");
  }

  /**
   * Each message's neighbour in its session, in (chat_time, rowid) order. Two index seeks, not one
   * comparison of the pair: SQLite cannot seek the session index on "time before, or the same time
   * and an earlier row", so that form walked every message between the two ends of the session
   * (8 ms a message in a session of 200,000 stored at one time, as a bulk import without times is).
   */
  private neighbours(cubeId: string, messageIds: readonly string[], side: "before" | "after"): Map<string, MessageRecord> {
    const [rowOp, timeOp, order] = side === "before" ? ["<", "<", "DESC"] : [">", ">", "ASC"];
    const self = this.conn.read(`SELECT session_id, chat_time, rowid AS row FROM messages WHERE cube_id = ? AND message_id = ?`);
    const sameTime = this.conn.read(
      `SELECT * FROM messages WHERE cube_id = ? AND session_id = ? AND chat_time = ? AND rowid ${rowOp} ? ORDER BY rowid ${order} LIMIT 1`,
    );
    const otherTime = this.conn.read(
      `SELECT * FROM messages WHERE cube_id = ? AND session_id = ? AND chat_time ${timeOp} ? ORDER BY chat_time ${order}, rowid ${order} LIMIT 1`,
    );
    const found = new Map<string, MessageRecord>();
    for (const messageId of new Set(messageIds)) {
      const stored = self.get(cubeId, messageId);
      if (stored === undefined) continue;
      const at = positionFrom(stored);
      const row = sameTime.get(cubeId, at.sessionId, at.chatTime, at.row) ?? otherTime.get(cubeId, at.sessionId, at.chatTime);
      if (row !== undefined) found.set(messageId, messageFrom(row));
    }
    return found;
  }
}
