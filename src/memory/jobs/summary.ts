import type { JobCount } from "../../store/types.js";
import type { MemoryContext } from "../context.js";

/** Task counts in MemOS's terms (`pending` is its other word for waiting; nothing is ever cancelled here). */
export interface TaskSummary {
  waiting: number;
  inProgress: number;
  pending: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

function summarize(counts: readonly JobCount[]): TaskSummary {
  const of = (status: JobCount["status"]) => counts.filter((row) => row.status === status).reduce((sum, row) => sum + row.count, 0);
  const waiting = of("queued");
  const inProgress = of("running");
  const completed = of("done");
  const failed = of("parked");
  return { waiting, inProgress, pending: waiting, completed, failed, cancelled: 0, total: waiting + inProgress + completed + failed };
}

/** Every user's tasks counted by state (finished ones until they are pruned). */
export async function allTasksSummary(context: MemoryContext): Promise<TaskSummary> {
  return summarize(await context.store.countJobs());
}

/** One queue of a user's work: the jobs of one kind in one cube (MemOS keeps one stream per such pair). */
export interface TaskQueue {
  /** `memcube:<user>:<cube>:<kind>`, in the shape of MemOS's stream keys. */
  key: string;
  /** Claimed by a runner and not finished yet. */
  pending: number;
  /** Not finished yet: waiting or in progress. */
  remaining: number;
}

export interface QueueStatus {
  queues: TaskQueue[];
  /** Users with any task kept (finished ones until they are pruned). */
  usersCount: number;
}

/**
 * The queues of a user's tasks, one per cube and kind they have tasks in, with what is still to
 * do. A user sees only the tasks they started (as in `taskStatuses`); the user count is a number only.
 */
export async function queueStatus(context: MemoryContext, userId: string): Promise<QueueStatus> {
  const everyone = await context.store.countJobs();
  const queues = new Map<string, TaskQueue>();
  for (const row of everyone.filter((entry) => entry.userId === userId)) {
    const key = `memcube:${row.userId}:${row.cubeId}:${row.kind}`;
    const queue = queues.get(key) ?? { key, pending: 0, remaining: 0 };
    if (row.status === "running") queue.pending += row.count;
    if (row.status === "running" || row.status === "queued") queue.remaining += row.count;
    queues.set(key, queue);
  }
  return { queues: [...queues.values()], usersCount: new Set(everyone.map((row) => row.userId)).size };
}
