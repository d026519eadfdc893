import { parseArgs } from "node:util";
import type { Store } from "../store/store.js";
import type { CliIO } from "./remote.js";
import { UsageError } from "./remote.js";

export const JOBS_USAGE = "usage: memcube jobs list [--limit N] [--json] | jobs retry <task_id> | jobs drop <task_id>";

/**
 * `memcube jobs list|retry|drop`: parked jobs (failed for good), straight in the configured store,
 * which may be serving meanwhile. A retried job is queued due now; runners pick it up at their next poll.
 */
export async function jobsCommand(args: string[], io: Pick<CliIO, "stdout">, openStore: () => Promise<Store>): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { limit: { type: "string" }, json: { type: "boolean" } },
  });
  if (action !== "list" && action !== "retry" && action !== "drop") throw new UsageError(JOBS_USAGE);
  if (action === "list" ? positionals.length > 0 : positionals.length !== 1) throw new UsageError(JOBS_USAGE);
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError("--limit: expected a whole number from 1 to 10000");
  const store = await openStore();
  try {
    if (action === "list") {
      const jobs = await store.listParkedJobs(limit);
      for (const job of jobs) {
        const line = values.json
          ? JSON.stringify({
              task_id: job.taskId,
              kind: job.kind,
              cube_id: job.cubeId,
              user_id: job.userId,
              attempts: job.attempts,
              error: job.lastError,
              updated_at: job.updatedAt,
            })
          : `${job.taskId}  ${job.updatedAt}  cube ${job.cubeId}  user ${job.userId}  attempts ${job.attempts}  ${job.lastError ?? ""}`;
        io.stdout.write(`${line}\n`);
      }
      if (!values.json && jobs.length === 0) io.stdout.write("no parked jobs\n");
      return;
    }
    const taskId = positionals[0] as string;
    const done = action === "retry" ? await store.retryParkedJob(taskId, new Date().toISOString()) : await store.dropParkedJob(taskId);
    if (!done) throw new Error(`no parked job with task_id '${taskId}'`);
    io.stdout.write(action === "retry" ? `queued again: ${taskId}\n` : `dropped: ${taskId}\n`);
  } finally {
    await store.close();
  }
}
