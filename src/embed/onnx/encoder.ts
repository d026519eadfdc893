import { readFile } from "node:fs/promises";
import { l2Normalise } from "../vector.js";
import { loadOnnxRuntime, type OnnxRuntime, type OrtSession, type OrtTensor } from "./runtime.js";
import { WordPieceTokenizer, type Encoding } from "./wordpiece.js";

/** What the worker needs to open the model (structured-clonable). */
export interface EncoderSettings {
  modelFile: string;
  tokenizerFile: string;
  pooling: "mean" | "cls";
  maxTokens: number;
  runtimePath: string | undefined;
}

export class OnnxModelError extends Error {
  override readonly name = "OnnxModelError";
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Reads and checks tokenizer.json; the message names the file and what is wrong. */
export function openTokenizer(json: string, settings: Pick<EncoderSettings, "tokenizerFile" | "maxTokens">): WordPieceTokenizer {
  try {
    return new WordPieceTokenizer(json, { maxTokens: settings.maxTokens });
  } catch (error) {
    throw new OnnxModelError(`MOS_EMBEDDER_MODEL_PATH: ${settings.tokenizerFile}: ${message(error)}`);
  }
}

/** Loads onnxruntime, the model and the tokenizer. */
export async function openEncoder(settings: EncoderSettings): Promise<OnnxEncoder> {
  const ort = await loadOnnxRuntime(settings.runtimePath);
  const [modelBytes, tokenizerJson] = await Promise.all([readFile(settings.modelFile), readFile(settings.tokenizerFile, "utf8")]);
  const tokenizer = openTokenizer(tokenizerJson, settings);
  let session: OrtSession;
  try {
    session = await ort.createSession(modelBytes);
  } catch (error) {
    throw new OnnxModelError(`MOS_EMBEDDER_MODEL_PATH: onnxruntime cannot load ${settings.modelFile}: ${message(error)}`);
  }
  if (!session.inputNames.includes("input_ids")) {
    throw new OnnxModelError(
      `${settings.modelFile} takes ${session.inputNames.join(", ")}; a sentence encoder taking input_ids (and attention_mask) was expected`,
    );
  }
  return new OnnxEncoder(ort, session, tokenizer, settings.pooling);
}

/** Texts → unit vectors: tokenise, pad to the longest, run the model, pool, normalise. */
export class OnnxEncoder {
  constructor(
    private readonly ort: OnnxRuntime,
    private readonly session: OrtSession,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly pooling: "mean" | "cls",
  ) {}

  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const encodings = texts.map((text) => this.tokenizer.encode(text));
    const length = Math.max(...encodings.map((encoding) => encoding.ids.length));
    const outputs = await this.session.run(this.feeds(encodings, length));
    const outputName = this.session.outputNames.includes("last_hidden_state") ? "last_hidden_state" : this.session.outputNames[0];
    const output = outputName === undefined ? undefined : outputs[outputName];
    if (!output || !(output.data instanceof Float32Array)) throw new OnnxModelError(`the model's output ${outputName ?? "(none)"} is not a float32 tensor`);
    return pool(output, encodings, this.pooling).map(l2Normalise);
  }

  async release(): Promise<void> {
    await this.session.release?.();
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
    // Real tokens come first in each row, padding after them: the mask is a prefix.
    const count = pooling === "cls" ? 1 : encoding.ids.length;
    for (let token = 0; token < count; token++) {
      const offset = (row * tokens + token) * dim;
      for (let i = 0; i < dim; i++) vector[i] = (vector[i] ?? 0) + (data[offset + i] ?? 0);
    }
    for (let i = 0; i < dim; i++) vector[i] = (vector[i] ?? 0) / count;
    return vector;
  });
}
