/**
 * A tiny BERT-like sentence encoder, written by hand for the ONNX embedder's tests: a tokenizer.json
 * (WordPiece, BertNormalizer) and a model.onnx whose graph is one Gather from an embedding table:
 *
 *   input_ids [batch, tokens] int64, attention_mask [batch, tokens] int64
 *     → last_hidden_state = Gather(table, input_ids)  [batch, tokens, DIMENSION] float32
 *
 * The protobuf bytes are encoded here (the few ModelProto fields a graph needs), so no model file
 * and no ONNX tooling are needed. The table puts words that mean the same on the same axis
 * ("dog", "puppy", "狗"), so mean pooling gives a model that knows a few synonyms, across languages.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export const TINY_DIMENSION = 8;

/** Axis 0: dogs; 1: cats; 2: fish; 3: weather; 4: glue words; 7: special tokens and punctuation. */
const WORDS: [string, number][] = [
  ["[PAD]", -1],
  ["[UNK]", 6],
  ["[CLS]", 7],
  ["[SEP]", 7],
  ["my", 4],
  ["is", 4],
  ["called", 4],
  ["the", 4],
  ["likes", 4],
  ["a", 4],
  ["dog", 0],
  ["puppy", 0],
  ["rex", 0],
  ["狗", 0],
  ["cat", 1],
  ["猫", 1],
  ["fish", 2],
  ["鱼", 2],
  ["weather", 3],
  ["sunny", 3],
  ["today", 3],
  ["天", 3],
  ["气", 3],
  ["我", 4],
  ["的", 4],
  ["喜", 4],
  ["欢", 4],
  ["cafe", 5],
  ["un", 5],
  ["##aff", 5],
  ["##able", 5],
  ["play", 5],
  ["##ing", 5],
  [",", 7],
  ["!", 7],
  ["?", 7],
  [".", 7],
];

/** The vocabulary, word → id, in the order above. */
export const TINY_VOCAB: Record<string, number> = Object.fromEntries(WORDS.map(([word], id) => [word, id]));

export interface TinyTokenizerOptions {
  /** tokenizer.json's own `truncation.max_length`. */
  maxLength?: number;
  /** Tokens added to the vocabulary after the model's (the tokenizer tests' own; the model has no rows for them). */
  extraVocab?: string[];
  /** BertNormalizer's `clean_text` (default true). */
  cleanText?: boolean;
}

export function tinyTokenizerJson(options: TinyTokenizerOptions = {}): string {
  const extra = Object.fromEntries((options.extraVocab ?? []).map((token, index) => [token, WORDS.length + index]));
  return JSON.stringify({
    version: "1.0",
    truncation: options.maxLength ? { direction: "Right", max_length: options.maxLength, strategy: "LongestFirst", stride: 0 } : null,
    padding: null,
    added_tokens: [],
    normalizer: { type: "BertNormalizer", clean_text: options.cleanText ?? true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: { type: "TemplateProcessing" },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: { ...TINY_VOCAB, ...extra } },
  });
}

/**
 * The embedding table: a word's axis gets 1 (special tokens 0.3, so they pull every text the same
 * way a little), and `seed` adds small noise: two seeds make two different models of one shape.
 */
function table(seed: number, padAxis: number | undefined): Float32Array {
  const values = new Float32Array(WORDS.length * TINY_DIMENSION);
  WORDS.forEach(([word, wordAxis], id) => {
    const axis = word === "[PAD]" && padAxis !== undefined ? padAxis : wordAxis;
    if (axis < 0) return;
    values[id * TINY_DIMENSION + axis] = word.startsWith("[") || axis === 7 ? 0.3 : 1;
    for (let i = 0; i < TINY_DIMENSION; i++)
      values[id * TINY_DIMENSION + i] = (values[id * TINY_DIMENSION + i] ?? 0) + (((id * 31 + i * 7 + seed * 13) % 11) / 11) * 0.02 * seed;
  });
  return values;
}

export interface TinyModelOptions {
  /** Noise that makes another model of the same shape. */
  seed?: number;
  /** Gives [PAD] a vector (on this axis; none by default), so that padding left in a mean would show. */
  padAxis?: number;
}

/** Writes model.onnx and tokenizer.json into `folder` (created if needed). */
export function writeTinyModel(folder: string, options: TinyModelOptions = {}): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, "model.onnx"), tinyModelBytes(options.seed ?? 0, options.padAxis));
  writeFileSync(path.join(folder, "tokenizer.json"), tinyTokenizerJson());
  return folder;
}

export function tinyModelBytes(seed = 0, padAxis?: number): Uint8Array {
  const weights = table(seed, padAxis);
  const initializer = message([
    ...[WORDS.length, TINY_DIMENSION].map((dim) => varintField(1, dim)), // dims
    varintField(2, FLOAT), // data_type
    stringField(8, "embeddings"), // name
    bytesField(9, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)), // raw_data (little-endian)
  ]);
  const gather = message([
    stringField(1, "embeddings"),
    stringField(1, "input_ids"),
    stringField(2, "last_hidden_state"),
    stringField(3, "gather"),
    stringField(4, "Gather"),
  ]);
  const graph = message([
    bytesField(1, gather), // node
    stringField(2, "tiny-encoder"), // name
    bytesField(5, initializer), // initializer
    bytesField(11, valueInfo("input_ids", INT64, ["batch", "tokens"])), // input
    bytesField(11, valueInfo("attention_mask", INT64, ["batch", "tokens"])),
    bytesField(12, valueInfo("last_hidden_state", FLOAT, ["batch", "tokens", TINY_DIMENSION])), // output
  ]);
  return message([
    varintField(1, 8), // ir_version
    stringField(2, "memcube-tests"), // producer_name
    bytesField(7, graph), // graph
    bytesField(8, message([stringField(1, ""), varintField(2, 13)])), // opset_import: ai.onnx 13
  ]);
}

const FLOAT = 1;
const INT64 = 7;

/** ValueInfoProto {name, type: TypeProto {tensor_type {elem_type, shape {dim…}}}}. */
function valueInfo(name: string, elementType: number, dims: (string | number)[]): Uint8Array {
  const shape = message(dims.map((dim) => bytesField(1, message([typeof dim === "number" ? varintField(1, dim) : stringField(2, dim)]))));
  const tensorType = message([varintField(1, elementType), bytesField(2, shape)]);
  return message([stringField(1, name), bytesField(2, message([bytesField(1, tensorType)]))]);
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = BigInt(value);
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return bytes;
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field << 3), ...varint(value)]);
}

function bytesField(field: number, bytes: Uint8Array): Uint8Array {
  return message([Uint8Array.from([...varint((field << 3) | 2), ...varint(bytes.length)]), bytes]);
}

function stringField(field: number, text: string): Uint8Array {
  return bytesField(field, new TextEncoder().encode(text));
}

function message(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
