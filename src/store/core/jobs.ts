import type { JobOutcome, NewJob } from "../types.js";

/**
 * The job queue's rules, shared by both stores as SQL fragments and planners (each store binds
 * its own placeholders).
 */

/**
 * A job `j` is ready when it is queued and due (or asked for by task id), or running under a lapsed
 * lease; and no earlier job of its cube is still queued or running, so that a cube's jobs run one
 * at a time, in the order things were said.
 */
export function readyJobSql(now: string, taskMatch: string): string {
  return `((j.status = 'queued' AND (j.run_after <= ${now} OR ${taskMatch}))
      OR (j.status = 'running' AND j.locked_until <= ${now}))
    AND NOT EXISTS (
      SELECT 1 FROM jobs e WHERE e.cube_id = j.cube_id AND e.id < j.id AND e.status IN ('queued', 'running'))`;
}

/** What finishing a claim writes: the new status, and the result, due time and error it sets (null keeps a column). */
export interface FinishedJob {
  status: JobOutcome["status"];
  /** The result as JSON; null leaves the column as it is. */
  result: string | null;
  /** null leaves the column as it is. */
  runAfter: string | null;
  lastError: string | null;
}

export function finishedJob(outcome: JobOutcome): FinishedJob {
  switch (outcome.status) {
    case "done":
      return { status: "done", result: JSON.stringify(outcome.result), runAfter: null, lastError: null };
    case "queued":
      return { status: "queued", result: null, runAfter: outcome.runAfter, lastError: outcome.error };
    case "parked":
      return { status: "parked", result: null, runAfter: null, lastError: outcome.error };
  }
}

/** A job's payload as stored: what it asked for, with the messages the batch stored and their memories. */
export function jobPayload(job: NewJob, storedMessageIds: readonly string[], memoryIds: readonly string[]): string {
  return JSON.stringify({ ...job.payload, messageIds: storedMessageIds, memoryIds });
}

/** The status and result a job is enqueued with: queued, or done at once (work its request did itself). */
export function enqueuedState(job: NewJob): { status: "queued" | "done"; result: string | null } {
  return job.finished === undefined ? { status: "queued", result: null } : { status: "done", result: JSON.stringify(job.finished) };
}
