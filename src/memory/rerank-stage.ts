import type { Reranker } from "../rerank/index.js";
import { UpstreamRequestError } from "../upstream-http.js";
import type { MemoryRecord } from "../store/types.js";

export interface RerankStageOptions {
  /** The best this many candidates are reranked; the rest follow, below them. */
  candidates: number;
  /** After a failure, searches skip the reranker this long instead of each waiting for it. */
  retryAfterMs: number;
  /** Told of each failure (the server logs a warning); the search itself goes on. */
  onFailure: (error: unknown) => void;
  now?: () => number;
}

/**
 * A reranked memory passed the built-in cut, so it never shows as 0 (search returns no 0-scoring
 * items), even when the reranker's probability (often 1e-5 for an off-topic text) rounds to 0.
 */
const SMALLEST_RELATIVITY = 1e-4;

interface Ranked {
  memory: MemoryRecord;
  relativity: number;
}

/**
 * The optional cross-encoder step of search. It only reorders what the built-in ranking found,
 * so it can never lose a memory: when the reranker is down, slow or confused, the built-in order
 * stands (and the reranker is left alone for `retryAfterMs`, so a dead one costs one timeout, not
 * one per search).
 */
export class RerankStage {
  private pausedUntil = 0;
  private readonly now: () => number;

  constructor(
    readonly reranker: Reranker,
    private readonly options: RerankStageOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * `ranked` best first. The reranked head gets the reranker's score as its relativity (a
   * probability, comparable across queries, unlike the fused score); the tail keeps its order and
   * is capped at the head's lowest score so that the list stays sorted. What ends below
   * `minRelativity` is left out: a search's threshold holds for the relativity it returns.
   */
  async reorder<T extends Ranked>(query: string, ranked: readonly T[], minRelativity = 0): Promise<T[]> {
    if (ranked.length === 0 || this.now() < this.pausedUntil) return [...ranked];
    const head = ranked.slice(0, this.options.candidates);
    let scores: number[];
    try {
      scores = await this.reranker.score(
        query,
        head.map((candidate) => candidate.memory.text),
      );
    } catch (error) {
      if (!refusedThisRequest(error)) this.pausedUntil = this.now() + this.options.retryAfterMs;
      this.options.onFailure(error);
      return [...ranked];
    }
    // Array.prototype.sort is stable: equal scores keep the built-in order.
    const rescored = head
      .map((candidate, index) => ({ ...candidate, relativity: Math.max(scores[index] ?? 0, SMALLEST_RELATIVITY) }))
      .sort((a, b) => b.relativity - a.relativity);
    const floor = rescored[rescored.length - 1]?.relativity ?? 0;
    const tail = ranked.slice(head.length).map((candidate) => ({ ...candidate, relativity: Math.min(candidate.relativity, floor) }));
    return [...rescored, ...tail].filter((candidate) => candidate.relativity >= minRelativity);
  }
}

/**
 * The service is fine but refused this request's content (e.g. vLLM's 400 for a query and memory
 * longer than the model's context): the next search, with other texts, may well pass, so the
 * reranker is not paused for everyone.
 */
function refusedThisRequest(error: unknown): boolean {
  return error instanceof UpstreamRequestError && (error.status === 400 || error.status === 413 || error.status === 422);
}
