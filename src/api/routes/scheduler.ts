import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { MemoryContext } from "../../memory/context.js";
import { taskStatuses, waitForIdle } from "../../memory/jobs/scheduler.js";
import type { App } from "../app-env.js";
import { envelope, success } from "../envelope.js";
import { errorResponses } from "../route.js";
import { TaskItem, WaitData, schedulerStatusQuery, schedulerWaitQuery } from "../schemas/scheduler.js";
import { parseWith } from "../validation.js";

/** The query string as an object (first value of each name). */
const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

/** MemOS's scheduler routes, as its clients call them: the state of fine-mode extraction tasks. */
export function schedulerRoutes(app: App, context: MemoryContext): void {
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "get",
      path: "/product/scheduler/status",
      tags: ["scheduler"],
      summary: "The state of a user's extraction tasks (or of one task)",
      request: { query: schedulerStatusQuery },
      responses: {
        200: { description: "Newest first", content: { "application/json": { schema: envelope(z.array(TaskItem)) } } },
        ...errorResponses(),
      },
    }),
  );
  app.get("/product/scheduler/status", async (c) => {
    const query = parseWith(schedulerStatusQuery, queryOf(c.req.url), "query");
    const tasks = await taskStatuses(context, query.user_id, query.task_id);
    return c.json(success(tasks.map((task) => ({ task_id: task.taskId, status: task.status, ...(task.error && { error: task.error }) }))));
  });

  app.openAPIRegistry.registerPath(
    createRoute({
      method: "post",
      path: "/product/scheduler/wait",
      tags: ["scheduler"],
      summary: "Wait until none of a user's tasks is waiting or in progress (message: idle or timeout)",
      request: { query: schedulerWaitQuery },
      responses: {
        200: { description: "Idle, or the timeout passed", content: { "application/json": { schema: envelope(WaitData) } } },
        ...errorResponses(),
      },
    }),
  );
  app.post("/product/scheduler/wait", async (c) => {
    const query = parseWith(schedulerWaitQuery, queryOf(c.req.url), "query");
    const result = await waitForIdle(context, query.user_name, {
      timeoutMs: query.timeout_seconds * 1000,
      pollMs: query.poll_interval * 1000,
      signal: c.req.raw.signal,
    });
    return c.json(
      success(
        { running_tasks: result.running, waited_seconds: result.waitedSeconds, timed_out: !result.idle, user_name: query.user_name },
        result.idle ? "idle" : "timeout",
      ),
    );
  });
}
