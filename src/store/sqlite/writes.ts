import type { ConversationBatch, ConversationWrite } from "../store.js";
import type { WriteMethods } from "../core/composed-store.js";
import { checkWritable } from "../core/cube-access.js";
import type { SqliteConnection } from "./connection.js";
import type { SqliteCubes } from "./cubes.js";
import type { SqliteJobQueue } from "./jobs.js";
import { insertMemory } from "./memory-rows.js";

/** Writing conversations: messages, the memory made from each, and their follow-up jobs. */
export class SqliteWrites implements WriteMethods {
  constructor(
    private readonly conn: SqliteConnection,
    private readonly cubes: SqliteCubes,
    private readonly jobs: SqliteJobQueue,
  ) {}

  /** Inside a write transaction: the user may write the cube, which is created when missing. */
  private claimForWriting(cubeId: string, userId: string, now: string): void {
    const cube = this.cubes.forWriting(cubeId, userId);
    if (!cube) {
      this.cubes.insertCube({ id: cubeId, name: cubeId, ownerId: userId, createdAt: now });
      return;
    }
    checkWritable(cubeId, userId, cube);
  }

  async addConversation(batch: ConversationBatch): Promise<ConversationWrite> {
    const existingMessageIds: string[] = [];
    /** Per cube: the messages stored now, with the memory made from each. */
    const stored = new Map<string, Map<string, string>>();
    const jobs: ConversationWrite["jobs"] = [];
    const insertMessage = this.conn.db.prepare(
      `INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.conn.write(() => {
      this.cubes.ensureUser(batch.userId, batch.now);
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
        insertMemory(this.conn, memory);
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
    });
    // A cube that just grew large gets its index built now rather than on its first search.
    for (const cubeId of new Set(batch.entries.map((entry) => entry.message.cubeId))) this.conn.ann.prepare(cubeId);
    return { existingMessageIds, jobs };
  }
}
