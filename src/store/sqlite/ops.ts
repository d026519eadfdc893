import type { StoreStats } from "../store.js";
import type { OpsMethods } from "../core/composed-store.js";
import { number, rowOf, valueOf } from "../core/decode.js";
import { decodeCount, type SqliteConnection } from "./connection.js";
import type { SqliteJobQueue } from "./jobs.js";
import { MIGRATIONS } from "./migrations.js";

const usageRow = rowOf("memories", { memories: number, bytes: number });
const decodeTokens = valueOf("chat_token_usage", number);

/** Counts for operators, quotas and chat token counts. */
export class SqliteOps implements OpsMethods {
  constructor(
    private readonly conn: SqliteConnection,
    private readonly jobs: SqliteJobQueue,
  ) {}

  async schemaStatus(): Promise<{ applied: number; latest: number }> {
    return { applied: this.conn.schemaVersion(), latest: MIGRATIONS.length };
  }

  async stats(now: string): Promise<StoreStats> {
    const { db } = this.conn;
    const memories = decodeCount(db.prepare("SELECT count(*) FROM memories WHERE status = 'activated'").pluck().get());
    const cubes = decodeCount(db.prepare("SELECT count(*) FROM cubes").pluck().get());
    const { oldestDueAt, ...jobs } = this.jobs.counts(now);
    return { memories, cubes, jobs, oldestDueAt };
  }

  async cubeUsage(cubeId: string): Promise<{ memories: number; bytes: number }> {
    return usageRow(
      this.conn.db
        .prepare(
          `SELECT
             (SELECT count(*) FROM memories WHERE cube_id = ? AND status = 'activated') AS memories,
             (SELECT coalesce(sum(length(CAST(content AS BLOB))), 0) FROM messages WHERE cube_id = ?)
             + (SELECT coalesce(sum(bytes), 0) FROM memories WHERE cube_id = ?)
             + (SELECT coalesce(sum(bytes), 0) FROM memory_infos WHERE cube_id = ?)
             + (SELECT coalesce(sum(bytes), 0) FROM memory_tag_sets WHERE cube_id = ?) AS bytes`,
        )
        .get(cubeId, cubeId, cubeId, cubeId, cubeId),
    );
  }

  async addChatTokens(userId: string, day: string, tokens: number): Promise<number> {
    // IMMEDIATE, as every write here: the write lock up front, so a busy file is waited for, not failed on.
    return this.conn.write(() =>
      decodeTokens(
        this.conn.db
          .prepare(
            `INSERT INTO chat_token_usage (user_id, day, tokens) VALUES (?, ?, ?)
             ON CONFLICT (user_id, day) DO UPDATE SET tokens = tokens + excluded.tokens RETURNING tokens`,
          )
          .pluck()
          .get(userId, day, tokens),
      ),
    );
  }

  async chatTokens(userId: string, day: string): Promise<number> {
    const tokens = this.conn.db.prepare("SELECT tokens FROM chat_token_usage WHERE user_id = ? AND day = ?").pluck().get(userId, day);
    return tokens === undefined ? 0 : decodeTokens(tokens);
  }
}
