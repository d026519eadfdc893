import type { ClaimRequest } from "../store.js";
import type { JobMethods } from "../core/composed-store.js";
import { nullable, number, rowOf, text } from "../core/decode.js";
import type { JobClaim, JobCount, JobOutcome, JobRecord, NewJob } from "../types.js";
import { jobCountFrom } from "../core/rows.js";
import { enqueuedState, finishedJob, jobPayload, readyJobSql } from "../core/jobs.js";
import { countOf, decodeJob } from "./connection.js";
import type { Database, Queryable } from "./database.js";

const countsRow = rowOf("jobs", { queued: number, running: number, parked: number, oldest: nullable(text) });

/**
 * The job queue over the `jobs` table, with the readiness and outcomes of src/store/core/jobs.ts
 * (as on SQLite). Every method runs on the pool or inside the caller's transaction.
 */
export class PostgresJobQueue {
  /** Inside the batch's transaction: one row per job, covering only the messages stored now. */
  static async enqueue(db: Queryable, job: NewJob, storedMessageIds: readonly string[], memoryIds: readonly string[], now: string): Promise<void> {
    const { status, result } = enqueuedState(job);
    await db.query(
      `INSERT INTO jobs (task_id, kind, cube_id, user_id, payload, status, result, attempts, run_after, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $9)`,
      [job.taskId, job.kind, job.cubeId, job.userId, jobPayload(job, storedMessageIds, memoryIds), status, result, job.runAfter, now],
    );
  }

  /**
   * One statement: the oldest ready job is locked with FOR UPDATE SKIP LOCKED (a row another runner
   * is claiming right now is passed over, never waited for) and marked running under this runner's
   * lease. A job whose earlier sibling another runner has just locked stays blocked: the sibling is
   * still queued or running in every snapshot, so the cube's order holds across processes.
   */
  static async claim(db: Queryable, request: ClaimRequest): Promise<JobRecord | undefined> {
    const only = request.taskId === undefined ? "" : " AND j.task_id = $5";
    const params: unknown[] = [request.now, request.workerId, request.leaseUntil, [...request.kinds]];
    if (request.taskId !== undefined) params.push(request.taskId);
    const taskMatch = request.taskId === undefined ? "false" : "j.task_id = $5";
    const { rows } = await db.query(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $2, locked_until = $3, updated_at = $1
       WHERE id = (
         SELECT j.id FROM jobs j
         WHERE j.kind = ANY($4::text[])${only} AND ${readyJobSql("$1", taskMatch)}
         ORDER BY j.id LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      params,
    );
    return rows[0] === undefined ? undefined : decodeJob(rows[0]);
  }

  /**
   * Inside a transaction, before writing for the job: whether the claim is still this runner's. The
   * row stays locked until the transaction ends, so no other runner can take the job meanwhile.
   */
  static async holds(db: Queryable, claim: JobClaim): Promise<boolean> {
    const { rowCount } = await db.query("SELECT 1 FROM jobs WHERE id = $1 AND status = 'running' AND locked_by = $2 FOR UPDATE", [claim.jobId, claim.workerId]);
    return rowCount === 1;
  }

  static async renew(db: Queryable, claim: JobClaim, leaseUntil: string): Promise<boolean> {
    const { rowCount } = await db.query("UPDATE jobs SET locked_until = $1 WHERE id = $2 AND status = 'running' AND locked_by = $3", [
      leaseUntil,
      claim.jobId,
      claim.workerId,
    ]);
    return rowCount === 1;
  }

  static async finish(db: Queryable, claim: JobClaim, outcome: JobOutcome, now: string): Promise<boolean> {
    const finished = finishedJob(outcome);
    const { rowCount } = await db.query(
      `UPDATE jobs SET status = $1, result = coalesce($2::jsonb, result), run_after = coalesce($3, run_after), last_error = $4,
         locked_by = NULL, locked_until = NULL, updated_at = $5
       WHERE id = $6 AND status = 'running' AND locked_by = $7`,
      [finished.status, finished.result, finished.runAfter, finished.lastError, now, claim.jobId, claim.workerId],
    );
    return rowCount === 1;
  }

  static async get(db: Queryable, taskId: string): Promise<JobRecord | undefined> {
    const { rows } = await db.query("SELECT * FROM jobs WHERE task_id = $1", [taskId]);
    return rows[0] === undefined ? undefined : decodeJob(rows[0]);
  }

  static async list(db: Queryable, userId: string, limit: number): Promise<JobRecord[]> {
    const { rows } = await db.query("SELECT * FROM jobs WHERE user_id = $1 ORDER BY id DESC LIMIT $2", [userId, limit]);
    return rows.map(decodeJob);
  }

  static async count(db: Queryable, userId?: string): Promise<JobCount[]> {
    const where = userId === undefined ? "" : "WHERE user_id = $1";
    const { rows } = await db.query(
      `SELECT user_id, cube_id, kind, status, count(*)::int AS count FROM jobs ${where} GROUP BY user_id, cube_id, kind, status ORDER BY user_id, cube_id, kind, status`,
      userId === undefined ? [] : [userId],
    );
    return rows.map(jobCountFrom);
  }

  static async countUnfinished(db: Queryable, userId: string): Promise<number> {
    const { rows } = await db.query("SELECT count(*)::int AS n FROM jobs WHERE user_id = $1 AND status IN ('queued', 'running')", [userId]);
    return countOf(rows);
  }

  static async prune(db: Queryable, finishedBefore: string): Promise<number> {
    const { rowCount } = await db.query("DELETE FROM jobs WHERE status = 'done' AND updated_at < $1", [finishedBefore]);
    return rowCount ?? 0;
  }

  static async counts(db: Queryable, now: string): Promise<{ queued: number; running: number; parked: number; oldestDueAt: string | null }> {
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'running')::int AS running,
         count(*) FILTER (WHERE status = 'parked')::int AS parked,
         min(run_after) FILTER (WHERE status = 'queued' AND run_after <= $1) AS oldest
       FROM jobs`,
      [now],
    );
    const row = rows[0] === undefined ? undefined : countsRow(rows[0]);
    return { queued: row?.queued ?? 0, running: row?.running ?? 0, parked: row?.parked ?? 0, oldestDueAt: row?.oldest ?? null };
  }

  static async parked(db: Queryable, limit: number): Promise<JobRecord[]> {
    const { rows } = await db.query("SELECT * FROM jobs WHERE status = 'parked' ORDER BY id LIMIT $1", [limit]);
    return rows.map(decodeJob);
  }

  static async retryParked(db: Queryable, taskId: string, now: string): Promise<boolean> {
    const { rowCount } = await db.query(
      "UPDATE jobs SET status = 'queued', attempts = 0, run_after = $1, updated_at = $1 WHERE task_id = $2 AND status = 'parked'",
      [now, taskId],
    );
    return rowCount === 1;
  }

  static async dropParked(db: Queryable, taskId: string): Promise<boolean> {
    const { rowCount } = await db.query("DELETE FROM jobs WHERE task_id = $1 AND status = 'parked'", [taskId]);
    return rowCount === 1;
  }
}

/** The Store's job methods over the queue. */
export class PostgresJobs implements JobMethods {
  constructor(private readonly db: Database) {}

  claimJob(request: ClaimRequest): Promise<JobRecord | undefined> {
    return PostgresJobQueue.claim(this.db, request);
  }
  renewJob(claim: JobClaim, leaseUntil: string): Promise<boolean> {
    return PostgresJobQueue.renew(this.db, claim, leaseUntil);
  }
  finishJob(claim: JobClaim, outcome: JobOutcome, now: string): Promise<boolean> {
    return PostgresJobQueue.finish(this.db, claim, outcome, now);
  }
  getJob(taskId: string): Promise<JobRecord | undefined> {
    return PostgresJobQueue.get(this.db, taskId);
  }
  listJobs(userId: string, limit: number): Promise<JobRecord[]> {
    return PostgresJobQueue.list(this.db, userId, limit);
  }
  countUnfinishedJobs(userId: string): Promise<number> {
    return PostgresJobQueue.countUnfinished(this.db, userId);
  }
  countJobs(userId?: string): Promise<JobCount[]> {
    return PostgresJobQueue.count(this.db, userId);
  }
  pruneJobs(finishedBefore: string): Promise<number> {
    return PostgresJobQueue.prune(this.db, finishedBefore);
  }
  listParkedJobs(limit: number): Promise<JobRecord[]> {
    return PostgresJobQueue.parked(this.db, limit);
  }
  retryParkedJob(taskId: string, now: string): Promise<boolean> {
    return PostgresJobQueue.retryParked(this.db, taskId, now);
  }
  dropParkedJob(taskId: string): Promise<boolean> {
    return PostgresJobQueue.dropParked(this.db, taskId);
  }
}
