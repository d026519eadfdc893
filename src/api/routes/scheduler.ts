import { z } from "zod";
import type { MemoryContext } from "../../memory/context.js";
import { taskStatuses, waitForIdle } from "../../memory/jobs/scheduler.js";
import type { App } from "../app-env.js";
import { queryJson } from "../route.js";
import { TaskItem, WaitData, schedulerStatusQuery, schedulerWaitQuery } from "../schemas/scheduler.js";

/** MemOS's scheduler routes, as its clients call them: the state of fine-mode extraction tasks. */
export function schedulerRoutes(app: App, context: MemoryContext): void {
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
}
