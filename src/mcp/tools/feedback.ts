import { z } from "zod";
import type { FeedbackOutcome } from "../port.js";
import { ToolFailure } from "../port.js";
import { defineTool } from "../tool.js";
import { Message, MemoryId, Text, cubeId } from "./fields.js";

/** A memory's text on one line, quoted. */
const quoted = (text: string) => JSON.stringify(text.replace(/\s*\n\s*/g, " "));

/** The changes, one a line, as a model reads them: what it is now, its id, and what it replaced. */
function changeLines(outcome: FeedbackOutcome): string[] {
  return [
    ...outcome.updated.map((entry) => `- updated: ${quoted(entry.text)} (id ${entry.id}; was ${quoted(entry.replacedText)}, id ${entry.replacedId})`),
    ...outcome.deleted.map((entry) => `- deleted: ${quoted(entry.text)} (id ${entry.id})`),
    ...outcome.added.map((entry) => `- added: ${quoted(entry.text)} (id ${entry.id})`),
  ];
}

function summary(outcome: FeedbackOutcome): string {
  if (!outcome.applied) return "Feedback queued: the memories are corrected in the background (search again in a minute to see the result).";
  const changes = changeLines(outcome);
  const parts = [changes.length === 0 ? "Feedback applied: no memory needed changing." : `Feedback applied, ${changes.length} changed:\n${changes.join("\n")}`];
  for (const cube of outcome.unfinished) {
    parts.push(
      cube.status === "failed"
        ? `In cube ${cube.cubeId} it failed: ${cube.error ?? "no reason given"}.`
        : `In cube ${cube.cubeId} it is not finished yet (${cube.status}): it goes on in the background.`,
    );
  }
  if (outcome.answer !== "") parts.push(`Corrected answer: ${outcome.answer}`);
  return parts.join("\n");
}

export const feedbackTool = defineTool({
  name: "feedback",
  title: "Correct memories",
  description:
    "Correct what is remembered, in plain words: when the user says a memory or an answer built on it is wrong or out of date (e.g. 'No, I moved to " +
    "Turin last year', 'Forget that I have a cat'). memcube's model reads the feedback with the memories concerned and updates, deletes or adds " +
    "memories; the answer lists each change. Pass the ids of the memories your answer used, and the conversation, when you have them.",
  input: {
    feedback: Text("the feedback").describe("The user's correction, in their words."),
    cube_id: cubeId("The cube whose memories to correct."),
    retrieved_memory_ids: z
      .array(MemoryId)
      .max(1000)
      .optional()
      .describe("The memories the corrected answer used (ids from search_memory): the model looks at these first."),
    history: z
      .array(Message)
      .max(10_000)
      .optional()
      .describe("The conversation the feedback is about, oldest first; its last 8 messages are shown to the model."),
    corrected_answer: z
      .boolean()
      .optional()
      .describe("Also answer the user's last question (in history) again, corrected; the answer comes back with the changes (sync)."),
    async_mode: z
      .enum(["sync", "async"])
      .optional()
      .describe("sync (default): wait until the memories are corrected and list the changes; async: return at once, corrected in the background."),
  },
  // It may delete or rewrite memories; the same feedback twice may change them twice.
  effect: "destroy",
  idempotent: false,
  async run(args, port, signal) {
    const asyncMode = args.async_mode ?? "sync";
    const outcome = await port.feedback(
      {
        feedback: args.feedback,
        cubeId: args.cube_id,
        retrievedMemoryIds: args.retrieved_memory_ids,
        history: args.history,
        correctedAnswer: args.corrected_answer,
        asyncMode,
      },
      signal,
    );
    if (outcome.applied && outcome.unfinished.length > 0 && outcome.unfinished.every((cube) => cube.status === "failed")) {
      throw new ToolFailure(`feedback failed: ${outcome.unfinished.map((cube) => `${cube.error ?? "no reason given"} (cube ${cube.cubeId})`).join("; ")}`);
    }
    return {
      text: summary(outcome),
      structured: {
        status: outcome.applied ? "applied" : "queued",
        updated: outcome.updated.map((entry) => ({ id: entry.id, memory: entry.text, replaced_id: entry.replacedId, replaced_memory: entry.replacedText })),
        deleted: outcome.deleted.map((entry) => ({ id: entry.id, memory: entry.text })),
        added: outcome.added.map((entry) => ({ id: entry.id, memory: entry.text })),
        ...(outcome.answer !== "" && { corrected_answer: outcome.answer }),
        unfinished: outcome.unfinished.map((cube) => ({ cube_id: cube.cubeId, status: cube.status, ...(cube.error !== undefined && { error: cube.error }) })),
      },
    };
  },
});
