import type { ConversationBatch, ConversationWrite } from "../store.js";
import type { WriteMethods } from "../core/composed-store.js";
import { checkWritable } from "../core/cube-access.js";
import { runSync } from "../core/script.js";
import { writeConversation, type ConversationPrimitives } from "../core/writes.js";
import type { MessageRecord, NewJob, NewMemory } from "../types.js";
import type { SqliteConnection } from "./connection.js";
import type { SqliteCubes } from "./cubes.js";
import type { SqliteJobQueue } from "./jobs.js";
import { insertMemory } from "./memory-rows.js";

class SqliteConversationPrimitives implements ConversationPrimitives {
  constructor(
    private readonly conn: SqliteConnection,
    private readonly cubes: SqliteCubes,
    private readonly jobs: SqliteJobQueue,
  ) {}

  ensureUser(userId: string, now: string): void {
    this.cubes.ensureUser(userId, now);
  }

  claimForWriting(cubeId: string, userId: string, now: string): void {
    const cube = this.cubes.forWriting(cubeId, userId);
    if (cube) checkWritable(cubeId, userId, cube);
    else this.cubes.insertCube({ id: cubeId, name: cubeId, ownerId: userId, createdAt: now });
  }

  insertMessages(messages: readonly MessageRecord[]): MessageRecord[] {
    const insert = this.conn.db.prepare(
      `INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    return messages.filter(
      (message) =>
        insert.run(message.cubeId, message.messageId, message.sessionId, message.role, message.content, message.chatTime, message.createdAt).changes === 1,
    );
  }

  insertMemories(memories: readonly NewMemory[]): void {
    for (const memory of memories) insertMemory(this.conn, memory);
  }

  enqueue(job: NewJob, messageIds: readonly string[], memoryIds: readonly string[], now: string): void {
    this.jobs.enqueue(job, messageIds, memoryIds, now);
  }
}

/** Writing conversations: messages, the memory made from each, and their follow-up jobs. */
export class SqliteWrites implements WriteMethods {
  private readonly tx: SqliteConversationPrimitives;

  constructor(
    private readonly conn: SqliteConnection,
    cubes: SqliteCubes,
    jobs: SqliteJobQueue,
  ) {
    this.tx = new SqliteConversationPrimitives(conn, cubes, jobs);
  }

  async addConversation(batch: ConversationBatch): Promise<ConversationWrite> {
    const write = this.conn.write(() => runSync(writeConversation(this.tx, batch)));
    // A cube that just grew large gets its index built now rather than on its first search.
    for (const cubeId of new Set(batch.entries.map((entry) => entry.message.cubeId))) this.conn.ann.prepare(cubeId);
    return write;
  }
}
