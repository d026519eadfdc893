import { cpus } from "node:os";
import type { EmbedderConfig } from "../config/index.js";
import type { EmbedOptions, Embedder } from "./embedder.js";
import { createLocalEmbedder } from "./local.js";
import { createOnnxEmbedder } from "./onnx/onnx-embedder.js";
import { createOpenAIEmbedder } from "./openai.js";
import { idleCoresGauge } from "./idle-cores.js";
import { planWorkers, type WorkerPlan } from "./worker-count.js";

export type { EmbedOptions, Embedder } from "./embedder.js";
export { isMostlyLatin } from "./script.js";
export type { WorkerPlan } from "./worker-count.js";

const plans = new WeakMap<Embedder, WorkerPlan>();

/** Idle cores, over the last half second or more, that let a burst encoder thread start. */
const MIN_IDLE_CORES_FOR_BURST = 0.75;

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
      const idleCores = idleCoresGauge(cpus().length); // /proc/stat counts every core of the machine
      const embedder = await createLocalEmbedder({
        workers: plan.workers,
        burstWorkers: plan.burstWorkers,
        // A burst thread only gets a core of its own when one is idle; otherwise it slows the import.
        ...(plan.burstWhenIdle ? { burstAllowed: () => (idleCores() ?? 0) >= MIN_IDLE_CORES_FOR_BURST } : {}),
      });
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
