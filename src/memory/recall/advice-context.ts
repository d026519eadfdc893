/**
 * What an advice request is shown besides its facts: the user's own messages the embedder ranks
 * nearest the question, whatever their wording. "The ferry to the island only runs on weekdays" or
 * "is the museum reachable by wheelchair?" is no first-person stance that stance.ts can list, yet it
 * is what a later "when should we go?" or "what should we visit?" depends on; fusion and chat's threshold
 * drop it because it shares no word with the question. The embedder ranks it near the top of the user's messages all the same, so the
 * best of the wider pool (user-message-pool.ts, already looked up for an advice request) reach
 * the prompt as facts, each with its own relevance.
 *
 * Independent of wording: no word list, only the vector's rank and its similarity on the
 * embedder's own scale (vector-scale.ts). Questions of fact get none.
 */
import type { ScoredId } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { DEFAULT_VECTOR_SCALE } from "../vector-scale.js";
import { byMemoryId, type RecallCandidate, type RecallQuery } from "./candidate.js";
import { poolCandidates } from "./user-message-pool.js";

/**
 * How many of the nearest user messages reach an advice request's prompt; those chat shows anyway
 * (among the facts or the preferences) count, so most requests add one or two. On the dev set 3
 * and 4 found nothing the prompt lacked and 5 what two questions needed; 10 found no more.
 */
export const ADVICE_CONTEXT_MESSAGES = 5;
/**
 * Only this close to the query on the embedder's scale (0: the median unrelated text, 1: a
 * paraphrase), the floor a stated preference is listed at (preferences.ts): ≈ an unrelated text at
 * the embedder's 90th percentile. A cube with nothing near the question adds nothing.
 */
export const ADVICE_CONTEXT_MIN_SIMILARITY = 0.2;

export interface AdviceContextRound {
  context: MemoryContext;
  query: RecallQuery;
  /** The cube's ranked candidates: a pool message among them keeps the relevance it has there. */
  ranked: readonly RecallCandidate[];
  /** The wider pool, best first. */
  pool: readonly ScoredId[];
}

/** The cube's user messages nearest an advice request, nearest first, at most ADVICE_CONTEXT_MESSAGES. */
export async function adviceContext(round: AdviceContextRound): Promise<RecallCandidate[]> {
  const scale = round.query.scale ?? DEFAULT_VECTOR_SCALE;
  const nearest = round.pool.filter((hit) => (hit.score - scale.floor) / scale.span >= ADVICE_CONTEXT_MIN_SIMILARITY).slice(0, ADVICE_CONTEXT_MESSAGES);
  const known = byMemoryId(round.ranked);
  const fresh = byMemoryId(
    await poolCandidates(
      round.context,
      round.query,
      nearest.filter((hit) => !known.has(hit.id)),
    ),
  );
  return nearest.flatMap((hit) => known.get(hit.id) ?? fresh.get(hit.id) ?? []);
}
