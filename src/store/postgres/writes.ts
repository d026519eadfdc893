import type { ConversationBatch, ConversationWrite } from "../store.js";
import type { WriteMethods } from "../core/composed-store.js";
import { rowOf, text } from "../core/decode.js";
import type { NewMemory } from "../types.js";
import type { PostgresConnection } from "./connection.js";
import { claimForWriting, ensureUser } from "./cubes.js";
import { PostgresJobQueue } from "./jobs.js";
import { insertMemories } from "./memory-rows.js";

const insertedRow = rowOf("messages", { cube_id: text, message_id: text });

/** Writing conversations: messages, the memory made from each, and their follow-up jobs. */
export class PostgresWrites implements WriteMethods {
  constructor(private readonly conn: PostgresConnection) {}

  async addConversation(batch: ConversationBatch): Promise<ConversationWrite> {
    return this.conn.db.transaction(async (client) => {
      const existingMessageIds: string[] = [];
      await ensureUser(client, batch.userId, batch.now);
      // Cubes in a fixed order, so that two batches over the same cubes never deadlock.
      for (const cubeId of [...new Set(batch.entries.map((entry) => entry.message.cubeId))].sort()) {
        await claimForWriting(client, cubeId, batch.userId, batch.now);
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
        const { rows } = await client.query(
          `INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at)
           SELECT x.cube_id, x.message_id, x.session_id, x.role, x.content, x.chat_time, x.created_at
           FROM json_to_recordset($1::json) AS x(cube_id text, message_id text, session_id text, role text, content text,
             chat_time text, created_at text)
           ON CONFLICT DO NOTHING
           RETURNING cube_id, message_id`,
          [JSON.stringify(messages)],
        );
        for (const row of rows.map(insertedRow)) inserted.add(key(row.cube_id, row.message_id));
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
      await insertMemories(this.conn, client, memories);
      const jobs: ConversationWrite["jobs"] = [];
      for (const job of batch.jobs ?? []) {
        const inCube = stored.get(job.cubeId);
        const messageIds = [...new Set(job.messageIds)].filter((messageId) => inCube?.has(messageId));
        if (messageIds.length === 0) continue;
        const memoryIds = messageIds.map((messageId) => inCube?.get(messageId) as string);
        await PostgresJobQueue.enqueue(client, job, messageIds, memoryIds, batch.now);
        jobs.push({ taskId: job.taskId, cubeId: job.cubeId, messageIds });
      }
      return { existingMessageIds, jobs };
    });
  }
}
