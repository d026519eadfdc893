/** What a MemOS feedback request (or an add with is_feedback) becomes, and what memcube answers to it. */
import type { Context } from "hono";
import type { z } from "zod";
import type { MemoryContext } from "../memory/context.js";
import { mergedResult, takesFeedback, type FeedbackRequest, type FeedbackTask } from "../memory/feedback/submit.js";
import type { FeedbackTurn } from "../memory/feedback/payload.js";
import { parseChatTime } from "../memory/time.js";
import type { AppEnv } from "./app-env.js";
import { messageText } from "./add-messages.js";
import { addNotice } from "./notice.js";
import type { FeedbackData, FeedbackBody } from "./schemas/feedback.js";
import type { AddBody } from "./schemas/memory.js";
import type { MessageItem } from "./schemas/messages.js";

export const FEEDBACK_MESSAGE = "Memory feedback successfully";

/** A history message as the feedback prompt shows it: a tool's part reads as the assistant's. */
export function feedbackTurn(message: MessageItem): FeedbackTurn {
  const content = messageText(message);
  if (message.role === "tool") return { role: "assistant", content: `[tool result] ${content}` };
  return { role: message.role === "assistant" || message.role === "system" ? message.role : "user", content };
}

/** The domain request of a feedback body (also what an add with is_feedback becomes). */
export function toFeedbackRequest(
  body: Pick<FeedbackBody, "user_id" | "session_id" | "task_id" | "feedback_content" | "feedback_time" | "async_mode" | "corrected_answer" | "info"> & {
    history: readonly MessageItem[];
    retrievedMemoryIds: readonly string[];
    cubeIds: readonly string[];
  },
): FeedbackRequest {
  const feedbackTime = body.feedback_time === undefined ? undefined : parseChatTime(body.feedback_time);
  return {
    userId: body.user_id,
    cubeIds: body.cubeIds,
    sessionId: body.session_id,
    feedback: body.feedback_content ?? "",
    ...(feedbackTime !== undefined && { feedbackTime }),
    history: body.history.map(feedbackTurn).filter((turn) => turn.content.trim() !== ""),
    retrievedMemoryIds: body.retrievedMemoryIds,
    asyncMode: body.async_mode,
    correctedAnswer: body.corrected_answer,
    ...(body.info !== undefined && { info: body.info }),
    ...(body.task_id !== undefined && { clientTaskId: body.task_id }),
  };
}

/** MemOS's answer: `[[]]` for async, one `{answer, record}` for sync (here with the tasks beside it). */
export function feedbackData(c: Context<AppEnv>, request: FeedbackRequest, tasks: readonly FeedbackTask[]): z.infer<typeof FeedbackData> {
  if (request.asyncMode === "async") return [[]];
  const unfinished = tasks.filter((task) => task.status !== "completed");
  if (unfinished.length > 0) {
    addNotice(
      c,
      `feedback not applied yet in ${unfinished.map((task) => `'${task.cubeId}' (${task.status}${task.error ? `: ${task.error}` : ""})`).join(", ")}`,
    );
  }
  const { record, answer } = mergedResult(tasks);
  return [
    {
      answer,
      record,
      tasks: tasks.map((task) => ({ task_id: task.taskId, cube_id: task.cubeId, status: task.status, ...(task.error !== undefined && { error: task.error }) })),
    },
  ];
}

/**
 * An add with `is_feedback: true`, as MemOS reads it: the last user message of chat_history +
 * messages is the feedback, what comes before it the history. Undefined when it cannot be feedback
 * (no extraction model, messages that are not chat messages, no user message): then it is a normal add.
 */
export function feedbackOfAdd(context: MemoryContext, body: AddBody & { user_id: string }, cubeIds: readonly string[]): FeedbackRequest | undefined {
  if (!body.is_feedback || !takesFeedback(context) || !Array.isArray(body.messages)) return undefined;
  if (body.messages.some((message) => message.role === undefined)) return undefined;
  const conversation = [...(body.chat_history ?? []), ...body.messages];
  const last = conversation.findLastIndex((message) => message.role === "user");
  const feedback = conversation[last];
  if (!feedback) return undefined;
  return toFeedbackRequest({
    ...body,
    feedback_content: messageText(feedback),
    ...(feedback.chat_time !== undefined && { feedback_time: feedback.chat_time }),
    corrected_answer: false,
    history: conversation.slice(0, last),
    retrievedMemoryIds: [],
    cubeIds,
  });
}
