import { z } from "zod";
import type { Limits } from "../../config/index.js";
import { Id, IdList, JsonObject, Label, actingUserId, text } from "./common.js";
import { historyMessage } from "./chat.js";

/** MemOS's session rule: an empty session_id is the default session. */
const SessionId = z.preprocess((value) => (value === "" ? undefined : value), Label.default("default_session"));

export const feedbackRequest = (limits: Limits) =>
  z
    .object({
      user_id: actingUserId("The acting user, who must be able to write every cube named"),
      writable_cube_ids: IdList.optional().describe("The cubes whose memories the feedback may change; default [user_id]"),
      mem_cube_id: Id.optional().describe("Accepted and not used, as in MemOS (name the cube in writable_cube_ids)"),
      session_id: SessionId,
      task_id: Label.optional().describe("The client's id for the work: /product/scheduler/status?task_id= reports it"),
      feedback_content: text(limits.charsPerMessage).optional().describe("The user's feedback on the last answer, in their words; blank changes nothing"),
      feedback_time: text(256).optional().describe("When the feedback was given (ISO 8601 or 'YYYY-MM-DD HH:MM:SS'); default now"),
      history: z
        .array(historyMessage)
        .max(10_000)
        .optional()
        .describe("The conversation the feedback is about, OpenAI style; its last 8 messages are shown to the model"),
      retrieved_memory_ids: z
        .array(Label)
        .max(1000)
        .optional()
        .describe("The memories the answer used; only those in the cubes named (which the user may write) are ever read or changed"),
      async_mode: z
        .enum(["async", "sync"])
        .default("async")
        .describe("async (default): answers once the work is queued, as a task; sync: answers with what was changed"),
      corrected_answer: z.boolean().default(false).describe("sync: also answer the last question again, corrected"),
      info: JsonObject.optional().describe("Kept with the memories the feedback adds"),
    })
    .meta({ id: "FeedbackRequest" });
/** A feedback request once its acting user is decided (src/api/route.ts writes it in). */
export type FeedbackBody = z.infer<ReturnType<typeof feedbackRequest>> & { user_id: string };

const FeedbackTask = z.object({
  task_id: z.string(),
  cube_id: z.string(),
  status: z.enum(["waiting", "in_progress", "completed", "failed"]),
  error: z.string().optional(),
});

/** sync: MemOS's `{answer, record: {add, update}}`, with memcube's `record.delete` and the tasks that did it. */
export const FeedbackOutcome = z
  .object({
    answer: z.string().describe("The corrected answer (corrected_answer: true), else empty"),
    record: z.object({
      add: z.array(z.object({ id: z.string(), text: z.string(), source_doc_id: z.null() })),
      update: z.array(
        z.object({
          id: z.string().describe("The new version's id"),
          text: z.string(),
          source_doc_id: z.null(),
          archived_id: z.string().describe("The version it replaced (archived: see its memory_history)"),
          origin_memory: z.string(),
        }),
      ),
      delete: z.array(z.object({ id: z.string(), text: z.string() })).describe("memcube only: the memories the feedback erased"),
    }),
    tasks: z.array(FeedbackTask).describe("memcube only: one task per cube; a task not completed yet is finished in the background"),
  })
  .meta({ id: "FeedbackOutcome" });

/** async: `[[]]`, as MemOS answers; sync: one outcome. */
export const FeedbackData = z.array(z.union([z.array(z.unknown()).max(0).describe("async: the work is queued"), FeedbackOutcome]));
