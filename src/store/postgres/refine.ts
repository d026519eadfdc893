import type { RefineMethods } from "../core/composed-store.js";
import { commitRefinement, type ActiveMemory, type RefinePrimitives } from "../core/refine.js";
import { recordOf, text } from "../core/decode.js";
import { runAsync } from "../core/script.js";
import type { JobClaim, JobOutcome, NewMemory, Refinement, RefinementWrite } from "../types.js";
import { countOf, type PostgresConnection } from "./connection.js";
import type { Queryable } from "./database.js";
import { PostgresJobQueue } from "./jobs.js";
import { archiveMemory, insertMemories } from "./memory-rows.js";

const activeMemory = recordOf("memories", { id: ["id", text], text: ["text", text], memoryType: ["memory_type", text] });

class PostgresRefinePrimitives implements RefinePrimitives<ActiveMemory> {
  constructor(
    private readonly conn: PostgresConnection,
    private readonly db: Queryable,
  ) {}

  holds(claim: JobClaim): Promise<boolean> {
    return PostgresJobQueue.holds(this.db, claim);
  }

  async messagesExist(cubeId: string, messageIds: readonly string[]): Promise<boolean> {
    const wanted = [...new Set(messageIds)];
    if (wanted.length === 0) return true;
    const { rows } = await this.db.query("SELECT count(*)::int AS n FROM messages WHERE cube_id = $1 AND message_id = ANY($2::text[])", [cubeId, wanted]);
    return countOf(rows) === wanted.length;
  }

  async messagesSetAside(cubeId: string, messageIds: readonly string[]): Promise<boolean> {
    // Share-locked as writes lock it: a soft delete of the cube (which locks it for update) either
    // committed before this looks, or waits and then sets aside what this writes.
    await this.db.query("SELECT 1 FROM cubes WHERE id = $1 FOR SHARE", [cubeId]);
    if (messageIds.length === 0) return false;
    const { rows } = await this.db.query(
      `SELECT 1 FROM memory_sources s JOIN memories m ON m.id = s.memory_id
       WHERE s.cube_id = $1 AND s.message_id = ANY($2::text[]) AND m.status = 'deleted' LIMIT 1`,
      [cubeId, [...new Set(messageIds)]],
    );
    return rows.length > 0;
  }

  insertMemory(memory: NewMemory): Promise<void> {
    return insertMemories(this.conn, this.db, [memory]);
  }

  async activeMemory(cubeId: string, memoryId: string): Promise<ActiveMemory | undefined> {
    const { rows } = await this.db.query("SELECT id, text, memory_type FROM memories WHERE id = $1 AND cube_id = $2 AND status = 'activated' FOR UPDATE", [
      memoryId,
      cubeId,
    ]);
    return rows[0] === undefined ? undefined : activeMemory(rows[0]);
  }

  archive(row: ActiveMemory, successorId: string, reason: string, now: string): Promise<void> {
    return archiveMemory(this.db, row, successorId, reason, now);
  }

  async inheritHistory(memoryId: string, fromMemoryId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO memory_history (memory_id, version, text, memory_type, status, replaced_by, changed_at, reason)
       SELECT $1, version, text, memory_type, status, replaced_by, changed_at, reason FROM memory_history WHERE memory_id = $2`,
      [memoryId, fromMemoryId],
    );
  }

  finishJob(claim: JobClaim, outcome: JobOutcome, now: string): Promise<boolean> {
    return PostgresJobQueue.finish(this.db, claim, outcome, now);
  }
}

/** Writing what a refinement job derived. */
export class PostgresRefine implements RefineMethods {
  constructor(private readonly conn: PostgresConnection) {}

  async commitRefinement(refinement: Refinement): Promise<RefinementWrite> {
    return this.conn.db.transaction((client) => runAsync(commitRefinement(new PostgresRefinePrimitives(this.conn, client), refinement)));
  }
}
