import type { RefineMethods } from "../core/composed-store.js";
import { commitRefinement, type RefinePrimitives } from "../core/refine.js";
import { number, recordOf, text } from "../core/decode.js";
import { runSync } from "../core/script.js";
import type { JobClaim, JobOutcome, NewMemory, Refinement, RefinementWrite } from "../types.js";
import type { SqliteConnection } from "./connection.js";
import type { SqliteJobQueue } from "./jobs.js";
import { archiveMemory, insertMemory, type SqliteActiveMemory } from "./memory-rows.js";

const activeMemory = recordOf("memories", {
  rowid: ["rowid", number],
  id: ["id", text],
  cubeId: ["cube_id", text],
  text: ["text", text],
  memoryType: ["memory_type", text],
});

class SqliteRefinePrimitives implements RefinePrimitives<SqliteActiveMemory> {
  constructor(
    private readonly conn: SqliteConnection,
    private readonly jobs: SqliteJobQueue,
  ) {}

  holds(claim: JobClaim): boolean {
    return this.jobs.holds(claim);
  }

  messagesExist(cubeId: string, messageIds: readonly string[]): boolean {
    const exists = this.conn.db.prepare("SELECT 1 FROM messages WHERE cube_id = ? AND message_id = ?");
    return messageIds.every((messageId) => exists.get(cubeId, messageId) !== undefined);
  }

  messagesSetAside(cubeId: string, messageIds: readonly string[]): boolean {
    const setAside = this.conn.db.prepare(
      `SELECT 1 FROM memory_sources s JOIN memories m ON m.rowid = s.memory_rowid
       WHERE s.cube_id = ? AND s.message_id = ? AND m.status = 'deleted' LIMIT 1`,
    );
    return messageIds.some((messageId) => setAside.get(cubeId, messageId) !== undefined);
  }

  insertMemory(memory: NewMemory): void {
    insertMemory(this.conn, memory);
  }

  activeMemory(cubeId: string, memoryId: string): SqliteActiveMemory | undefined {
    const row = this.conn.db
      .prepare("SELECT rowid, id, cube_id, text, memory_type FROM memories WHERE id = ? AND cube_id = ? AND status = 'activated'")
      .get(memoryId, cubeId);
    return row === undefined ? undefined : activeMemory(row);
  }

  archive(row: SqliteActiveMemory, successorId: string, reason: string, now: string): void {
    archiveMemory(this.conn, row, successorId, reason, now);
  }

  inheritHistory(memoryId: string, fromMemoryId: string): void {
    this.conn.db
      .prepare(
        `INSERT INTO memory_history (memory_id, version, text, memory_type, status, replaced_by, changed_at, reason)
         SELECT ?, version, text, memory_type, status, replaced_by, changed_at, reason FROM memory_history WHERE memory_id = ?`,
      )
      .run(memoryId, fromMemoryId);
  }

  finishJob(claim: JobClaim, outcome: JobOutcome, now: string): boolean {
    return this.jobs.finish(claim, outcome, now);
  }
}

/** Writing what a refinement job derived. */
export class SqliteRefine implements RefineMethods {
  private readonly tx: SqliteRefinePrimitives;

  constructor(
    private readonly conn: SqliteConnection,
    jobs: SqliteJobQueue,
  ) {
    this.tx = new SqliteRefinePrimitives(conn, jobs);
  }

  async commitRefinement(refinement: Refinement): Promise<RefinementWrite> {
    return this.conn.write(() => runSync(commitRefinement(this.tx, refinement)));
  }
}
