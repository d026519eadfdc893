import type { OnnxEmbedderConfig } from "../../config/index.js";
import type { Embedder } from "../embedder.js";

export async function createOnnxEmbedder(config: OnnxEmbedderConfig): Promise<Embedder> {
  throw new Error(`not yet ${config.modelPath}`);
}
