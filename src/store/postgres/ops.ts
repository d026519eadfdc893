import type { StoreStats } from "../store.js";
import type { OpsMethods } from "../core/composed-store.js";
import { number, rowOf } from "../core/decode.js";
import type { PostgresConnection } from "./connection.js";
import { appliedSchema } from "./database.js";
import { PostgresJobQueue } from "./jobs.js";
import { PG_MIGRATIONS } from "./migrations.js";

const totalsRow = rowOf("memories", { memories: number, cubes: number });
const usageRow = rowOf("memories", { memories: number, bytes: number });
const tokensRow = rowOf("chat_token_usage", { tokens: number });

/** Counts for operators, quotas and chat token counts. */
export class PostgresOps implements OpsMethods {
  constructor(private readonly conn: PostgresConnection) {}

  async schemaStatus(): Promise<{ applied: number; latest: number }> {
    return { applied: await appliedSchema(this.conn.db), latest: PG_MIGRATIONS.length };
  }

  async stats(now: string): Promise<StoreStats> {
    const { rows } = await this.conn.db.query(
      "SELECT (SELECT count(*) FROM memories WHERE status = 'activated')::int AS memories, (SELECT count(*) FROM cubes)::int AS cubes",
    );
    const totals = rows[0] === undefined ? { memories: 0, cubes: 0 } : totalsRow(rows[0]);
    const { oldestDueAt, ...jobs } = await PostgresJobQueue.counts(this.conn.db, now);
    return { memories: totals.memories, cubes: totals.cubes, jobs, oldestDueAt };
  }

  async cubeUsage(cubeId: string): Promise<{ memories: number; bytes: number }> {
    const { rows } = await this.conn.db.query(
      `SELECT
         (SELECT count(*) FROM memories WHERE cube_id = $1 AND status = 'activated')::int AS memories,
         ((SELECT coalesce(sum(octet_length(content)), 0) FROM messages WHERE cube_id = $1)
          + (SELECT coalesce(sum(bytes), 0) FROM memories WHERE cube_id = $1)
          + (SELECT coalesce(sum(bytes), 0) FROM memory_infos WHERE cube_id = $1)
          + (SELECT coalesce(sum(bytes), 0) FROM memory_tag_sets WHERE cube_id = $1))::float8 AS bytes`,
      [cubeId],
    );
    return rows[0] === undefined ? { memories: 0, bytes: 0 } : usageRow(rows[0]);
  }

  async addChatTokens(userId: string, day: string, tokens: number): Promise<number> {
    const { rows } = await this.conn.db.query(
      `INSERT INTO chat_token_usage (user_id, day, tokens) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, day) DO UPDATE SET tokens = chat_token_usage.tokens + excluded.tokens RETURNING tokens::float8 AS tokens`,
      [userId, day, tokens],
    );
    return rows[0] === undefined ? tokens : tokensRow(rows[0]).tokens;
  }

  async chatTokens(userId: string, day: string): Promise<number> {
    const { rows } = await this.conn.db.query("SELECT tokens::float8 AS tokens FROM chat_token_usage WHERE user_id = $1 AND day = $2", [userId, day]);
    return rows[0] === undefined ? 0 : tokensRow(rows[0]).tokens;
  }
}
