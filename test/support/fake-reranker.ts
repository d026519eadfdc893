/**
 * A fake cross-encoder reranker for tests: a real HTTP server on 127.0.0.1 (random port) that
 * speaks both rerank protocols memcube knows:
 *
 *   POST /v1/rerank  {model, query, documents, top_n} → {results: [{index, relevance_score}]}  (Jina, Cohere, vLLM, Infinity)
 *   POST /rerank     {query, texts}                    → [{index, score}]                        (TEI)
 *
 * Like TEI (`--max-client-batch-size`, 32 by default), `/rerank` refuses more than 32 texts with 413.
 *
 *   const fake = await startFakeReranker({ apiKey: "rk-test", score: (query, text) => … });
 *   // MOS_RERANKER_URL = `${fake.url}/v1/rerank`
 *   fake.failNext(503);      // the next request gets 503
 *   fake.delayNext(2000);    // the next request is answered after 2 s
 *   fake.requests[0]?.body;  // what the client sent
 *
 * Scores come from `score` (default: the share of the query's words found in the text); results
 * are sent best first, as real services do, so a client must place them by `index`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseJson, readBody } from "./http-body.js";

export type ScoreFunction = (query: string, text: string) => number;

export interface FakeRerankerOptions {
  /** When set, a request without `Authorization: Bearer <apiKey>` gets 401. */
  apiKey?: string;
  score?: ScoreFunction;
}

export interface RecordedRerankRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeReranker {
  /** `http://127.0.0.1:<port>` (no path). */
  url: string;
  /** Every request received, failed ones included, in arrival order. */
  requests: RecordedRerankRequest[];
  /** Replaces the scoring function for later requests. */
  setScore(score: ScoreFunction): void;
  /** The next `times` requests (default 1) get `status`. */
  failNext(status: number, times?: number): void;
  /** The next `times` requests (default 1) are answered only after `ms`. */
  delayNext(ms: number, times?: number): void;
  /** Resolves when a delayed request's connection is closed by the client before it was answered. */
  nextAbandoned(): Promise<void>;
  close(): Promise<void>;
}

const WORD = /[\p{L}\p{N}]+/gu;
const TEI_MAX_CLIENT_BATCH_SIZE = 32;

export function wordShare(query: string, text: string): number {
  const queryWords = new Set(query.toLowerCase().match(WORD) ?? []);
  const textWords = new Set(text.toLowerCase().match(WORD) ?? []);
  if (queryWords.size === 0) return 0;
  return [...queryWords].filter((word) => textWords.has(word)).length / queryWords.size;
}

type Plan = { kind: "fail"; status: number } | { kind: "delay"; ms: number };

export async function startFakeReranker(options: FakeRerankerOptions = {}): Promise<FakeReranker> {
  const requests: RecordedRerankRequest[] = [];
  const plans: Plan[] = [];
  let score = options.score ?? wordShare;
  const timers = new Set<NodeJS.Timeout>();
  const abandoned: (() => void)[] = [];

  const server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      const body = parseJson(raw) ?? raw;
      requests.push({ path: request.url ?? "", headers: request.headers, body });
      const plan = plans.shift();
      if (plan?.kind === "fail") return send(response, plan.status, { error: { message: `fake failure ${plan.status}` } });
      const answer = () => answerRerank(request, body, options.apiKey, score, response);
      if (plan?.kind === "delay") {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) answer();
        }, plan.ms);
        timers.add(timer);
        response.on("close", () => {
          if (response.writableFinished) return;
          clearTimeout(timer);
          timers.delete(timer);
          abandoned.shift()?.();
        });
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setScore(next) {
      score = next;
    },
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) plans.push({ kind: "fail", status });
    },
    delayNext(ms, times = 1) {
      for (let i = 0; i < times; i++) plans.push({ kind: "delay", ms });
    },
    nextAbandoned() {
      return new Promise<void>((resolve) => abandoned.push(resolve));
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function answerRerank(request: IncomingMessage, body: unknown, apiKey: string | undefined, score: ScoreFunction, response: ServerResponse): void {
  if (apiKey !== undefined && request.headers.authorization !== `Bearer ${apiKey}`) {
    return send(response, 401, { error: { message: "invalid api key" } });
  }
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const query = fields.query;
  const tei = request.url === "/rerank";
  const texts = tei ? fields.texts : fields.documents;
  if (request.method !== "POST" || (request.url !== "/v1/rerank" && !tei)) {
    return send(response, 404, { error: { message: `no route ${request.method} ${request.url}` } });
  }
  if (typeof query !== "string" || !Array.isArray(texts) || !texts.every((text) => typeof text === "string")) {
    return send(response, 422, { error: { message: `expected {query, ${tei ? "texts" : "documents"}}` } });
  }
  if (tei && texts.length > TEI_MAX_CLIENT_BATCH_SIZE) {
    return send(response, 413, { error: `batch size ${texts.length} > maximum allowed batch size ${TEI_MAX_CLIENT_BATCH_SIZE}`, error_type: "Validation" });
  }
  const ranked = texts.map((text, index) => ({ index, value: score(query, text) })).sort((a, b) => b.value - a.value);
  if (tei)
    return send(
      response,
      200,
      ranked.map(({ index, value }) => ({ index, score: value })),
    );
  const topN = typeof fields.top_n === "number" ? fields.top_n : ranked.length;
  send(response, 200, {
    model: fields.model ?? "fake-reranker",
    results: ranked.slice(0, topN).map(({ index, value }) => ({ index, relevance_score: value })),
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
