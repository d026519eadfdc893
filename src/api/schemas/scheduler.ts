import { z } from "zod";
import { Label, actingUserId } from "./common.js";

/** Query values arrive as strings; an empty one counts as left out. */
const queryNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (value) => (value === undefined || value === "" ? undefined : Number(value)),
    z.number({ error: "expected a number" }).min(min).max(max).default(fallback),
  );

export const schedulerStatusQuery = z.object({
  user_id: actingUserId(),
  task_id: Label.optional().describe("One task (a task_id from /product/add); without it, the user's latest tasks"),
});

export const schedulerWaitQuery = z.object({
  user_name: actingUserId("The user whose tasks to wait for (MemOS calls it user_name)"),
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

export const schedulerQueueQuery = z.object({ user_id: actingUserId() });

const TaskSummary = z
  .object({
    waiting: z.number().int(),
    in_progress: z.number().int(),
    pending: z.number().int().describe("MemOS's other word for waiting: the same count"),
    completed: z.number().int().describe("Finished tasks, until they are pruned"),
    failed: z.number().int().describe("Tasks given up on (parked)"),
    cancelled: z.number().int().describe("Always 0: memcube does not cancel tasks"),
    total: z.number().int(),
  })
  .meta({ id: "SchedulerTaskSummary" });

export const AllStatusData = z
  .object({
    scheduler_summary: TaskSummary.describe("The task queue (memcube has one: the same counts)"),
    all_tasks_summary: TaskSummary.describe("Every user's tasks"),
  })
  .meta({ id: "SchedulerAllStatus" });

export const TaskQueueData = z
  .object({
    user_id: z.string(),
    user_name: z.null(),
    mem_cube_id: z.null(),
    stream_keys: z.array(z.string()).describe("One queue per cube and task kind the user has tasks in: memcube:<user>:<cube>:<kind>"),
    users_count: z.number().int().describe("Users with any task kept"),
    pending_tasks_count: z.number().int().describe("The user's tasks a runner is working on"),
    remaining_tasks_count: z.number().int().describe("The user's tasks not finished (waiting or in progress)"),
    pending_tasks_detail: z.array(z.string()).describe("`<stream key>:<count>` per queue"),
    remaining_tasks_detail: z.array(z.string()).describe("`<stream key>:<count>` per queue"),
  })
  .meta({ id: "SchedulerTaskQueue" });

/** The frames of /product/scheduler/wait/stream, each `data: <json>\n\n`; the stream ends after idle or timeout. */
export const WaitStreamFrame = z
  .union([
    z.object({
      user_name: z.string(),
      active_tasks: z.number().int(),
      elapsed_seconds: z.number(),
      status: z.enum(["running", "idle"]),
      instance_id: z.string().describe("This server process (random per start)"),
    }),
    z.object({
      user_name: z.string(),
      active_tasks: z.number().int(),
      elapsed_seconds: z.number(),
      status: z.literal("timeout"),
      timed_out: z.literal(true),
      instance_id: z.string(),
    }),
    z.object({ status: z.literal("error"), detail: z.literal("stream_failed"), exception: z.string(), user_name: z.string() }),
  ])
  .meta({ id: "SchedulerWaitFrame" });
export type WaitStreamFrame = z.infer<typeof WaitStreamFrame>;
