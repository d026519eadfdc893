import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import type { OnnxEmbedderConfig } from "../../config/index.js";
import { EmbedScheduler, type EmbedPriority } from "../embed-scheduler.js";
import type { EmbedOptions, Embedder } from "../embedder.js";
import { LruCache } from "../lru.js";
import { spawnModuleWorker } from "../spawn-worker.js";
import { OnnxModelError, openTokenizer, type EncoderSettings } from "./encoder.js";
import type { OnnxRequest, OnnxWorkerMessage } from "./onnx-worker.js";
import { OnnxRuntimeMissingError } from "./runtime.js";

export { OnnxModelError } from "./encoder.js";

/** Texts per model call: each is padded to the longest of its batch, so small batches waste little. */
export const ONNX_BATCH_SIZE = 16;
/** Model calls in a row given to search queries while other texts wait. */
const MAX_QUERY_CALLS_IN_A_ROW = 3;
/** Query vectors remembered by exact text. */
const QUERY_CACHE_SIZE = 1000;
/** A text whose tokens are mostly unknown to the vocabulary is left to the keyword channel. */
const MAX_UNKNOWN_SHARE = 0.5;

/**
 * A sentence encoder from a folder the operator supplies (model.onnx + tokenizer.json), run by
 * onnxruntime-node in a worker thread (`onnx-worker.ts`): a session runs synchronously on the
 * thread that calls it, and the server's event loop must stay free meanwhile.
 *
 * The store identity is `onnx:<folder name>:<hash>`, the hash covering the model, the tokenizer
 * and the settings that change stored vectors (pooling, passage prefix, token limit): another
 * model, or the same under other settings, is detected at start and needs `memcube reembed`.
 */
export async function createOnnxEmbedder(config: OnnxEmbedderConfig): Promise<Embedder> {
  const modelFile = findModelFile(config.modelPath);
  const tokenizerFile = path.join(config.modelPath, "tokenizer.json");
  if (!existsSync(tokenizerFile)) throw new OnnxModelError(`MOS_EMBEDDER_MODEL_PATH: ${config.modelPath} has no tokenizer.json`);
  const tokenizerJson = await readFile(tokenizerFile, "utf8");
  const settings: EncoderSettings = { modelFile, tokenizerFile, pooling: config.pooling, maxTokens: config.maxTokens, runtimePath: config.runtimePath };
  // The main thread's copy only answers `represents`; it also reports a bad tokenizer before the model loads.
  const tokenizer = openTokenizer(tokenizerJson, settings);
  const worker = new EncoderWorker(settings);
  const dimension = await worker.start();

  const identity = createHash("sha256")
    .update(await fileHash(modelFile))
    .update(tokenizerJson)
    .update(JSON.stringify([config.pooling, config.passagePrefix, tokenizer.maxTokens]))
    .digest("hex")
    .slice(0, 12);
  const name = `onnx:${path.basename(config.modelPath)}:${identity}`;
  const queries = new LruCache<string, Float32Array>(QUERY_CACHE_SIZE);
  let closed = false;
  // One model call at a time, shared fairly between requests (queries first), as for the local model.
  const scheduler = new EmbedScheduler({
    maxTexts: ONNX_BATCH_SIZE,
    maxPaddedChars: Number.MAX_SAFE_INTEGER,
    maxQueryTexts: ONNX_BATCH_SIZE,
    maxQueryCallsInARow: MAX_QUERY_CALLS_IN_A_ROW,
    run: (texts) => worker.encode(texts, dimension),
    concurrency: () => 1,
  });
  const embedAll = async (texts: readonly string[], priority: EmbedPriority, options: EmbedOptions = {}) => {
    if (closed) throw new Error(`embedder ${name} is closed`);
    return scheduler.submit(texts, { priority, ...(options.signal ? { signal: options.signal } : {}) });
  };

  return {
    name,
    dimension,
    represents(text) {
      const { ids, unknown } = tokenizer.encode(text);
      const words = ids.length - 2;
      return words === 0 || unknown / words <= MAX_UNKNOWN_SHARE;
    },
    embed: (texts, options) =>
      embedAll(
        texts.map((text) => config.passagePrefix + text),
        "bulk",
        options,
      ),
    async embedQueries(texts, options) {
      const found = texts.map((text) => queries.get(text));
      const missing = texts.filter((_, index) => found[index] === undefined);
      const vectors = await embedAll(
        missing.map((text) => config.queryPrefix + text),
        "query",
        options,
      );
      let next = 0;
      return texts.map((text, index) => {
        const cached = found[index];
        if (cached) return cached;
        const vector = vectors[next++] as Float32Array;
        queries.set(text, vector);
        return vector;
      });
    },
    async close() {
      closed = true;
      scheduler.failWaiting(new OnnxModelError("the ONNX embedder was closed"));
      await worker.stop();
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

/** Streamed: models are often hundreds of megabytes. */
async function fileHash(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

interface Pending {
  resolve: (vectors: Float32Array) => void;
  reject: (error: Error) => void;
}

/** The worker thread and its requests in flight; a worker that dies is started again at the next call. */
class EncoderWorker {
  private worker: Worker | undefined;
  private ready: Promise<number> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly settings: EncoderSettings) {}

  /** Starts the worker; resolves with the model's dimension once it has loaded and answered a probe. */
  start(): Promise<number> {
    if (this.ready) return this.ready;
    const worker = spawnWorker(this.settings);
    this.worker = worker;
    this.ready = new Promise<number>((resolve, reject) => {
      worker.on("message", (message: OnnxWorkerMessage) => {
        switch (message.type) {
          case "ready":
            // An idle worker must not keep the process alive; one with work in flight must.
            worker.unref();
            return resolve(message.dimension);
          case "unusable":
            return reject(
              /onnxruntime-node/.test(message.message) && /install/.test(message.message)
                ? new OnnxRuntimeMissingError(message.message)
                : new OnnxModelError(message.message),
            );
          case "vectors":
            this.settle(message.id, (pending) => pending.resolve(message.vectors));
            return;
          case "failed":
            this.settle(message.id, (pending) => pending.reject(new OnnxModelError(`the ONNX model failed: ${message.message}`)));
            return;
        }
      });
      // A dead worker's late events (its `exit` follows its `error`) must not fail its successor.
      worker.on("error", (error) => {
        reject(error);
        if (this.worker === worker) this.fail(error);
      });
      worker.on("exit", (code) => {
        reject(new OnnxModelError(`the ONNX worker ended (exit code ${code}) before it was ready`));
        if (this.worker === worker) this.fail(new OnnxModelError(`the ONNX worker ended (exit code ${code})`));
      });
    });
    return this.ready;
  }

  async encode(texts: readonly string[], dimension: number): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    await this.start();
    const worker = this.worker as Worker;
    const id = this.nextId++;
    const flat = await new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, texts: [...texts] } satisfies OnnxRequest);
    });
    return texts.map((_, index) => flat.slice(index * dimension, (index + 1) * dimension));
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.fail(new OnnxModelError("the ONNX embedder was closed"));
    await worker?.terminate();
  }

  private settle(id: number, action: (pending: Pending) => void): void {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    if (pending) action(pending);
  }

  /** The worker is gone: its requests fail, and the next call starts a new one. */
  private fail(error: Error): void {
    this.worker = undefined;
    this.ready = undefined;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/** The worker thread (`onnx-worker.ts`), given the settings to open the model with. */
function spawnWorker(settings: EncoderSettings): Worker {
  return spawnModuleWorker(import.meta.url, "onnx-worker", { workerData: settings });
}
