/**
 * A fake OpenAI-compatible embeddings server for tests: a real HTTP server on 127.0.0.1 (random
 * port) answering `POST /v1/embeddings` with deterministic vectors.
 *
 *   const fake = await startFakeEmbeddings({ dimension: 32, apiKey: "sk-test" });
 *   // MOS_EMBEDDER_API_BASE = fake.url  ("http://127.0.0.1:<port>/v1")
 *   fake.failNext(503, 2);          // the next two requests get 503
 *   fake.requests[0]?.body;          // what the client sent
 *   await fake.close();
 *
 * Vectors are a hashed bag of words (`fakeEmbedding`): texts sharing words share dimensions, so
 * "hiking in the mountains" is closer to "mountains hiking trip" than to "stock market". They are
 * NOT normalised, so a client that forgets to normalise is caught.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseJson, readBody } from "./http-body.js";

export interface FakeEmbeddingsOptions {
  /** Vector length when a request does not ask for `dimensions` (default 64). */
  dimension?: number;
  /** When set, a request without `Authorization: Bearer <apiKey>` gets 401. */
  apiKey?: string;
  /** When set, a request with more inputs gets 400, as DashScope does over 10. */
  maxInputs?: number;
  /** Answer `data` in reverse order, to check that clients place vectors by `index`. */
  reverseOrder?: boolean;
  /** Ignore a request's `dimensions` (as servers of fixed-size models do) and always use `dimension`. */
  ignoreDimensions?: boolean;
  /**
   * Gives every vector a shared component of this weight (relative to its own length), as models
   * whose unrelated texts still score 0.6–0.8 do: scores are distributed unlike the bundled encoder's.
   */
  sharedComponent?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/embeddings`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export interface FakeEmbeddings {
  /** The API base to configure (`MOS_EMBEDDER_API_BASE`): `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** Every request received, failed ones included, in arrival order. */
  requests: RecordedRequest[];
  /** The next `times` requests (default 1) get `status` with `body` (an OpenAI-style error by default). */
  failNext(status: number, times?: number, body?: string): void;
  /** The next `times` requests (default 1) get 200 with a body that is not JSON. */
  garbageNext(times?: number): void;
  /**
   * Lets the next `skip` requests through, then holds the ones after them unanswered until
   * `release()`: e.g. to keep a server in its start-up (its embedder probe) for as long as a test needs.
   */
  hold(skip?: number): Hold;
  close(): Promise<void>;
}

export interface Hold {
  /** Settles when a request is being held. */
  arrived: Promise<void>;
  /** Settles when the client of a held request has gone (closed the connection) before its answer. */
  abandoned: Promise<void>;
  /** Answers the held requests, and lets later ones through. */
  release(): void;
}

const DEFAULT_DIMENSION = 64;
// One token per CJK character (those scripts do not separate words with spaces), else runs of letters/digits.
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}])+/gu;

/** The raw (unnormalised) vector the fake server gives a text; see `sharedComponent` for `shared`. */
export function fakeEmbedding(text: string, dimension: number, shared = 0): number[] {
  const vector = new Array<number>(dimension).fill(0);
  const tokens = text.toLowerCase().match(TOKEN) ?? [];
  // A text without words still gets a non-zero vector, like a real model's.
  for (const token of tokens.length > 0 ? tokens : [""]) {
    const slot = fnv1a(token) % dimension;
    vector[slot] = (vector[slot] ?? 0) + 1;
  }
  if (shared === 0) return vector;
  const lift = (shared * Math.hypot(...vector)) / Math.sqrt(dimension);
  return vector.map((value) => value + lift);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

interface PlannedAnswer {
  status: number;
  body: string;
}

export async function startFakeEmbeddings(options: FakeEmbeddingsOptions = {}): Promise<FakeEmbeddings> {
  const requests: RecordedRequest[] = [];
  const planned: PlannedAnswer[] = [];
  let gate: { skip: number; held: (() => void)[]; arrived: () => void; abandoned: () => void } | undefined;

  const server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      const body = parseJson(raw) ?? raw;
      requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body });
      const answer = () => send(response, planned.shift() ?? answerEmbeddings(request, body, options));
      if (!gate) return answer();
      if (gate.skip > 0) {
        gate.skip -= 1;
        return answer();
      }
      const current = gate;
      response.once("close", () => {
        if (!response.writableEnded) current.abandoned();
      });
      current.held.push(() => {
        if (!response.destroyed) answer();
      });
      current.arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext(status, times = 1, body = openAIError(`fake failure ${status}`)) {
      for (let i = 0; i < times; i++) planned.push({ status, body });
    },
    garbageNext(times = 1) {
      for (let i = 0; i < times; i++) planned.push({ status: 200, body: "<html>this is not json</html>" });
    },
    hold(skip = 0) {
      let arrived!: () => void;
      let abandoned!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      const abandonment = new Promise<void>((resolve) => (abandoned = resolve));
      const current = { skip, held: [] as (() => void)[], arrived, abandoned };
      gate = current;
      return {
        arrived: arrival,
        abandoned: abandonment,
        release() {
          if (gate === current) gate = undefined;
          for (const answer of current.held.splice(0)) answer();
        },
      };
    },
    async close() {
      // Clients keep connections alive; without this, close() would wait for them to time out.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function answerEmbeddings(request: IncomingMessage, body: unknown, options: FakeEmbeddingsOptions): PlannedAnswer {
  if (request.method !== "POST" || request.url !== "/v1/embeddings") {
    return { status: 404, body: openAIError(`no route ${request.method} ${request.url}`) };
  }
  if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
    return { status: 401, body: openAIError("Incorrect API key provided") };
  }
  const parsed = readEmbeddingRequest(body);
  if (typeof parsed === "string") return { status: 400, body: openAIError(parsed) };
  if (options.maxInputs !== undefined && parsed.inputs.length > options.maxInputs) {
    return { status: 400, body: openAIError(`batch size is invalid, it should not be larger than ${options.maxInputs}`) };
  }

  const requested = options.ignoreDimensions ? undefined : parsed.dimensions;
  const dimension = requested ?? options.dimension ?? DEFAULT_DIMENSION;
  const data = parsed.inputs.map((text, index) => ({ object: "embedding", index, embedding: fakeEmbedding(text, dimension, options.sharedComponent) }));
  if (options.reverseOrder) data.reverse();
  const tokens = parsed.inputs.reduce((sum, text) => sum + (text.match(TOKEN)?.length ?? 0), 0);
  return {
    status: 200,
    body: JSON.stringify({ object: "list", data, model: parsed.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }),
  };
}

/** The request's inputs, or what is wrong with it. */
function readEmbeddingRequest(body: unknown): { model: string; inputs: string[]; dimensions: number | undefined } | string {
  if (typeof body !== "object" || body === null) return "body must be a JSON object";
  const { model, input, dimensions } = body as Record<string, unknown>;
  if (typeof model !== "string" || model === "") return "model is required";
  const inputs = typeof input === "string" ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((text) => typeof text === "string" && text !== "")) {
    return "input must be a non-empty string or a non-empty list of non-empty strings";
  }
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && Number(dimensions) > 0)) {
    return "dimensions must be a positive integer";
  }
  return { model, inputs: inputs as string[], dimensions: dimensions as number | undefined };
}

function openAIError(message: string): string {
  return JSON.stringify({ error: { message, type: "invalid_request_error", code: null } });
}

function send(response: ServerResponse, answer: PlannedAnswer): void {
  response.writeHead(answer.status, { "content-type": "application/json" });
  response.end(answer.body);
}
