import type Database from "better-sqlite3";
import type { ClaimRequest } from "../store.js";
import { rowToJob as sharedRowToJob } from "../rows.js";
import type { JobClaim, JobCount, JobOutcome, JobRecord, NewJob } from "../types.js";
import { decodeJobRow, type SqliteJobRow } from "./rows.js";

const rowToJob = (row: SqliteJobRow): JobRecord => sharedRowToJob(decodeJobRow(row));

/**
 * A job is ready when it is queued and due, or running under a lapsed lease; and no earlier job of
 * its cube is still queued or running (updates must apply in the order things were said).
 * On PostgreSQL the same selection takes `FOR UPDATE SKIP LOCKED` so that runners never wait on
 * each other's rows.
 */
const READY = `
  ((j.status = 'queued' AND (j.run_after <= @now OR j.task_id = @taskId))
    OR (j.status = 'running' AND j.locked_until <= @now))
  AND NOT EXISTS (
    SELECT 1 FROM jobs e
    WHERE e.cube_id = j.cube_id AND e.id < j.id AND e.status IN ('queued', 'running')
  )`;

/** The job queue over the `jobs` table. Every method runs inside the caller's connection. */
export class SqliteJobs {
  constructor(private readonly db: Database.Database) {}

  /** Inside the batch's transaction: one row per job, covering only the messages stored now. */
  enqueue(job: NewJob, storedMessageIds: readonly string[], memoryIds: readonly string[], now: string): void {
    this.db
      .prepare(
        `INSERT INTO jobs (task_id, kind, cube_id, user_id, payload, status, attempts, run_after, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)`,
      )
      .run(
        job.taskId,
        job.kind,
        job.cubeId,
        job.userId,
        JSON.stringify({ ...job.payload, messageIds: storedMessageIds, memoryIds }),
        job.runAfter,
        now,
        now,
      );
  }

  /**
   * One UPDATE … RETURNING in an IMMEDIATE transaction: the write lock is taken before the row is
   * chosen, so two processes on one file can never claim the same job.
   */
  claim(request: ClaimRequest): JobRecord | undefined {
    const kinds = request.kinds.map((_, index) => `@kind${index}`).join(", ");
    const params: Record<string, unknown> = {
      now: request.now,
      taskId: request.taskId ?? null,
      workerId: request.workerId,
      leaseUntil: request.leaseUntil,
    };
    request.kinds.forEach((kind, index) => (params[`kind${index}`] = kind));
    const only = request.taskId === undefined ? "" : " AND j.task_id = @taskId";
    const statement = this.db.prepare(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = @workerId,
         locked_until = @leaseUntil, updated_at = @now
       WHERE id = (
         SELECT j.id FROM jobs j WHERE j.kind IN (${kinds})${only} AND ${READY}
         ORDER BY j.id LIMIT 1)
       RETURNING *`,
    );
    const row = this.db.transaction(() => statement.get(params) as SqliteJobRow | undefined).immediate();
    return row ? rowToJob(row) : undefined;
  }

  /** Whether the claim is still this runner's (inside a transaction, before writing for the job). */
  holds(claim: JobClaim): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM jobs WHERE id = ? AND status = 'running' AND locked_by = ?")
        .get(claim.jobId, claim.workerId) !== undefined
    );
  }

  renew(claim: JobClaim, leaseUntil: string): boolean {
    const result = this.db
      .prepare("UPDATE jobs SET locked_until = ? WHERE id = ? AND status = 'running' AND locked_by = ?")
      .run(leaseUntil, claim.jobId, claim.workerId);
    return result.changes === 1;
  }

  finish(claim: JobClaim, outcome: JobOutcome, now: string): boolean {
    const update = (sql: string, ...values: unknown[]) =>
      this.db
        .prepare(`UPDATE jobs SET ${sql}, locked_by = NULL, locked_until = NULL, updated_at = ? WHERE id = ? AND status = 'running' AND locked_by = ?`)
        .run(...values, now, claim.jobId, claim.workerId).changes === 1;
    switch (outcome.status) {
      case "done":
        return update("status = 'done', result = ?, last_error = NULL", JSON.stringify(outcome.result));
      case "queued":
        return update("status = 'queued', run_after = ?, last_error = ?", outcome.runAfter, outcome.error);
      case "parked":
        return update("status = 'parked', last_error = ?", outcome.error);
    }
  }

  get(taskId: string): JobRecord | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE task_id = ?").get(taskId) as SqliteJobRow | undefined;
    return row ? rowToJob(row) : undefined;
  }

  list(userId: string, limit: number): JobRecord[] {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE user_id = ? ORDER BY id DESC LIMIT ?").all(userId, limit) as SqliteJobRow[];
    return rows.map(rowToJob);
  }

  countUnfinished(userId: string): number {
    return this.db
      .prepare("SELECT count(*) FROM jobs WHERE user_id = ? AND status IN ('queued', 'running')")
      .pluck()
      .get(userId) as number;
  }

  count(userId?: string): JobCount[] {
    const where = userId === undefined ? "" : "WHERE user_id = ?";
    return this.db
      .prepare(
        `SELECT user_id AS userId, cube_id AS cubeId, kind, status, count(*) AS count FROM jobs ${where}
         GROUP BY user_id, cube_id, kind, status ORDER BY user_id, cube_id, kind, status`,
      )
      .all(...(userId === undefined ? [] : [userId])) as JobCount[];
  }

  prune(finishedBefore: string): number {
    return this.db.prepare("DELETE FROM jobs WHERE status = 'done' AND updated_at < ?").run(finishedBefore).changes;
  }

  counts(now: string): { queued: number; running: number; parked: number; oldestDueAt: string | null } {
    const row = this.db
      .prepare(
        `SELECT coalesce(sum(status = 'queued'), 0) AS queued, coalesce(sum(status = 'running'), 0) AS running,
           coalesce(sum(status = 'parked'), 0) AS parked,
           min(CASE WHEN status = 'queued' AND run_after <= ? THEN run_after END) AS oldestDueAt
         FROM jobs`,
      )
      .get(now) as { queued: number; running: number; parked: number; oldestDueAt: string | null };
    return row;
  }

  parked(limit: number): JobRecord[] {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE status = 'parked' ORDER BY id LIMIT ?").all(limit) as SqliteJobRow[];
    return rows.map(rowToJob);
  }

  retryParked(taskId: string, now: string): boolean {
    return (
      this.db
        .prepare("UPDATE jobs SET status = 'queued', attempts = 0, run_after = ?, updated_at = ? WHERE task_id = ? AND status = 'parked'")
        .run(now, now, taskId).changes === 1
    );
  }

  dropParked(taskId: string): boolean {
    return this.db.prepare("DELETE FROM jobs WHERE task_id = ? AND status = 'parked'").run(taskId).changes === 1;
  }
}
