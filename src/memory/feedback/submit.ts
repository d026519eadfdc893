import { CubeWriteRefused } from "../../store/store.js";
import type { NewJob } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { checkWritable } from "../cubes.js";
import { DomainError, cubeForbidden } from "../errors.js";
import { viewOf, type TaskView } from "../jobs/scheduler.js";
import { FEEDBACK_JOB, FeedbackResult, emptyRecord, type FeedbackPayload, type FeedbackTurn } from "./payload.js";

export interface FeedbackRequest {
  userId: string;
  cubeIds: readonly string[];
  sessionId: string;
  /** The user's feedback on the last answer; blank changes nothing (as in MemOS). */
  feedback: string;
  /** ISO 8601; absent means now. */
  feedbackTime?: string;
  history: readonly FeedbackTurn[];
  retrievedMemoryIds: readonly string[];
  /** "async" (MemOS's default) answers once the work is queued; "sync" once it is done. */
  asyncMode: "async" | "sync";
  correctedAnswer: boolean;
  info?: Record<string, unknown>;
  clientTaskId?: string;
}

/** One cube's feedback task and, when it has finished, what it did. */
export interface FeedbackTask extends TaskView {
  cubeId: string;
  result?: FeedbackResult;
}

/** How long a synchronous feedback waits for its tasks (then it answers with what is still running). */
const SYNC_WAIT_MS = 180_000;
/** A synchronous feedback's jobs are the request's to run; background runners take them only after this (a crashed request). */
const SYNC_RESERVATION_MS = 60_000;

export const NO_FEEDBACK_MODEL =
  "feedback needs an extraction model, and this server has none: set MEMRADER_API_BASE, MEMRADER_API_KEY and MEMRADER_MODEL, or MEMCUBE_EXTRACT_MODEL to a CHAT_MODEL_LIST name";

/** Whether this server can take feedback (an extraction model is configured). */
export const takesFeedback = (context: MemoryContext): boolean => context.fine !== undefined;

/**
 * Feedback on the last answer: one durable job per cube (written, with the check that the user
 * may write the cube, in one transaction), which the extraction model turns into updates,
 * deletions and additions of that cube's memories (see apply.ts). "sync" runs the jobs in the
 * request and answers with what they did. Without an extraction model: 503 (unavailable).
 */
export async function submitFeedback(context: MemoryContext, request: FeedbackRequest): Promise<FeedbackTask[]> {
  const fine = context.fine;
  if (!fine) throw new DomainError("unavailable", NO_FEEDBACK_MODEL);
  await checkWritable(context, request.userId, request.cubeIds);
  // Nothing said, nothing to do (MemOS answers an empty record too); the cubes were still checked.
  if (request.feedback.trim() === "") return [];
  const now = context.now().toISOString();
  const sync = request.asyncMode === "sync";
  const payload: FeedbackPayload = {
    sessionId: request.sessionId,
    feedback: request.feedback,
    feedbackTime: request.feedbackTime ?? now,
    history: [...request.history],
    retrievedMemoryIds: [...new Set(request.retrievedMemoryIds)],
    correctedAnswer: request.correctedAnswer,
    info: request.info ?? {},
    ...(request.clientTaskId !== undefined && { clientTaskId: request.clientTaskId }),
  };
  const runAfter = sync ? new Date(Date.parse(now) + SYNC_RESERVATION_MS).toISOString() : now;
  const jobs: NewJob[] = request.cubeIds.map((cubeId) => ({
    taskId: crypto.randomUUID(),
    kind: FEEDBACK_JOB,
    cubeId,
    userId: request.userId,
    messageIds: [],
    payload,
    runAfter,
  }));
  try {
    await context.store.addConversation({ userId: request.userId, now, entries: [], jobs });
  } catch (error) {
    if (error instanceof CubeWriteRefused) throw cubeForbidden(request.userId, error.cubeId, "write");
    throw error;
  }
  if (sync)
    await fine.jobs.settle(
      jobs.map((job) => job.taskId),
      Date.now() + SYNC_WAIT_MS,
    );
  else fine.jobs.wake();
  const tasks: FeedbackTask[] = [];
  for (const job of jobs) {
    const stored = await context.store.getJob(job.taskId);
    if (!stored) continue; // its cube was deleted meanwhile
    const result = stored.status === "done" ? FeedbackResult.safeParse(stored.result) : undefined;
    tasks.push({ ...viewOf(stored), cubeId: job.cubeId, ...(result?.success && { result: result.data }) });
  }
  return tasks;
}

/** What several cubes' feedback did, as one record (MemOS answers one record per request). */
export function mergedResult(tasks: readonly FeedbackTask[]): FeedbackResult {
  const record = emptyRecord();
  let answer = "";
  for (const task of tasks) {
    if (!task.result) continue;
    record.add.push(...task.result.record.add);
    record.update.push(...task.result.record.update);
    record.delete.push(...task.result.record.delete);
    answer ||= task.result.answer;
  }
  return { record, answer };
}
