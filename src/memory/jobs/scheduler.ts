import type { JobRecord, JobStatus } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { DomainError } from "../errors.js";

/** MemOS's task states, which its clients poll for. */
export type TaskStatus = "waiting" | "in_progress" | "completed" | "failed";

const TASK_STATUS: Record<JobStatus, TaskStatus> = {
  queued: "waiting",
  running: "in_progress",
  done: "completed",
  parked: "failed",
};

export interface TaskView {
  taskId: string;
  status: TaskStatus;
  /** Why a failed task was given up on. */
  error?: string;
}

/** The newest tasks listed when no task id is given (older ones stay until pruned, by id). */
const LISTED_TASKS = 200;

/** A job as the task MemOS's clients poll for. */
export function viewOf(job: JobRecord): TaskView {
  return {
    taskId: job.taskId,
    status: TASK_STATUS[job.status],
    ...(job.status === "parked" && job.lastError ? { error: job.lastError } : {}),
  };
}

/** A client's task as one: failed if a part failed, else running while a part runs or waits, else completed. */
function clientTaskView(taskId: string, parts: readonly JobRecord[]): TaskView {
  const views = parts.map(viewOf);
  const failed = views.find((view) => view.status === "failed");
  if (failed) return { taskId, status: "failed", ...(failed.error !== undefined && { error: failed.error }) };
  const status = views.some((view) => view.status === "in_progress")
    ? "in_progress"
    : views.some((view) => view.status === "waiting")
      ? "waiting"
      : "completed";
  return { taskId, status };
}

/**
 * A user's tasks, newest first, or one task. A user sees only the tasks they started, in cubes
 * they can still read; anyone else's task id is "not found" (its existence is not revealed).
 */
export async function taskStatuses(context: MemoryContext, userId: string, taskId?: string): Promise<TaskView[]> {
  const readable = new Map<string, boolean>();
  const canSee = async (job: JobRecord) => {
    if (job.userId !== userId) return false;
    if (!readable.has(job.cubeId)) readable.set(job.cubeId, (await context.store.accessOf(job.cubeId, userId)) !== undefined);
    return readable.get(job.cubeId) === true;
  };
  if (taskId !== undefined) {
    // As MemOS: the id is tried as a client's task_id (over every job its add queued), then as memcube's own.
    const parts: JobRecord[] = [];
    for (const job of await context.store.listJobs(userId, LISTED_TASKS)) {
      if (job.payload.clientTaskId === taskId && (await canSee(job))) parts.push(job);
    }
    if (parts.length > 0) return [clientTaskView(taskId, parts)];
    const job = await context.store.getJob(taskId);
    if (!job || !(await canSee(job))) throw new DomainError("not_found", `task '${taskId}' not found for user '${userId}'`);
    return [viewOf(job)];
  }
  const jobs = await context.store.listJobs(userId, LISTED_TASKS);
  const visible: TaskView[] = [];
  for (const job of jobs) if (await canSee(job)) visible.push(viewOf(job));
  return visible;
}

export interface WaitResult {
  idle: boolean;
  /** The user's tasks still waiting or in progress. */
  running: number;
  waitedSeconds: number;
}

/** Waits until none of the user's tasks is waiting or in progress, the timeout passes, or the client leaves. */
export async function waitForIdle(
  context: MemoryContext,
  userId: string,
  options: { timeoutMs: number; pollMs: number; signal: AbortSignal },
): Promise<WaitResult> {
  const started = performance.now();
  const waited = () => Math.round(performance.now() - started) / 1000;
  for (;;) {
    const running = await context.store.countUnfinishedJobs(userId);
    if (running === 0) return { idle: true, running, waitedSeconds: waited() };
    const left = options.timeoutMs - (performance.now() - started);
    if (left <= 0 || options.signal.aborted) return { idle: false, running, waitedSeconds: waited() };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(options.pollMs, left));
      function done() {
        clearTimeout(timer);
        options.signal.removeEventListener("abort", done);
        resolve();
      }
      options.signal.addEventListener("abort", done, { once: true });
    });
  }
}

/** One look at a user's tasks while watching them: still running, idle at last, or given up on. */
export interface WatchTick {
  state: "running" | "idle" | "timeout";
  /** The user's tasks still waiting or in progress. */
  active: number;
  elapsedSeconds: number;
}

/**
 * Looks at a user's unfinished tasks every `pollMs` until there are none (an `idle` tick) or the
 * timeout passes (a `timeout` tick); each look before that is a `running` tick. Ends early, with no
 * further tick, when `signal` aborts (the client left).
 */
export async function* watchUntilIdle(
  context: MemoryContext,
  userId: string,
  options: { timeoutMs: number; pollMs: number; signal: AbortSignal },
): AsyncGenerator<WatchTick> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const seconds = () => Math.round(elapsed()) / 1000;
  for (;;) {
    const timedOut = elapsed() > options.timeoutMs;
    const active = await context.store.countUnfinishedJobs(userId);
    if (timedOut) {
      yield { state: "timeout", active, elapsedSeconds: seconds() };
      return;
    }
    yield { state: active === 0 ? "idle" : "running", active, elapsedSeconds: seconds() };
    if (active === 0 || options.signal.aborted) return;
    // Wake just after the timeout at the latest, so that the timeout tick comes when it is due.
    await pause(Math.min(options.pollMs, Math.max(0, options.timeoutMs - elapsed()) + 1), options.signal);
    if (options.signal.aborted) return;
  }
}

/** Waits `ms`, or less when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
