import type { EmbedderConfig } from "../config/index.js";
import type { Embedder } from "./embedder.js";
import { l2Normalise } from "./vector.js";
import { describeCause, excerpt, isTimeout, truncate, UpstreamRequestError } from "../upstream-http.js";

export type UniversalApiEmbedderConfig = Extract<EmbedderConfig, { backend: "universal_api" }>;

/**
 * Inputs per request. DashScope's OpenAI-compatible endpoint rejects more than 10
 * (text-embedding-v3/v4: "batch size is invalid, it should not be larger than 10"); OpenAI, Ollama,
 * TEI and vLLM take more, but 10 works everywhere and the requests run in parallel anyway.
 */
export const MAX_INPUTS_PER_REQUEST = 10;

/** Requests in flight at once for one `embed` call: fast for a large import, gentle on rate limits. */
export const MAX_CONCURRENT_REQUESTS = 4;

/**
 * Longer inputs are cut to this many characters. OpenAI and DashScope refuse inputs over ~8k tokens
 * (the whole request fails), and CJK text can cost up to two tokens a character; the keyword index
 * still sees the full text. Endpoints serving short-context models (e.g. TEI with a 512-token BERT)
 * need their own truncation switched on.
 */
export const MAX_CHARS_PER_INPUT = 4000;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_DELAY_MS = 500;
const MAX_ATTEMPTS = 3;
/** Upper bound on how long a `Retry-After` header may make us wait between attempts. */
const MAX_RETRY_DELAY_MS = 10_000;
const PROBE_TEXT = "What is the dimension of this embedding?";

export interface OpenAIEmbedderOptions {
  /** Time allowed for one HTTP attempt. */
  timeoutMs?: number;
  /** Wait before the first retry; doubled for each further one. Tests make it small. */
  retryDelayMs?: number;
}

interface Endpoint {
  url: string;
  /** The URL as shown in error messages: without credentials or a query, where a key could hide. */
  displayUrl: string;
  model: string;
  apiKey: string | undefined;
  dimensions: number | undefined;
  timeoutMs: number;
  retryDelayMs: number;
}

/**
 * An embedder over any OpenAI-compatible `POST {api_base}/embeddings` (DashScope, OpenAI, Ollama,
 * TEI, vLLM). Embeds a probe text once so that `dimension` is known before the server starts; an
 * unreachable or misconfigured endpoint therefore fails here, with a clear message.
 *
 * Blank texts are not sent (OpenAI rejects empty inputs); they get a fixed unit vector instead.
 */
export async function createOpenAIEmbedder(config: UniversalApiEmbedderConfig, options: OpenAIEmbedderOptions = {}): Promise<Embedder> {
  const endpoint = describeEndpoint(config, options);
  const dimension = await probeDimension(endpoint);
  const name = `universal_api:${config.model}`;
  let closed = false;

  return {
    name,
    dimension,
    // Served models are multilingual, or at least the operator chose them for their users' languages.
    represents: () => true,
    async embed(texts, options = {}) {
      if (closed) throw new Error(`embedder ${name} is closed`);
      return embedAll(endpoint, texts, dimension, options.signal);
    },
    async close() {
      closed = true;
    },
  };
}

function describeEndpoint(config: UniversalApiEmbedderConfig, options: OpenAIEmbedderOptions): Endpoint {
  const url = `${config.apiBase.replace(/\/+$/, "")}/embeddings`;
  const display = new URL(url);
  display.username = "";
  display.password = "";
  display.search = "";
  return {
    url,
    displayUrl: display.toString(),
    model: config.model,
    apiKey: config.apiKey,
    dimensions: config.dimensions,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retryDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
  };
}

async function probeDimension(endpoint: Endpoint): Promise<number> {
  const [vector] = await requestEmbeddings(endpoint, [PROBE_TEXT]);
  const dimension = vector?.length ?? 0;
  if (dimension === 0) {
    throw new UpstreamRequestError(`${endpoint.displayUrl} returned an empty embedding for model ${endpoint.model}`, 200);
  }
  if (endpoint.dimensions !== undefined && dimension !== endpoint.dimensions) {
    throw new UpstreamRequestError(
      `${endpoint.displayUrl} returned ${dimension}-dimensional vectors for model ${endpoint.model} although ` +
        `${endpoint.dimensions} were asked for; the endpoint ignores "dimensions": unset MOS_EMBEDDER_DIMENSIONS`,
      200,
    );
  }
  return dimension;
}

/** An abort stops new requests, cancels those in flight and rejects with the signal's reason. */
async function embedAll(endpoint: Endpoint, texts: readonly string[], dimension: number, signal?: AbortSignal): Promise<Float32Array[]> {
  signal?.throwIfAborted();
  const results = new Array<Float32Array>(texts.length);
  const pending: { position: number; text: string }[] = [];
  texts.forEach((text, position) => {
    if (text.trim() === "") results[position] = blankTextVector(dimension);
    else pending.push({ position, text: truncate(text, MAX_CHARS_PER_INPUT) });
  });

  const batches = chunk(pending, MAX_INPUTS_PER_REQUEST);
  await forEachConcurrently(batches, MAX_CONCURRENT_REQUESTS, async (batch) => {
    signal?.throwIfAborted();
    const vectors = await requestEmbeddings(
      endpoint,
      batch.map((item) => item.text),
      signal,
    );
    batch.forEach((item, i) => {
      const vector = vectors[i];
      if (vector?.length !== dimension) {
        throw new UpstreamRequestError(
          `${endpoint.displayUrl} returned a ${vector?.length ?? 0}-dimensional vector, expected ${dimension} ` + `(did the model behind it change?)`,
          200,
        );
      }
      results[item.position] = l2Normalise(vector);
    });
  });
  return results;
}

/** Where blank text goes: a valid unit vector, the same for all blank texts, without a request. */
function blankTextVector(dimension: number): Float32Array {
  const vector = new Float32Array(dimension);
  vector[0] = 1;
  return vector;
}

/** One request's worth of inputs, retried on connection errors, timeouts, 408, 429 and 5xx. */
async function requestEmbeddings(endpoint: Endpoint, inputs: string[], signal?: AbortSignal): Promise<number[][]> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await postOnce(endpoint, inputs, signal);
    if (outcome.kind === "ok") return parseEmbeddingResponse(endpoint, outcome.body, inputs.length);
    if (!outcome.retryable || attempt >= MAX_ATTEMPTS) throw outcome.error;
    await sleep(retryDelay(endpoint, attempt, outcome.retryAfterMs), signal);
  }
}

type Outcome = { kind: "ok"; body: unknown } | { kind: "failed"; error: UpstreamRequestError; retryable: boolean; retryAfterMs: number | undefined };

async function postOnce(endpoint: Endpoint, inputs: string[], signal?: AbortSignal): Promise<Outcome> {
  let response: Response;
  const timeout = AbortSignal.timeout(endpoint.timeoutMs);
  try {
    response = await fetch(endpoint.url, {
      method: "POST",
      headers: requestHeaders(endpoint),
      body: JSON.stringify(requestBody(endpoint, inputs)),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (cause) {
    // The caller's abort is no failure of the endpoint: it is not retried, and it says so.
    signal?.throwIfAborted();
    const reason = isTimeout(cause) ? `no answer within ${endpoint.timeoutMs} ms` : describeCause(cause);
    const error = new UpstreamRequestError(`POST ${endpoint.displayUrl} failed: ${reason}`, undefined, { cause });
    return { kind: "failed", error, retryable: true, retryAfterMs: undefined };
  }

  const text = await response.text().catch(() => "");
  signal?.throwIfAborted();
  if (!response.ok) {
    const error = new UpstreamRequestError(
      `POST ${endpoint.displayUrl} failed with HTTP ${response.status}: ${excerpt(text, endpoint.apiKey)}`,
      response.status,
    );
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    return { kind: "failed", error, retryable, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) };
  }
  try {
    return { kind: "ok", body: JSON.parse(text) };
  } catch {
    const error = malformed(endpoint, `not JSON: ${excerpt(text, endpoint.apiKey)}`);
    return { kind: "failed", error, retryable: false, retryAfterMs: undefined };
  }
}

function requestHeaders(endpoint: Endpoint): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  return headers;
}

function requestBody(endpoint: Endpoint, inputs: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = { model: endpoint.model, input: inputs, encoding_format: "float" };
  if (endpoint.dimensions !== undefined) body.dimensions = endpoint.dimensions;
  return body;
}

/**
 * Reads `{data: [{index, embedding}]}` into vectors in input order. Items are placed by `index`
 * (the order of `data` is not guaranteed); an endpoint that leaves `index` out is taken in order.
 */
function parseEmbeddingResponse(endpoint: Endpoint, body: unknown, expected: number): number[][] {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data)) throw malformed(endpoint, 'no "data" list');
  if (data.length !== expected) throw malformed(endpoint, `${data.length} embeddings for ${expected} inputs`);

  const vectors = new Array<number[]>(expected);
  const everyItemIndexed = data.every((item) => isRecord(item) && Number.isInteger(item.index));
  data.forEach((item: unknown, position) => {
    if (!isRecord(item)) throw malformed(endpoint, `data[${position}] is not an object`);
    const index = everyItemIndexed ? Number(item.index) : position;
    if (index < 0 || index >= expected || vectors[index] !== undefined) {
      throw malformed(endpoint, `data[${position}] has a bad or repeated index ${index}`);
    }
    const vector = readVector(item.embedding);
    if (!vector) throw malformed(endpoint, `data[${position}].embedding is not a list of numbers`);
    vectors[index] = vector;
  });
  return vectors;
}

/** A list of finite numbers, or base64 little-endian float32 (what some servers send regardless). */
function readVector(value: unknown): number[] | undefined {
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "base64");
    if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
    return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
  }
  if (!Array.isArray(value)) return undefined;
  const numbers = value.filter((entry): entry is number => typeof entry === "number" && Number.isFinite(entry));
  return numbers.length === value.length ? numbers : undefined;
}

function malformed(endpoint: Endpoint, what: string): UpstreamRequestError {
  return new UpstreamRequestError(`POST ${endpoint.displayUrl} returned a malformed response: ${what}`, 200);
}

function retryDelay(endpoint: Endpoint, attempt: number, retryAfterMs: number | undefined): number {
  const backoff = endpoint.retryDelayMs * 2 ** (attempt - 1);
  const jittered = backoff * (0.75 + Math.random() / 2);
  return Math.min(Math.max(jittered, retryAfterMs ?? 0), MAX_RETRY_DELAY_MS);
}

/** `Retry-After` in seconds (the HTTP-date form is rare for APIs and is ignored). */
function parseRetryAfter(header: string | null): number | undefined {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Runs `task` over the items with at most `limit` in flight; the first failure stops new starts. */
async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
