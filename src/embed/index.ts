import type { EmbedderConfig } from "../config/index.js";
import type { EmbedOptions, Embedder } from "./embedder.js";
import { createLocalEmbedder } from "./local.js";
import { createOnnxEmbedder } from "./onnx/onnx-embedder.js";
import { createOpenAIEmbedder } from "./openai.js";

export type { EmbedOptions, Embedder } from "./embedder.js";
export { isMostlyLatin } from "./script.js";

/**
 * The configured embedder, ready to use: the local model is loaded, a remote endpoint has answered
 * a probe (so `dimension` is known). Fails with a clear message when that is not possible.
 */
export async function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  switch (config.backend) {
    case "local":
      return createLocalEmbedder();
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
