import { createRoute } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { MemoryContext } from "../../memory/context.js";
import { taskStatuses, waitForIdle, watchUntilIdle } from "../../memory/jobs/scheduler.js";
import { allTasksSummary, queueStatus, type TaskSummary } from "../../memory/jobs/summary.js";
import { admitActingUser, resolveActingUser } from "../acting-user.js";
import type { App } from "../app-env.js";
import { readOnlyRoute } from "../auth/read-only.js";
import { clientGone } from "../client-gone.js";
import { describeError } from "../errors.js";
import { errorResponses, queryJson } from "../route.js";
import {
  AllStatusData,
  TaskItem,
  TaskQueueData,
  WaitData,
  WaitStreamFrame,
  schedulerQueueQuery,
  schedulerStatusQuery,
  schedulerWaitQuery,
} from "../schemas/scheduler.js";
import { parseWith } from "../validation.js";

const summaryOf = (summary: TaskSummary) => ({
  waiting: summary.waiting,
  in_progress: summary.inProgress,
  pending: summary.pending,
  completed: summary.completed,
  failed: summary.failed,
  cancelled: summary.cancelled,
  total: summary.total,
});

/** MemOS's scheduler routes, as its clients call them: the state of fine-mode extraction tasks. */
export function schedulerRoutes(app: App, context: MemoryContext): void {
  /** Names this process in wait/stream frames, as MemOS names its instance. */
  const instanceId = crypto.randomUUID();

  queryJson(
    app,
    {
      method: "get",
      path: "/product/scheduler/status",
      readOnly: true,
      tag: "scheduler",
      summary: "The state of a user's extraction tasks (or of one task)",
      query: schedulerStatusQuery,
      actor: "user_id",
      data: z.array(TaskItem).describe("Newest first"),
      message: "Memory get status successfully",
    },
    async ({ query }) => {
      const tasks = await taskStatuses(context, query.user_id, query.task_id);
      return tasks.map((task) => ({ task_id: task.taskId, status: task.status, ...(task.error && { error: task.error }) }));
    },
  );

  queryJson(
    app,
    {
      method: "get",
      path: "/product/scheduler/allstatus",
      readOnly: true,
      caller: "admin",
      tag: "scheduler",
      summary: "Every user's tasks counted by state (with API keys: an admin key)",
      query: z.object({}),
      data: AllStatusData,
      message: "Scheduler status summary retrieved successfully",
    },
    async () => {
      const summary = summaryOf(await allTasksSummary(context));
      return { scheduler_summary: summary, all_tasks_summary: { ...summary } };
    },
  );

  queryJson(
    app,
    {
      method: "get",
      path: "/product/scheduler/task_queue_status",
      readOnly: true,
      tag: "scheduler",
      summary: "A user's task queues (one per cube and task kind) and what is left in them",
      description: "A user with no tasks gets empty lists and zero counts (MemOS: 404, or 503 without Redis).",
      query: schedulerQueueQuery,
      actor: "user_id",
      data: TaskQueueData,
      message: "Scheduler task queue status retrieved successfully",
    },
    async ({ query }) => {
      const status = await queueStatus(context, query.user_id);
      return {
        user_id: query.user_id,
        user_name: null,
        mem_cube_id: null,
        stream_keys: status.queues.map((queue) => queue.key),
        users_count: status.usersCount,
        pending_tasks_count: status.queues.reduce((sum, queue) => sum + queue.pending, 0),
        remaining_tasks_count: status.queues.reduce((sum, queue) => sum + queue.remaining, 0),
        pending_tasks_detail: status.queues.map((queue) => `${queue.key}:${queue.pending}`),
        remaining_tasks_detail: status.queues.map((queue) => `${queue.key}:${queue.remaining}`),
      };
    },
  );

  queryJson(
    app,
    {
      method: "post",
      path: "/product/scheduler/wait",
      readOnly: true,
      tag: "scheduler",
      summary: "Wait until none of a user's tasks is waiting or in progress (message: idle or timeout)",
      query: schedulerWaitQuery,
      actor: "user_name",
      data: WaitData,
      message: (data) => (data.timed_out ? "timeout" : "idle"),
    },
    async ({ query }, c) => {
      const result = await waitForIdle(context, query.user_name, {
        timeoutMs: query.timeout_seconds * 1000,
        pollMs: query.poll_interval * 1000,
        signal: c.req.raw.signal,
      });
      return { running_tasks: result.running, waited_seconds: result.waitedSeconds, timed_out: !result.idle, user_name: query.user_name };
    },
  );

  app.openAPIRegistry.registerPath(
    createRoute({
      method: "get",
      path: "/product/scheduler/wait/stream",
      tags: ["scheduler"],
      summary: "The same wait, streamed: one frame per poll, ending with an idle or a timeout frame",
      description: "Frames, each `data: <json>\\n\\n`: `{status: running|idle, active_tasks, …}` per poll, or a last `{status: timeout, timed_out: true, …}`.",
      request: { query: schedulerWaitQuery },
      responses: {
        200: { description: "An event stream", content: { "text/event-stream": { schema: WaitStreamFrame } } },
        ...errorResponses(),
      },
    }),
  );
  app.get("/product/scheduler/wait/stream", readOnlyRoute, async (c) => {
    const query = parseWith(schedulerWaitQuery, Object.fromEntries(new URL(c.req.url).searchParams), "query");
    const user_name = await resolveActingUser(c, { field: "user_name", given: query.user_name, source: "query" });
    admitActingUser(c, user_name);
    const controller = clientGone(c);
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => controller.abort());
      const send = (frame: WaitStreamFrame) => stream.writeSSE({ data: JSON.stringify(frame) });
      try {
        const ticks = watchUntilIdle(context, user_name, {
          timeoutMs: query.timeout_seconds * 1000,
          pollMs: query.poll_interval * 1000,
          signal: controller.signal,
        });
        for await (const tick of ticks) {
          const base = { user_name, active_tasks: tick.active, elapsed_seconds: tick.elapsedSeconds, instance_id: instanceId };
          await send(tick.state === "timeout" ? { ...base, status: "timeout", timed_out: true } : { ...base, status: tick.state });
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        await send({ status: "error", detail: "stream_failed", exception: describeError(error, c), user_name });
      }
    });
  });
}
