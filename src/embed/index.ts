import type { EmbedderConfig } from "../config/index.js";
import type { EmbedOptions, Embedder } from "./embedder.js";
import { createLocalEmbedder } from "./local.js";
import { createOnnxEmbedder } from "./onnx/onnx-embedder.js";
import { createOpenAIEmbedder } from "./openai.js";
import { planWorkers, type WorkerPlan } from "./worker-count.js";

export type { EmbedOptions, Embedder } from "./embedder.js";
export { isMostlyLatin } from "./script.js";
export type { WorkerPlan } from "./worker-count.js";

const plans = new WeakMap<Embedder, WorkerPlan>();

/** The encoder threads the bundled embedder was given, and the cores they were chosen from (other backends: undefined). */
export function workerPlanOf(embedder: Embedder): WorkerPlan | undefined {
  return plans.get(embedder);
}

/**
 * The configured embedder, ready to use: the local model is loaded, a remote endpoint has answered
 * a probe (so `dimension` is known). Fails with a clear message when that is not possible.
 */
export async function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  switch (config.backend) {
    case "local": {
      const plan = planWorkers({ workers: config.workers ?? "auto", burstWorkers: config.burstWorkers ?? "auto", processes: config.processes ?? 1 });
      const embedder = await createLocalEmbedder({ workers: plan.workers, burstWorkers: plan.burstWorkers });
      plans.set(embedder, plan);
      return embedder;
    }
    case "onnx":
      return createOnnxEmbedder(config);
    case "universal_api":
      return createOpenAIEmbedder(config);
  }
}

/** Search queries' vectors: `embedQueries` where the model has one, `embed` otherwise. */
export function embedQueries(embedder: Embedder, texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
  return embedder.embedQueries ? embedder.embedQueries(texts, options) : embedder.embed(texts, options);
}
