import { z } from "zod";
import type { RerankerConfig } from "../config/index.js";
import type { Reranker } from "./reranker.js";
import { describeCause, excerpt, isTimeout, truncate, UpstreamRequestError } from "../upstream-http.js";

/**
 * Documents longer than this are cut before they are sent: cross-encoders read 512 tokens or so,
 * and TEI refuses longer inputs unless asked to truncate. The cut keeps the request small.
 */
export const MAX_DOCUMENT_CHARS = 2000;

/** `/v1/rerank` as Jina, Cohere, vLLM, Infinity and TEI's compatibility route answer it. */
const CohereResponse = z.object({
  results: z.array(z.object({ index: z.number().int().nonnegative(), relevance_score: z.number() })),
});
/** TEI's native `/rerank`. */
const TeiResponse = z.array(z.object({ index: z.number().int().nonnegative(), score: z.number() }));

/**
 * TEI refuses a request with more texts than its `--max-client-batch-size` (32 unless raised) with
 * HTTP 413; longer lists go in parallel requests of this many. Cross-encoder scores are pointwise,
 * so scores from separate requests compare.
 */
export const TEI_MAX_TEXTS = 32;

interface Scored {
  index: number;
  score: number;
}

/**
 * A reranker behind HTTP. `cohere` protocol: POST `{model, query, documents, top_n}`, answer
 * `{results: [{index, relevance_score}]}`; `tei`: POST `{query, texts, truncate: true}`, answer
 * `[{index, score}]`. Either answer shape is read whatever the protocol. No retries: search is
 * waiting, and falls back to its own ranking instead.
 */
export function createHttpReranker(config: RerankerConfig): Reranker {
  const displayUrl = withoutSecrets(config.url);
  const name = config.model ? `${displayUrl} (${config.model})` : displayUrl;
  const { url, authorization } = splitCredentials(config.url, config.apiKey);

  async function post(query: string, texts: readonly string[], signal: AbortSignal): Promise<Scored[]> {
    const body =
      config.protocol === "tei"
        ? { query, texts, truncate: true }
        : { ...(config.model ? { model: config.model } : {}), query, documents: texts, top_n: texts.length };
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (authorization) headers.authorization = authorization;

    let response: Response;
    try {
      response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal });
    } catch (cause) {
      const reason = isTimeout(cause) ? `no answer within ${config.timeoutMs} ms` : describeCause(cause);
      throw new UpstreamRequestError(`POST ${displayUrl} failed: ${reason}`, undefined, { cause });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      const reason = isTimeout(cause) ? `no complete answer within ${config.timeoutMs} ms` : describeCause(cause);
      throw new UpstreamRequestError(`POST ${displayUrl} failed: ${reason}`, response.status, { cause });
    }
    if (!response.ok) {
      const hint = response.status === 404 ? ` ${ROUTE_HINT}` : response.status === 413 ? ` ${SIZE_HINT}` : "";
      throw new UpstreamRequestError(`POST ${displayUrl} failed with HTTP ${response.status}: ${excerpt(text, config.apiKey)}${hint}`, response.status);
    }
    return readScores(displayUrl, text, texts.length, config.apiKey);
  }

  return {
    name,
    async score(query, documents) {
      if (documents.length === 0) return [];
      const texts = documents.map((text) => truncate(text, MAX_DOCUMENT_CHARS));
      const size = config.protocol === "tei" ? TEI_MAX_TEXTS : texts.length;
      // One deadline for the whole call; the first failure also stops the other requests.
      const stop = new AbortController();
      const signal = AbortSignal.any([AbortSignal.timeout(config.timeoutMs), stop.signal]);
      const batches: Promise<Scored[]>[] = [];
      for (let start = 0; start < texts.length; start += size) {
        const batch = post(query, texts.slice(start, start + size), signal).then((items) =>
          items.map((item) => ({ index: item.index + start, score: item.score })),
        );
        batch.catch(() => stop.abort());
        batches.push(batch);
      }
      const items = (await Promise.all(batches)).flat();
      const probability = asProbabilities(items.map((item) => item.score));
      // A document the service left out scores 0 (it ranks last).
      const scores = new Array<number>(documents.length).fill(0);
      for (const { index, score } of items) scores[index] = probability(score);
      return scores;
    },
  };
}

const ROUTE_HINT =
  "(is MOS_RERANKER_URL the rerank route? Infinity serves /rerank unless started with --url-prefix /v1; vLLM, Jina and Cohere serve /v1/rerank; TEI's own route is /rerank, with MOS_RERANKER_PROTOCOL=tei)";
const SIZE_HINT = "(the service refuses this many documents at once: lower MOS_RERANKER_TOP_N)";

/** The answer's scores by index, checked against the number of documents sent. */
function readScores(displayUrl: string, text: string, expected: number, apiKey: string | undefined): Scored[] {
  const malformed = (what: string) => new UpstreamRequestError(`POST ${displayUrl} returned a malformed response: ${what}`, 200);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed(`not JSON: ${excerpt(text, apiKey)}`);
  }
  const cohere = CohereResponse.safeParse(json);
  const tei = cohere.success ? undefined : TeiResponse.safeParse(json);
  const items = cohere.success ? cohere.data.results.map((item) => ({ index: item.index, score: item.relevance_score })) : tei?.success ? tei.data : undefined;
  if (!items) throw malformed(`expected {results: [{index, relevance_score}]} or [{index, score}], got ${excerpt(text, apiKey)}`);
  for (const { index } of items) if (index >= expected) throw malformed(`index ${index} for ${expected} documents`);
  return items;
}

/**
 * Most services already give a probability (sigmoid of the logit); raw logits (TEI with
 * `raw_scores`, some vLLM models) are squashed the same way, so relativity stays in [0, 1].
 * Decided once per answer, not per score: a logit of 0.9 passed through as it is would rank
 * above a logit of 1.2 squashed to 0.77.
 */
function asProbabilities(scores: readonly number[]): (score: number) => number {
  const probabilities = scores.every((score) => score >= 0 && score <= 1);
  return probabilities ? (score) => score : (score) => 1 / (1 + Math.exp(-score));
}

/**
 * fetch refuses a URL with credentials in it, so `http://user:password@proxy/rerank` (basic auth
 * in front of the service) becomes a Basic authorization header; an API key takes precedence.
 */
function splitCredentials(raw: string, apiKey: string | undefined): { url: string; authorization: string | undefined } {
  const url = new URL(raw);
  const basic = url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  url.username = "";
  url.password = "";
  if (apiKey) return { url: url.toString(), authorization: `Bearer ${apiKey}` };
  return { url: url.toString(), authorization: basic ? `Basic ${Buffer.from(basic).toString("base64")}` : undefined };
}

function withoutSecrets(url: string): string {
  const display = new URL(url);
  display.username = "";
  display.password = "";
  display.search = "";
  return display.toString();
}
