import { z } from "zod";
import { Id, Label } from "./common.js";

/** Query values arrive as strings; an empty one counts as left out. */
const queryNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (value) => (value === undefined || value === "" ? undefined : Number(value)),
    z.number({ error: "expected a number" }).min(min).max(max).default(fallback),
  );

export const schedulerStatusQuery = z.object({
  user_id: Id,
  task_id: Label.optional().describe("One task (a task_id from /product/add); without it, the user's latest tasks"),
});

export const schedulerWaitQuery = z.object({
  user_name: Id.describe("The user whose tasks to wait for (MemOS calls it user_name)"),
  timeout_seconds: queryNumber(0, 3600, 120),
  poll_interval: queryNumber(0.01, 60, 0.5),
});

export const TaskItem = z
  .object({
    task_id: z.string(),
    status: z.enum(["waiting", "in_progress", "completed", "failed"]),
    error: z.string().optional().describe("Failed tasks: why extraction was given up (the raw memories stay)"),
  })
  .meta({ id: "SchedulerTask" });

export const WaitData = z
  .object({
    running_tasks: z.number().int().describe("The user's tasks still waiting or in progress"),
    waited_seconds: z.number(),
    timed_out: z.boolean(),
    user_name: z.string(),
  })
  .meta({ id: "SchedulerWait" });
