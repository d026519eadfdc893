import { z } from "zod";
import type { RerankerConfig } from "../config/index.js";
import { RerankRequestError, type Reranker } from "./reranker.js";

/**
 * Documents longer than this are cut before they are sent: cross-encoders read 512 tokens or so,
 * and TEI refuses longer inputs unless asked to truncate. The cut keeps the request small.
 */
export const MAX_DOCUMENT_CHARS = 2000;
const ERROR_EXCERPT_CHARS = 200;

/** `/v1/rerank` as Jina, Cohere, vLLM, Infinity and TEI's compatibility route answer it. */
const CohereResponse = z.object({
  results: z.array(z.object({ index: z.number().int().nonnegative(), relevance_score: z.number() })),
});
/** TEI's native `/rerank`. */
const TeiResponse = z.array(z.object({ index: z.number().int().nonnegative(), score: z.number() }));

/**
 * A reranker behind HTTP. `cohere` protocol: POST `{model, query, documents, top_n}`, answer
 * `{results: [{index, relevance_score}]}`; `tei`: POST `{query, texts, truncate: true}`, answer
 * `[{index, score}]`. Either answer shape is read whatever the protocol. No retries: search is
 * waiting, and falls back to its own ranking instead.
 */
export function createHttpReranker(config: RerankerConfig): Reranker {
  const displayUrl = withoutSecrets(config.url);
  const name = config.model ? `${displayUrl} (${config.model})` : displayUrl;
  return {
    name,
    async score(query, documents) {
      if (documents.length === 0) return [];
      const texts = documents.map((text) => truncate(text, MAX_DOCUMENT_CHARS));
      const body =
        config.protocol === "tei"
          ? { query, texts, truncate: true }
          : { ...(config.model ? { model: config.model } : {}), query, documents: texts, top_n: texts.length };
      const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
      if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;

      let response: Response;
      try {
        response = await fetch(config.url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(config.timeoutMs) });
      } catch (cause) {
        const reason = isTimeout(cause) ? `no answer within ${config.timeoutMs} ms` : describeCause(cause);
        throw new RerankRequestError(`POST ${displayUrl} failed: ${reason}`, undefined, { cause });
      }
      let text: string;
      try {
        text = await response.text();
      } catch (cause) {
        const reason = isTimeout(cause) ? `no complete answer within ${config.timeoutMs} ms` : describeCause(cause);
        throw new RerankRequestError(`POST ${displayUrl} failed: ${reason}`, response.status, { cause });
      }
      if (!response.ok) {
        throw new RerankRequestError(`POST ${displayUrl} failed with HTTP ${response.status}: ${excerpt(text, config.apiKey)}`, response.status);
      }
      return readScores(displayUrl, text, documents.length, config.apiKey);
    },
  };
}

/** Scores in document order; a document the service left out scores 0 (it ranks last). */
function readScores(displayUrl: string, text: string, expected: number, apiKey: string | undefined): number[] {
  const malformed = (what: string) => new RerankRequestError(`POST ${displayUrl} returned a malformed response: ${what}`, 200);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed(`not JSON: ${excerpt(text, apiKey)}`);
  }
  const cohere = CohereResponse.safeParse(json);
  const tei = cohere.success ? undefined : TeiResponse.safeParse(json);
  const items = cohere.success
    ? cohere.data.results.map((item) => ({ index: item.index, score: item.relevance_score }))
    : tei?.success
      ? tei.data
      : undefined;
  if (!items) throw malformed(`expected {results: [{index, relevance_score}]} or [{index, score}], got ${excerpt(text, apiKey)}`);
  for (const { index } of items) if (index >= expected) throw malformed(`index ${index} for ${expected} documents`);
  const probability = asProbabilities(items.map((item) => item.score));
  const scores = new Array<number>(expected).fill(0);
  for (const { index, score } of items) scores[index] = probability(score);
  return scores;
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

function withoutSecrets(url: string): string {
  const display = new URL(url);
  display.username = "";
  display.password = "";
  display.search = "";
  return display.toString();
}

function excerpt(text: string, apiKey: string | undefined): string {
  let shown = text.replace(/\s+/g, " ").trim();
  if (apiKey) shown = shown.split(apiKey).join("***");
  if (shown === "") return "(empty body)";
  return shown.length > ERROR_EXCERPT_CHARS ? `${shown.slice(0, ERROR_EXCERPT_CHARS)}…` : shown;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause instanceof Error ? error.cause : undefined;
  const code = inner && "code" in inner ? String(inner.code) : undefined;
  return [error.message, code ?? inner?.message].filter(Boolean).join(": ");
}

/** Cuts at a code-point boundary, so a surrogate pair is never split. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}
