import type Database from "better-sqlite3";
import type { ClaimRequest } from "../store.js";
import type { JobMethods } from "../core/composed-store.js";
import { nullable, number, rowOf, text } from "../core/decode.js";
import type { JobClaim, JobCount, JobOutcome, JobRecord, NewJob } from "../types.js";
import { jobCountFrom } from "../core/rows.js";
import { enqueuedState, finishedJob, jobPayload, readyJobSql } from "../core/jobs.js";
import { decodeCount, decodeJob } from "./connection.js";

const countsRow = rowOf("jobs", { queued: number, running: number, parked: number, oldestDueAt: nullable(text) });

/** Readiness (src/store/core/jobs.ts) with this queue's named parameters. */
const READY = readyJobSql("@now", "j.task_id = @taskId");

/** The job queue over the `jobs` table. Every method runs inside the caller's connection (and transaction). */
export class SqliteJobQueue {
  constructor(private readonly db: Database.Database) {}

  /** Inside the batch's transaction: one row per job, covering only the messages stored now. */
  enqueue(job: NewJob, storedMessageIds: readonly string[], memoryIds: readonly string[], now: string): void {
    const { status, result } = enqueuedState(job);
    this.db
      .prepare(
        `INSERT INTO jobs (task_id, kind, cube_id, user_id, payload, status, result, attempts, run_after, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      )
      .run(job.taskId, job.kind, job.cubeId, job.userId, jobPayload(job, storedMessageIds, memoryIds), status, result, job.runAfter, now, now);
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
    const row = this.db.transaction(() => statement.get(params)).immediate();
    return row === undefined ? undefined : decodeJob(row);
  }

  /** Whether the claim is still this runner's (inside a transaction, before writing for the job). */
  holds(claim: JobClaim): boolean {
    return this.db.prepare("SELECT 1 FROM jobs WHERE id = ? AND status = 'running' AND locked_by = ?").get(claim.jobId, claim.workerId) !== undefined;
  }

  renew(claim: JobClaim, leaseUntil: string): boolean {
    const result = this.db
      .prepare("UPDATE jobs SET locked_until = ? WHERE id = ? AND status = 'running' AND locked_by = ?")
      .run(leaseUntil, claim.jobId, claim.workerId);
    return result.changes === 1;
  }

  finish(claim: JobClaim, outcome: JobOutcome, now: string): boolean {
    const finished = finishedJob(outcome);
    return (
      this.db
        .prepare(
          `UPDATE jobs SET status = ?, result = coalesce(?, result), run_after = coalesce(?, run_after), last_error = ?,
             locked_by = NULL, locked_until = NULL, updated_at = ?
           WHERE id = ? AND status = 'running' AND locked_by = ?`,
        )
        .run(finished.status, finished.result, finished.runAfter, finished.lastError, now, claim.jobId, claim.workerId).changes === 1
    );
  }

  get(taskId: string): JobRecord | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE task_id = ?").get(taskId);
    return row === undefined ? undefined : decodeJob(row);
  }

  list(userId: string, limit: number): JobRecord[] {
    return this.db.prepare("SELECT * FROM jobs WHERE user_id = ? ORDER BY id DESC LIMIT ?").all(userId, limit).map(decodeJob);
  }

  count(userId?: string): JobCount[] {
    const where = userId === undefined ? "" : "WHERE user_id = ?";
    return this.db
      .prepare(
        `SELECT user_id, cube_id, kind, status, count(*) AS count FROM jobs ${where} GROUP BY user_id, cube_id, kind, status ORDER BY user_id, cube_id, kind, status`,
      )
      .all(...(userId === undefined ? [] : [userId]))
      .map(jobCountFrom);
  }

  countUnfinished(userId: string): number {
    return decodeCount(this.db.prepare("SELECT count(*) FROM jobs WHERE user_id = ? AND status IN ('queued', 'running')").pluck().get(userId));
  }

  prune(finishedBefore: string): number {
    return this.db.prepare("DELETE FROM jobs WHERE status = 'done' AND updated_at < ?").run(finishedBefore).changes;
  }

  counts(now: string): { queued: number; running: number; parked: number; oldestDueAt: string | null } {
    return countsRow(
      this.db
        .prepare(
          `SELECT coalesce(sum(status = 'queued'), 0) AS queued, coalesce(sum(status = 'running'), 0) AS running,
           coalesce(sum(status = 'parked'), 0) AS parked,
           min(CASE WHEN status = 'queued' AND run_after <= ? THEN run_after END) AS oldestDueAt
         FROM jobs`,
        )
        .get(now),
    );
  }

  parked(limit: number): JobRecord[] {
    return this.db.prepare("SELECT * FROM jobs WHERE status = 'parked' ORDER BY id LIMIT ?").all(limit).map(decodeJob);
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

/** The Store's job methods over the queue. */
export class SqliteJobs implements JobMethods {
  constructor(private readonly queue: SqliteJobQueue) {}

  async claimJob(request: ClaimRequest): Promise<JobRecord | undefined> {
    return this.queue.claim(request);
  }
  async renewJob(claim: JobClaim, leaseUntil: string): Promise<boolean> {
    return this.queue.renew(claim, leaseUntil);
  }
  async finishJob(claim: JobClaim, outcome: JobOutcome, now: string): Promise<boolean> {
    return this.queue.finish(claim, outcome, now);
  }
  async getJob(taskId: string): Promise<JobRecord | undefined> {
    return this.queue.get(taskId);
  }
  async listJobs(userId: string, limit: number): Promise<JobRecord[]> {
    return this.queue.list(userId, limit);
  }
  async countUnfinishedJobs(userId: string): Promise<number> {
    return this.queue.countUnfinished(userId);
  }
  async countJobs(userId?: string): Promise<JobCount[]> {
    return this.queue.count(userId);
  }
  async pruneJobs(finishedBefore: string): Promise<number> {
    return this.queue.prune(finishedBefore);
  }
  async listParkedJobs(limit: number): Promise<JobRecord[]> {
    return this.queue.parked(limit);
  }
  async retryParkedJob(taskId: string, now: string): Promise<boolean> {
    return this.queue.retryParked(taskId, now);
  }
  async dropParkedJob(taskId: string): Promise<boolean> {
    return this.queue.dropParked(taskId);
  }
}
