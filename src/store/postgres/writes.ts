import type { ConversationBatch, ConversationWrite } from "../store.js";
import type { WriteMethods } from "../core/composed-store.js";
import { recordOf, text } from "../core/decode.js";
import { runAsync } from "../core/script.js";
import { writeConversation, type ConversationPrimitives } from "../core/writes.js";
import type { MessageRecord, NewJob, NewMemory } from "../types.js";
import type { PostgresConnection } from "./connection.js";
import { PostgresCubePrimitives } from "./cubes.js";
import type { Queryable } from "./database.js";
import { PostgresJobQueue } from "./jobs.js";
import { insertMemories } from "./memory-rows.js";

const insertedMessage = recordOf("messages", { cubeId: ["cube_id", text], messageId: ["message_id", text] });

class PostgresConversationPrimitives implements ConversationPrimitives {
  private readonly cubes: PostgresCubePrimitives;

  constructor(
    private readonly conn: PostgresConnection,
    private readonly db: Queryable,
  ) {
    this.cubes = new PostgresCubePrimitives(db);
  }

  ensureUser(userId: string, now: string): Promise<void> {
    return this.cubes.ensureUser(userId, now);
  }

  claimForWriting(cubeId: string, userId: string, now: string): Promise<void> {
    return this.cubes.claimForWriting(cubeId, userId, now);
  }

  /** One statement for the whole batch. */
  async insertMessages(messages: readonly MessageRecord[]): Promise<{ cubeId: string; messageId: string }[]> {
    if (messages.length === 0) return [];
    const rows = messages.map((message) => ({
      cube_id: message.cubeId,
      message_id: message.messageId,
      session_id: message.sessionId,
      role: message.role,
      content: message.content,
      chat_time: message.chatTime,
      created_at: message.createdAt,
    }));
    const { rows: inserted } = await this.db.query(
      `INSERT INTO messages (cube_id, message_id, session_id, role, content, chat_time, created_at)
       SELECT x.cube_id, x.message_id, x.session_id, x.role, x.content, x.chat_time, x.created_at
       FROM json_to_recordset($1::json) AS x(cube_id text, message_id text, session_id text, role text, content text,
         chat_time text, created_at text)
       ON CONFLICT DO NOTHING
       RETURNING cube_id, message_id`,
      [JSON.stringify(rows)],
    );
    return inserted.map(insertedMessage);
  }

  insertMemories(memories: readonly NewMemory[]): Promise<void> {
    return insertMemories(this.conn, this.db, memories);
  }

  enqueue(job: NewJob, messageIds: readonly string[], memoryIds: readonly string[], now: string): Promise<void> {
    return PostgresJobQueue.enqueue(this.db, job, messageIds, memoryIds, now);
  }
}

/** Writing conversations: messages, the memory made from each, and their follow-up jobs. */
export class PostgresWrites implements WriteMethods {
  constructor(private readonly conn: PostgresConnection) {}

  async addConversation(batch: ConversationBatch): Promise<ConversationWrite> {
    return this.conn.db.transaction((client) => runAsync(writeConversation(new PostgresConversationPrimitives(this.conn, client), batch)));
  }
}
