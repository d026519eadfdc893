import type { Logger } from "pino";
import type { Config } from "../../config/index.js";
import type { ChatModel } from "../../llm/chat-model.js";
import { OpenAIChatModel, createOpenAIClient } from "../../llm/openai-chat.js";
import type { MemoryContext } from "../context.js";
import { EXTRACT_JOB } from "../extract/job-payload.js";
import { runExtraction } from "../extract/refine.js";
import { runFeedback } from "../feedback/apply.js";
import { FEEDBACK_JOB } from "../feedback/payload.js";
import { JobRunner, type JobHandler } from "./runner.js";

/**
 * Turns fine mode on when an extraction model is configured: the context gets the model and the
 * job runner (not started: the server starts it once it listens). Undefined when fine mode is off;
 * jobs queued earlier then wait in the store until a server with an extraction model runs them.
 */
export function enableFineMode(
  context: MemoryContext,
  config: Config,
  logger: Logger,
  /** Wraps the extraction model (metrics). */
  wrap: (model: ChatModel) => ChatModel = (model) => model,
): JobRunner | undefined {
  if (!config.extraction) return undefined;
  const { entry, model: name } = config.extraction;
  // The job queue retries with its own backoff: the client's quick retries would only stack on top.
  const model = wrap(new OpenAIChatModel(entry, name, createOpenAIClient(entry), { retry: { maxRetries: 0 } }));
  const handlers = new Map<string, JobHandler>([
    [EXTRACT_JOB, (job, claim, signal) => runExtraction(context, model, job, claim, signal)],
    [FEEDBACK_JOB, (job, claim, signal) => runFeedback(context, model, job, claim, signal)],
  ]);
  const runner = new JobRunner(context.store, config.jobs, handlers, logger.child({ component: "jobs" }), context.now);
  context.fine = { model, jobs: runner };
  return runner;
}
