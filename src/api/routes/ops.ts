import type { Context } from "hono";
import type { MemoryContext } from "../../memory/context.js";
import type { Metrics } from "../../ops/metrics.js";
import type { ReadinessProbe } from "../../ops/readiness.js";
import type { JobRecord } from "../../store/types.js";
import { ApiError } from "../api-error.js";
import type { App, AppEnv } from "../app-env.js";
import { readOnlyRoute } from "../auth/read-only.js";
import { success } from "../schemas/envelope.js";
import { errorResponse } from "../errors.js";

export interface OpsDeps {
  context: MemoryContext;
  metrics: Metrics;
  readiness: ReadinessProbe;
}

/** Operator routes need an admin key (`*`) when the server has keys; open mode lets anyone on loopback in. */
export function requireAdmin(c: Context<AppEnv>): void {
  if (c.get("principal").kind === "user") throw new ApiError(403, "this route needs an admin API key");
}

const TASK_ID = /^[A-Za-z0-9_\-.:]{1,128}$/;
const MAX_LIST = 1000;

function jobView(job: JobRecord) {
  return {
    task_id: job.taskId,
    kind: job.kind,
    cube_id: job.cubeId,
    user_id: job.userId,
    attempts: job.attempts,
    error: job.lastError,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

function taskIdOf(c: Context<AppEnv>): string {
  const taskId = c.req.param("task_id") ?? "";
  if (!TASK_ID.test(taskId)) throw new ApiError(422, "task_id: expected 1-128 letters, digits or _ - . :");
  return taskId;
}

/** `GET /ready`, `GET /metrics` and the jobs admin routes. */
export function opsRoutes(app: App, deps: OpsDeps): void {
  const { context, metrics, readiness } = deps;

  app.get("/ready", async (c) => {
    const state = await readiness.check();
    if (state.ready) return c.json({ status: "ready" as const });
    if (state.detail) c.get("logger").warn({ reason: state.reason, detail: state.detail }, "not ready");
    return c.json({ status: "unavailable" as const, reason: state.reason }, 503);
  });

  app.get("/metrics", readOnlyRoute, async (c) => {
    requireAdmin(c);
    return c.body(await metrics.render(context.store, context.now()), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });

  app.get("/admin/jobs/parked", readOnlyRoute, async (c) => {
    requireAdmin(c);
    const raw = c.req.query("limit") ?? "100";
    const limit = Number(raw);
    if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_LIST) return errorResponse(c, 422, `limit: expected a whole number from 1 to ${MAX_LIST}`);
    const jobs = await context.store.listParkedJobs(limit);
    return c.json(success(jobs.map(jobView)));
  });

  app.post("/admin/jobs/:task_id/retry", async (c) => {
    requireAdmin(c);
    const taskId = taskIdOf(c);
    if (!(await context.store.retryParkedJob(taskId, context.now().toISOString()))) {
      return errorResponse(c, 404, `no parked job with task_id '${taskId}'`);
    }
    context.fine?.jobs.wake();
    return c.json(success({ task_id: taskId, status: "queued" }, "Job queued again"));
  });

  app.delete("/admin/jobs/:task_id", async (c) => {
    requireAdmin(c);
    const taskId = taskIdOf(c);
    if (!(await context.store.dropParkedJob(taskId))) return errorResponse(c, 404, `no parked job with task_id '${taskId}'`);
    return c.json(success({ task_id: taskId, dropped: true }, "Job dropped"));
  });
}
