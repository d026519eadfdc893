import type { ClaimRequest } from "../store.js";
import { rowToJob, type JobRow } from "../rows.js";
import type { JobClaim, JobCount, JobOutcome, JobRecord, NewJob } from "../types.js";
import type { Queryable } from "./database.js";


/**
 * The job queue over the `jobs` table, with SQLite's semantics (src/store/sqlite/jobs.ts): a job is
 * ready when queued and due (or asked for by task id), or running under a lapsed lease; and no
 * earlier job of its cube is queued or running, so that a cube's jobs run one at a time, in order.
 */
export class PostgresJobs {
  /** Inside the batch's transaction: one row per job, covering only the messages stored now. */
  static async enqueue(db: Queryable, job: NewJob, storedMessageIds: readonly string[], memoryIds: readonly string[], now: string): Promise<void> {
    await db.query(
      `INSERT INTO jobs (task_id, kind, cube_id, user_id, payload, status, attempts, run_after, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7, $7)`,
      [job.taskId, job.kind, job.cubeId, job.userId, JSON.stringify({ ...job.payload, messageIds: storedMessageIds, memoryIds }), job.runAfter, now],
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
    const { rows } = await db.query<JobRow>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $2, locked_until = $3, updated_at = $1
       WHERE id = (
         SELECT j.id FROM jobs j
         WHERE j.kind = ANY($4::text[])${only}
           AND ((j.status = 'queued' AND (j.run_after <= $1 OR ${taskMatch}))
             OR (j.status = 'running' AND j.locked_until <= $1))
           AND NOT EXISTS (
             SELECT 1 FROM jobs e WHERE e.cube_id = j.cube_id AND e.id < j.id AND e.status IN ('queued', 'running'))
         ORDER BY j.id LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      params,
    );
    return rows[0] ? rowToJob(rows[0]) : undefined;
  }

  /**
   * Inside a transaction, before writing for the job: whether the claim is still this runner's. The
   * row stays locked until the transaction ends, so no other runner can take the job meanwhile.
   */
  static async holds(db: Queryable, claim: JobClaim): Promise<boolean> {
    const { rowCount } = await db.query("SELECT 1 FROM jobs WHERE id = $1 AND status = 'running' AND locked_by = $2 FOR UPDATE", [
      claim.jobId,
      claim.workerId,
    ]);
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
    const update = async (set: string, ...values: unknown[]) => {
      const base = values.length;
      const { rowCount } = await db.query(
        `UPDATE jobs SET ${set}, locked_by = NULL, locked_until = NULL, updated_at = $${base + 1}
         WHERE id = $${base + 2} AND status = 'running' AND locked_by = $${base + 3}`,
        [...values, now, claim.jobId, claim.workerId],
      );
      return rowCount === 1;
    };
    switch (outcome.status) {
      case "done":
        return update("status = 'done', result = $1, last_error = NULL", JSON.stringify(outcome.result));
      case "queued":
        return update("status = 'queued', run_after = $1, last_error = $2", outcome.runAfter, outcome.error);
      case "parked":
        return update("status = 'parked', last_error = $1", outcome.error);
    }
  }

  static async get(db: Queryable, taskId: string): Promise<JobRecord | undefined> {
    const { rows } = await db.query<JobRow>("SELECT * FROM jobs WHERE task_id = $1", [taskId]);
    return rows[0] ? rowToJob(rows[0]) : undefined;
  }

  static async list(db: Queryable, userId: string, limit: number): Promise<JobRecord[]> {
    const { rows } = await db.query<JobRow>("SELECT * FROM jobs WHERE user_id = $1 ORDER BY id DESC LIMIT $2", [userId, limit]);
    return rows.map(rowToJob);
  }

  static async countUnfinished(db: Queryable, userId: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM jobs WHERE user_id = $1 AND status IN ('queued', 'running')",
      [userId],
    );
    return rows[0]?.n ?? 0;
  }

  static async count(db: Queryable, userId?: string): Promise<JobCount[]> {
    const where = userId === undefined ? "" : "WHERE user_id = $1";
    const { rows } = await db.query<JobCount>(
      `SELECT user_id AS "userId", cube_id AS "cubeId", kind, status, count(*)::int AS count FROM jobs ${where}
       GROUP BY user_id, cube_id, kind, status ORDER BY user_id, cube_id, kind, status`,
      userId === undefined ? [] : [userId],
    );
    return rows;
  }

  static async prune(db: Queryable, finishedBefore: string): Promise<number> {
    const { rowCount } = await db.query("DELETE FROM jobs WHERE status = 'done' AND updated_at < $1", [finishedBefore]);
    return rowCount ?? 0;
  }

  static async counts(db: Queryable, now: string): Promise<{ queued: number; running: number; parked: number; oldestDueAt: string | null }> {
    const { rows } = await db.query<{ queued: number; running: number; parked: number; oldest: string | null }>(
      `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'running')::int AS running,
         count(*) FILTER (WHERE status = 'parked')::int AS parked,
         min(run_after) FILTER (WHERE status = 'queued' AND run_after <= $1) AS oldest
       FROM jobs`,
      [now],
    );
    const row = rows[0];
    return { queued: row?.queued ?? 0, running: row?.running ?? 0, parked: row?.parked ?? 0, oldestDueAt: row?.oldest ?? null };
  }

  static async parked(db: Queryable, limit: number): Promise<JobRecord[]> {
    const { rows } = await db.query<JobRow>("SELECT * FROM jobs WHERE status = 'parked' ORDER BY id LIMIT $1", [limit]);
    return rows.map(rowToJob);
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
