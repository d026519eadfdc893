import type { ReadMethods } from "../core/composed-store.js";
import { rowOf, text } from "../core/decode.js";
import { memoryTextFrom, messageFrom, versionFrom } from "../core/rows.js";
import { inRequestedOrder, keysToMatch } from "../core/reads.js";
import type { MemoryRecord, MemoryScope, MemoryText, MemoryVersion, MessageRecord, Page } from "../types.js";
import { countOf, decodeIdRow, decodeInfo, decodeMemory, type PostgresConnection } from "./connection.js";
import { Params, scopeSql } from "./filter-sql.js";
import { MEMORY_COLUMNS, MESSAGE_COLUMNS } from "./memory-rows.js";

const sourceOf = rowOf("memory_sources", { memory_id: text });
const afterOf = rowOf("messages", { after_id: text });

/** Reading memories and messages. */
export class PostgresReads implements ReadMethods {
  constructor(private readonly conn: PostgresConnection) {}

  /** Rows to records, with each memory's source messages (one query for all of them). */
  private async withSources(rows: readonly unknown[]): Promise<MemoryRecord[]> {
    if (rows.length === 0) return [];
    const memories = rows.map((row) => ({ ...decodeMemory(row), info: decodeInfo(row) }));
    const { rows: sources } = await this.conn.db.query(
      `SELECT s.memory_id, ${MESSAGE_COLUMNS}
       FROM memory_sources s JOIN messages msg ON msg.cube_id = s.cube_id AND msg.message_id = s.message_id
       WHERE s.memory_id = ANY($1::text[]) ORDER BY s.memory_id, s.position`,
      [memories.map((memory) => memory.id)],
    );
    const byMemory = new Map<string, MessageRecord[]>();
    for (const source of sources) {
      const memoryId = sourceOf(source).memory_id;
      const list = byMemory.get(memoryId) ?? [];
      list.push(messageFrom(source));
      byMemory.set(memoryId, list);
    }
    return memories.map((memory) => ({ ...memory, sources: byMemory.get(memory.id) ?? [] }));
  }

  async getMemory(memoryId: string): Promise<MemoryRecord | undefined> {
    const { rows } = await this.conn.db.query(`SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.id = $1`, [memoryId]);
    return (await this.withSources(rows))[0];
  }

  async getMemories(memoryIds: readonly string[]): Promise<MemoryRecord[]> {
    if (memoryIds.length === 0) return [];
    const { rows } = await this.conn.db.query(`SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.id = ANY($1::text[])`, [[...memoryIds]]);
    return inRequestedOrder(memoryIds, await this.withSources(rows));
  }

  async memoryTextsOf(memoryIds: readonly string[]): Promise<MemoryText[]> {
    if (memoryIds.length === 0) return [];
    const { rows } = await this.conn.db.query(`SELECT id, memory_type, status, text FROM memories WHERE id = ANY($1::text[])`, [[...memoryIds]]);
    return inRequestedOrder(memoryIds, rows.map(memoryTextFrom));
  }

  async memoriesFromMessages(cubeId: string, messageIds: readonly string[]): Promise<MemoryRecord[]> {
    if (messageIds.length === 0) return [];
    const { rows } = await this.conn.db.query(
      `SELECT ${MEMORY_COLUMNS} FROM memories m
       WHERE m.status = 'activated' AND m.id IN (
         SELECT s.memory_id FROM memory_sources s WHERE s.cube_id = $1 AND s.message_id = ANY($2::text[]))
       ORDER BY m.seq`,
      [cubeId, [...messageIds]],
    );
    return this.withSources(rows);
  }

  async listMemories(scope: MemoryScope, page?: Page, textContains?: string): Promise<{ memories: MemoryRecord[]; total: number }> {
    const params = new Params();
    const where = scopeSql(scope, params);
    const textClause = textContains ? ` AND strpos(lower(m.text), lower(${params.add(textContains)}::text)) > 0` : "";
    const { rows: counted } = await this.conn.db.query(`SELECT count(*)::int AS n FROM memories m WHERE ${where}${textClause}`, params.values);
    const paging = page ? ` LIMIT ${params.add(page.limit)} OFFSET ${params.add(page.offset)}` : "";
    const { rows } = await this.conn.db.query(
      `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE ${where}${textClause} ORDER BY m.created_at DESC, m.seq DESC${paging}`,
      params.values,
    );
    return { memories: await this.withSources(rows), total: countOf(counted) };
  }

  async recentMemories(cubeId: string, sessionId: string, limit: number): Promise<MemoryRecord[]> {
    const { rows } = await this.conn.db.query(
      `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.cube_id = $1 AND m.session_id = $2 AND m.status = 'activated'
       ORDER BY m.created_at DESC, m.seq DESC LIMIT $3`,
      [cubeId, sessionId, limit],
    );
    return this.withSources(rows);
  }

  async memoryHistory(memoryId: string): Promise<MemoryVersion[]> {
    const { rows } = await this.conn.db.query(
      `SELECT memory_id, text, memory_type, status, replaced_by, changed_at, reason
       FROM memory_history WHERE memory_id = $1 ORDER BY version DESC`,
      [memoryId],
    );
    return rows.map(versionFrom);
  }

  async memoryIds(scope: MemoryScope & { sessionId?: string }): Promise<string[]> {
    const params = new Params();
    const where = scopeSql(scope, params);
    const session = scope.sessionId === undefined ? "" : ` AND m.session_id = ${params.add(scope.sessionId)}`;
    const { rows } = await this.conn.db.query(`SELECT m.id FROM memories m WHERE ${where}${session} ORDER BY m.seq`, params.values);
    return rows.map((row) => decodeIdRow(row).id);
  }

  async memoriesByKey(cubeId: string, keys: readonly string[], limit: number): Promise<MemoryRecord[]> {
    const wanted = keysToMatch(keys);
    if (wanted.length === 0) return [];
    const { rows } = await this.conn.db.query(
      `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.cube_id = $1 AND m.status = 'activated' AND lower(m.key) = ANY($2::text[])
       ORDER BY m.created_at DESC, m.seq DESC LIMIT $3`,
      [cubeId, wanted, limit],
    );
    return this.withSources(rows);
  }

  async getMessages(cubeId: string, messageIds: readonly string[]): Promise<MessageRecord[]> {
    if (messageIds.length === 0) return [];
    const { rows } = await this.conn.db.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages msg WHERE msg.cube_id = $1 AND msg.message_id = ANY($2::text[]) ORDER BY msg.chat_time, msg.seq`,
      [cubeId, [...messageIds]],
    );
    return rows.map(messageFrom);
  }

  async messagesBefore(cubeId: string, sessionId: string, before: string, limit: number): Promise<MessageRecord[]> {
    const { rows } = await this.conn.db.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages msg WHERE msg.cube_id = $1 AND msg.session_id = $2 AND msg.chat_time < $3
       ORDER BY msg.chat_time DESC, msg.seq DESC LIMIT $4`,
      [cubeId, sessionId, before, limit],
    );
    return rows.reverse().map(messageFrom);
  }

  async followingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>> {
    if (messageIds.length === 0) return new Map();
    const { rows } = await this.conn.db.query(
      `SELECT m.message_id AS after_id, ${MESSAGE_COLUMNS} FROM messages m
       CROSS JOIN LATERAL (SELECT * FROM messages n WHERE n.cube_id = m.cube_id AND n.session_id = m.session_id
         AND (n.chat_time, n.seq) > (m.chat_time, m.seq) ORDER BY n.chat_time, n.seq LIMIT 1) msg
       WHERE m.cube_id = $1 AND m.message_id = ANY($2::text[])`,
      [cubeId, [...new Set(messageIds)]],
    );
    return new Map(rows.map((row) => [afterOf(row).after_id, messageFrom(row)]));
  }

  async precedingMessages(cubeId: string, messageIds: readonly string[]): Promise<Map<string, MessageRecord>> {
    if (messageIds.length === 0) return new Map();
    const { rows } = await this.conn.db.query(
      `SELECT m.message_id AS after_id, ${MESSAGE_COLUMNS} FROM messages m
       CROSS JOIN LATERAL (SELECT * FROM messages p WHERE p.cube_id = m.cube_id AND p.session_id = m.session_id
         AND (p.chat_time, p.seq) < (m.chat_time, m.seq) ORDER BY p.chat_time DESC, p.seq DESC LIMIT 1) msg
       WHERE m.cube_id = $1 AND m.message_id = ANY($2::text[])`,
      [cubeId, [...new Set(messageIds)]],
    );
    return new Map(rows.map((row) => [afterOf(row).after_id, messageFrom(row)]));
  }
}
