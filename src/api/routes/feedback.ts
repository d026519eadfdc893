import type { Limits } from "../../config/index.js";
import type { MemoryContext } from "../../memory/context.js";
import { submitFeedback } from "../../memory/feedback/submit.js";
import type { App } from "../app-env.js";
import { FEEDBACK_MESSAGE, feedbackData, toFeedbackRequest } from "../feedback-request.js";
import { postJson } from "../route.js";
import { FeedbackData, feedbackRequest } from "../schemas/feedback.js";
import { cubesOf } from "./memory.js";

/** MemOS's `POST /product/feedback`: natural-language feedback on the last answer, applied to the memories concerned. */
export function feedbackRoutes(app: App, context: MemoryContext, limits: Limits): void {
  postJson(
    app,
    limits,
    {
      path: "/product/feedback",
      actor: "user_id",
      tag: "memory",
      summary: "Feedback on the last answer: the extraction model updates or deletes the memories concerned (async: a task; sync: the changes)",
      body: feedbackRequest(limits),
      data: FeedbackData,
      message: FEEDBACK_MESSAGE,
    },
    async (body, c) => {
      const request = toFeedbackRequest({
        ...body,
        history: body.history ?? [],
        retrievedMemoryIds: body.retrieved_memory_ids ?? [],
        // As MemOS: writable_cube_ids, else the user's own cube (mem_cube_id is not used).
        cubeIds: cubesOf(body.writable_cube_ids, undefined, body.user_id),
      });
      const tasks = await submitFeedback(context, request);
      return feedbackData(c, request, tasks);
    },
  );
}
