/**
 * The user's stated preferences for one cube's search (fast mode: the user's own messages that
 * state one, see stance.ts), for `pref_mem` and the preference part of the chat prompt.
 *
 * - Among the ranked candidates, those relevant enough (STATED_PREFERENCE_MIN_RELEVANCE).
 * - For an advice request, also among the cube's user messages nearest the query by vector (the
 *   wider pool, user-message-pool.ts, looked up once by search.ts): those that state a preference.
 *   Questions of fact do not pay for the pool.
 * - An advice request (advice-request.ts) takes the best of the rest too, below that floor, at
 *   most PROFILE_BELOW_FLOOR of them: best by relevance, then newest. For a question that does
 *   not ask for advice (a question of fact), nothing below the floor is added.
 *
 * Each memory keeps its own relevance (never raised for being a preference); nothing here reaches
 * `text_mem` or chat's facts.
 */
import type { MemoryType, ScoredId } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { statesPreference } from "../stance.js";
import type { RecallCandidate, RecallQuery } from "./candidate.js";
import { poolCandidates, USER_MESSAGE_TYPE } from "./user-message-pool.js";

/** What a user's message stating a preference is stored as (fast mode: the message itself). */
export const STATED_PREFERENCE_TYPE: MemoryType = USER_MESSAGE_TYPE;
/**
 * A stated preference is listed only this relevant: chat shows preferences without its threshold,
 * and a stance barely related to the question is noise in the prompt (0.2 ≈ an unrelated text at
 * the embedder's 90th percentile, see vector-scale.ts). Advice requests only go below it.
 */
export const STATED_PREFERENCE_MIN_RELEVANCE = 0.2;
/** At most this many preferences below the floor join an advice request's list (pref_top_k bounds the list as a whole). */
export const PROFILE_BELOW_FLOOR = 3;

export interface PreferenceRound {
  context: MemoryContext;
  query: RecallQuery;
  /** The cube's ranked candidates (relevance > 0), best first. */
  ranked: readonly RecallCandidate[];
  /** Whether the query asks for advice (advice-request.ts). */
  advice: boolean;
  /** An advice request's wider pool (user-message-pool.ts), best first; empty otherwise. */
  pool: readonly ScoredId[];
}

const isStated = (candidate: RecallCandidate) => candidate.memory.memoryType === STATED_PREFERENCE_TYPE && statesPreference(candidate.memory.text);

/** Best by relevance, then the newer. */
const byRelevanceThenNewest = (a: RecallCandidate, b: RecallCandidate) => b.relevance - a.relevance || b.memory.chatTime.localeCompare(a.memory.chatTime);

/** The cube's stated preferences for this query, best first. */
export async function statedPreferences(round: PreferenceRound): Promise<RecallCandidate[]> {
  const pool = [...round.ranked.filter(isStated), ...(round.advice ? await statedInPool(round) : [])].sort(byRelevanceThenNewest);
  const above = pool.filter((candidate) => candidate.relevance >= STATED_PREFERENCE_MIN_RELEVANCE);
  if (!round.advice) return above;
  const below = pool.filter((candidate) => candidate.relevance < STATED_PREFERENCE_MIN_RELEVANCE).slice(0, PROFILE_BELOW_FLOOR);
  return [...above, ...below];
}

/**
 * Stated preferences in the wider pool that the first recall did not bring. The pool is sifted on
 * the memories' texts alone, and only the stated preferences are read whole: in real chat most of
 * a hundred user turns state none.
 */
async function statedInPool(round: PreferenceRound): Promise<RecallCandidate[]> {
  const known = new Set(round.ranked.map((candidate) => candidate.memory.id));
  const hits = round.pool.filter((hit) => !known.has(hit.id));
  if (hits.length === 0) return [];
  const stated = new Set(
    (await round.context.store.memoryTextsOf(hits.map((hit) => hit.id)))
      .filter((memory) => memory.status === "activated" && memory.memoryType === STATED_PREFERENCE_TYPE && statesPreference(memory.text))
      .map((memory) => memory.id),
  );
  if (stated.size === 0) return [];
  return poolCandidates(
    round.context,
    round.query,
    hits.filter((hit) => stated.has(hit.id)),
    (memory) => statesPreference(memory.text),
  );
}
