import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { OnnxEmbedderConfig } from "../../config/index.js";
import type { Embedder } from "../embedder.js";
import { LruCache } from "../lru.js";
import { l2Normalise } from "../vector.js";
import { loadOnnxRuntime, type OnnxRuntime, type OrtSession, type OrtTensor } from "./runtime.js";
import { WordPieceTokenizer, type Encoding } from "./wordpiece.js";

/** Texts per model call: padded to the longest of them, so small batches waste little. */
export const ONNX_BATCH_SIZE = 16;
/** Query vectors remembered by exact text. */
const QUERY_CACHE_SIZE = 1000;
/** A text whose tokens are mostly unknown to the vocabulary is left to the keyword channel. */
const MAX_UNKNOWN_SHARE = 0.5;
const PROBE_TEXT = "dimension probe";

export class OnnxModelError extends Error {
  override readonly name = "OnnxModelError";
}

/**
 * A sentence encoder from a folder the operator supplies (model.onnx + tokenizer.json), run by
 * onnxruntime-node in this process. Inference runs on onnxruntime's own threads and is awaited,
 * so the event loop stays free while a batch runs; tokenising is cheap next to it.
 *
 * The store identity is `onnx:<folder name>:<hash>`, the hash covering the model, the tokenizer
 * and the settings that change stored vectors (pooling, passage prefix, token limit): another
 * model, or the same under other settings, is detected at start and needs `memcube reembed`.
 */
export async function createOnnxEmbedder(config: OnnxEmbedderConfig, runtime?: OnnxRuntime): Promise<Embedder> {
  const modelFile = findModelFile(config.modelPath);
  const tokenizerFile = path.join(config.modelPath, "tokenizer.json");
  if (!existsSync(tokenizerFile)) throw new OnnxModelError(`MOS_EMBEDDER_MODEL_PATH: ${config.modelPath} has no tokenizer.json`);
  const ort = runtime ?? (await loadOnnxRuntime(config.runtimePath));
  const [modelBytes, tokenizerJson] = await Promise.all([readFile(modelFile), readFile(tokenizerFile, "utf8")]);
  let tokenizer: WordPieceTokenizer;
  try {
    tokenizer = new WordPieceTokenizer(tokenizerJson, { maxTokens: config.maxTokens });
  } catch (error) {
    throw new OnnxModelError(`MOS_EMBEDDER_MODEL_PATH: ${tokenizerFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let session: OrtSession;
  try {
    session = await ort.createSession(modelBytes);
  } catch (error) {
    throw new OnnxModelError(`MOS_EMBEDDER_MODEL_PATH: onnxruntime cannot load ${modelFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!session.inputNames.includes("input_ids")) {
    throw new OnnxModelError(`${modelFile} takes ${session.inputNames.join(", ")}; a sentence encoder taking input_ids (and attention_mask) was expected`);
  }

  const model = new OnnxModel(ort, session, tokenizer, config.pooling);
  const [probe] = await model.run([PROBE_TEXT]);
  const dimension = probe?.length ?? 0;
  if (dimension === 0) throw new OnnxModelError(`${modelFile} gives empty vectors`);

  const identity = createHash("sha256")
    .update(modelBytes)
    .update(tokenizerJson)
    .update(JSON.stringify([config.pooling, config.passagePrefix, tokenizer.maxTokens]))
    .digest("hex")
    .slice(0, 12);
  const name = `onnx:${path.basename(config.modelPath)}:${identity}`;
  const queries = new LruCache<string, Float32Array>(QUERY_CACHE_SIZE);
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new Error(`embedder ${name} is closed`);
  };

  return {
    name,
    dimension,
    represents(text) {
      const { ids, unknown } = tokenizer.encode(text);
      const words = ids.length - 2;
      return words === 0 || unknown / words <= MAX_UNKNOWN_SHARE;
    },
    async embed(texts) {
      ensureOpen();
      return model.embedAll(texts.map((text) => config.passagePrefix + text));
    },
    async embedQueries(texts) {
      ensureOpen();
      const results: (Float32Array | undefined)[] = texts.map((text) => queries.get(text));
      const missing = texts.filter((_, index) => results[index] === undefined);
      const vectors = await model.embedAll(missing.map((text) => config.queryPrefix + text));
      let next = 0;
      return texts.map((text, index) => {
        const cached = results[index];
        if (cached) return cached;
        const vector = vectors[next++] as Float32Array;
        queries.set(text, vector);
        return vector;
      });
    },
    async close() {
      closed = true;
      await session.release?.();
    },
  };
}

/** `model.onnx` at the top of the folder, or in `onnx/` as Hugging Face repositories lay it out. */
function findModelFile(folder: string): string {
  for (const candidate of [path.join(folder, "model.onnx"), path.join(folder, "onnx", "model.onnx")]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new OnnxModelError(`MOS_EMBEDDER_MODEL_PATH: ${folder} has no model.onnx (nor onnx/model.onnx)`);
}

class OnnxModel {
  /** Batches run one after another: onnxruntime already uses every core for one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ort: OnnxRuntime,
    private readonly session: OrtSession,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly pooling: "mean" | "cls",
  ) {}

  async embedAll(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += ONNX_BATCH_SIZE) {
      vectors.push(...(await this.run(texts.slice(start, start + ONNX_BATCH_SIZE))));
    }
    return vectors;
  }

  run(texts: readonly string[]): Promise<Float32Array[]> {
    const result = this.queue.then(() => this.runNow(texts));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const encodings = texts.map((text) => this.tokenizer.encode(text));
    const length = Math.max(...encodings.map((encoding) => encoding.ids.length));
    const feeds = this.feeds(encodings, length);
    const outputs = await this.session.run(feeds);
    const outputName = this.session.outputNames.includes("last_hidden_state") ? "last_hidden_state" : this.session.outputNames[0];
    const output = outputName === undefined ? undefined : outputs[outputName];
    if (!output || !(output.data instanceof Float32Array)) throw new OnnxModelError(`the model's output ${outputName ?? "(none)"} is not a float32 tensor`);
    return pool(output, encodings, this.pooling).map(l2Normalise);
  }

  private feeds(encodings: readonly Encoding[], length: number): Record<string, OrtTensor> {
    const batch = encodings.length;
    const ids = new BigInt64Array(batch * length).fill(BigInt(this.tokenizer.padId));
    const mask = new BigInt64Array(batch * length);
    encodings.forEach((encoding, row) => {
      encoding.ids.forEach((id, column) => {
        ids[row * length + column] = BigInt(id);
        mask[row * length + column] = 1n;
      });
    });
    const dims = [batch, length];
    const all: Record<string, OrtTensor> = {
      input_ids: this.ort.tensor("int64", ids, dims),
      attention_mask: this.ort.tensor("int64", mask, dims),
      token_type_ids: this.ort.tensor("int64", new BigInt64Array(batch * length), dims),
    };
    // Only what the model declares: feeding an unknown input is an error in onnxruntime.
    return Object.fromEntries(this.session.inputNames.filter((name) => all[name]).map((name) => [name, all[name] as OrtTensor]));
  }
}

/**
 * Token vectors [batch, tokens, dim] → one vector per text: the mean over the real (unpadded)
 * tokens, or the `[CLS]` token's. A [batch, dim] output is already pooled and is taken as it is.
 */
function pool(output: OrtTensor, encodings: readonly Encoding[], pooling: "mean" | "cls"): Float32Array[] {
  const data = output.data as Float32Array;
  const dims = output.dims;
  if (dims.length === 2) {
    const dim = dims[1] ?? 0;
    return encodings.map((_, row) => data.slice(row * dim, (row + 1) * dim));
  }
  if (dims.length !== 3) throw new OnnxModelError(`the model's output has shape [${dims.join(", ")}]; [batch, tokens, dim] was expected`);
  const tokens = dims[1] ?? 0;
  const dim = dims[2] ?? 0;
  return encodings.map((encoding, row) => {
    const vector = new Float32Array(dim);
    const count = pooling === "cls" ? 1 : encoding.ids.length;
    for (let token = 0; token < count; token++) {
      const offset = (row * tokens + token) * dim;
      for (let i = 0; i < dim; i++) vector[i] = (vector[i] ?? 0) + (data[offset + i] ?? 0);
    }
    for (let i = 0; i < dim; i++) vector[i] = (vector[i] ?? 0) / count;
    return vector;
  });
}
