import { z } from "zod";

/** The job kind of fine-mode extraction. */
export const EXTRACT_JOB = "extract";

/** What /product/add queues for a window of messages (the store adds `messageIds` and `memoryIds`). */
export const ExtractPayload = z.object({
  sessionId: z.string(),
  tags: z.array(z.string()).default([]),
  /** Jobs queued before info was stored once per cube carry it here; newer ones take it from their raw memories. */
  info: z.record(z.string(), z.unknown()).default({}),
  /** The client's `task_id` of the add that queued the job (MemOS's scheduler reports it). */
  clientTaskId: z.string().optional(),
  /** The window's messages, in the order they were sent. */
  messageIds: z.array(z.string()),
  /** The raw (fast) memory made from each message, same order: what refinement replaces. */
  memoryIds: z.array(z.string()),
});
export type ExtractPayload = z.infer<typeof ExtractPayload>;
