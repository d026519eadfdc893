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
 * Builds this process's job runner (not started: the server starts it once it listens) with the
 * handlers given (document jobs), and turns fine mode on when an extraction model is configured:
 * the context then gets the model and the runner runs extraction jobs too. Without an extraction
 * model, extraction jobs queued earlier wait in the store until a server with one runs them.
 */
export function enableFineMode(
  context: MemoryContext,
  config: Config,
  logger: Logger,
  /** Wraps the extraction model (metrics). */
  wrap: (model: ChatModel) => ChatModel = (model) => model,
  otherHandlers: ReadonlyMap<string, JobHandler> = new Map(),
): JobRunner | undefined {
  const handlers = new Map(otherHandlers);
  let model: ChatModel | undefined;
  if (config.extraction) {
    const { entry, model: name } = config.extraction;
    // The job queue retries with its own backoff: the client's quick retries would only stack on top.
    const extraction = wrap(new OpenAIChatModel(entry, name, createOpenAIClient(entry), { retry: { maxRetries: 0 } }));
    handlers.set(EXTRACT_JOB, (job, claim, signal) => runExtraction(context, extraction, job, claim, signal));
    handlers.set(FEEDBACK_JOB, (job, claim, signal) => runFeedback(context, extraction, job, claim, signal));
    model = extraction;
  }
  if (handlers.size === 0) return undefined;
  const runner = new JobRunner(context.store, config.jobs, handlers, logger.child({ component: "jobs" }), context.now);
  if (model) context.fine = { model, jobs: runner };
  return runner;
}
