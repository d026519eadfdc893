import { z } from "zod";

/** The job kind of feedback: the extraction model turns it into changes of the memories concerned. */
export const FEEDBACK_JOB = "feedback";

/** One message of the conversation the feedback is about, as text. */
export const FeedbackTurn = z.object({ role: z.enum(["user", "assistant", "system"]), content: z.string() });
export type FeedbackTurn = z.infer<typeof FeedbackTurn>;

/** What /product/feedback queues, one job per cube (the store adds empty `messageIds` and `memoryIds`). */
export const FeedbackPayload = z.object({
  sessionId: z.string(),
  feedback: z.string(),
  /** When the feedback was given (ISO 8601): the time a corrected memory speaks of. */
  feedbackTime: z.string(),
  history: z.array(FeedbackTurn).default([]),
  /** The memories the answer used, as the client says; only those of the job's cube are read. */
  retrievedMemoryIds: z.array(z.string()).default([]),
  /** Also write the corrected answer to the user's last question. */
  correctedAnswer: z.boolean().default(false),
  info: z.record(z.string(), z.unknown()).default({}),
  /** The client's `task_id` (MemOS's scheduler reports it). */
  clientTaskId: z.string().optional(),
});
export type FeedbackPayload = z.infer<typeof FeedbackPayload>;

/** What a feedback job did, stored as its result and answered by a synchronous feedback (MemOS's record, plus deletions). */
export const FeedbackRecord = z.object({
  add: z.array(z.object({ id: z.string(), text: z.string(), source_doc_id: z.null() })),
  update: z.array(z.object({ id: z.string(), text: z.string(), source_doc_id: z.null(), archived_id: z.string(), origin_memory: z.string() })),
  delete: z.array(z.object({ id: z.string(), text: z.string() })),
});
export type FeedbackRecord = z.infer<typeof FeedbackRecord>;

export const FeedbackResult = z.object({ record: FeedbackRecord, answer: z.string().default("") });
export type FeedbackResult = z.infer<typeof FeedbackResult>;

export const emptyRecord = (): FeedbackRecord => ({ add: [], update: [], delete: [] });
