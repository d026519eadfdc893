/**
 * The user's stated preferences for one cube's search (fast mode: the user's own messages that
 * state one, see stance.ts), for `pref_mem` and the preference part of the chat prompt.
 *
 * - Among the ranked candidates, those relevant enough (STATED_PREFERENCE_MIN_RELEVANCE).
 * - For an advice request, a wider vector pool: a stated preference often shares no word with the
 *   question it bears on ("I'm vegetarian" and "Where should we eat?"), and the first recall's pool
 *   (its top 30–60 by either channel) misses it, while the embedder still ranks it near the top of
 *   the cube. One more vector lookup over the cube's user messages and one read of those not yet
 *   fetched; questions of fact do not pay for it.
 * - An advice request (advice-request.ts) takes the best of the rest too, below that floor, at
 *   most PROFILE_BELOW_FLOOR of them: best by relevance, then newest. For a question that does
 *   not ask for advice (a question of fact), nothing below the floor is added.
 *
 * Each memory keeps its own relevance (never raised for being a preference); nothing here reaches
 * `text_mem` or chat's facts.
 */
import type { MemoryScope, MemoryType } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { fuse, keywordCoverage } from "../rank.js";
import { statesPreference } from "../stance.js";
import { stem, wordsOf } from "../words.js";
import { asksForAdvice } from "./advice-request.js";
import type { RecallCandidate, RecallQuery } from "./candidate.js";

/** What a user's message stating a preference is stored as (fast mode: the message itself). */
export const STATED_PREFERENCE_TYPE: MemoryType = "UserMemory";
/**
 * A stated preference is listed only this relevant: chat shows preferences without its threshold,
 * and a stance barely related to the question is noise in the prompt (0.2 ≈ an unrelated text at
 * the embedder's 90th percentile, see vector-scale.ts). Advice requests only go below it.
 */
export const STATED_PREFERENCE_MIN_RELEVANCE = 0.2;
/** The wider vector pool: the cube's user messages nearest the query. */
export const WIDE_POOL = 100;
/** At most this many preferences below the floor join an advice request's list (pref_top_k bounds the list as a whole). */
export const PROFILE_BELOW_FLOOR = 3;

export interface PreferenceRound {
  context: MemoryContext;
  query: RecallQuery;
  scope: MemoryScope;
  /** The cube's ranked candidates (relevance > 0), best first. */
  ranked: readonly RecallCandidate[];
}

const isStated = (candidate: RecallCandidate) => candidate.memory.memoryType === STATED_PREFERENCE_TYPE && statesPreference(candidate.memory.text);

/** Best by relevance, then the newer. */
const byRelevanceThenNewest = (a: RecallCandidate, b: RecallCandidate) => b.relevance - a.relevance || b.memory.chatTime.localeCompare(a.memory.chatTime);

/** The cube's stated preferences for this query, best first. */
export async function statedPreferences(round: PreferenceRound): Promise<RecallCandidate[]> {
  const advice = round.query.text !== undefined && asksForAdvice(round.query.text);
  // The wider pool is one more vector lookup and read per search: only advice requests pay for it.
  const pool = [...round.ranked.filter(isStated), ...(advice ? await widerPool(round) : [])].sort(byRelevanceThenNewest);
  const above = pool.filter((candidate) => candidate.relevance >= STATED_PREFERENCE_MIN_RELEVANCE);
  if (!advice) return above;
  const below = pool.filter((candidate) => candidate.relevance < STATED_PREFERENCE_MIN_RELEVANCE).slice(0, PROFILE_BELOW_FLOOR);
  return [...above, ...below];
}

/**
 * Stated preferences among the cube's user messages nearest the query by vector that the first
 * recall did not bring. Their relevance is fused as in the first recall, the keyword share counted
 * with equal word weights (the cube's word frequencies are not looked up again for them). The pool
 * is sifted on the memories' texts alone, and only the stated preferences are read whole: in real
 * chat most of a hundred user turns state none.
 */
async function widerPool(round: PreferenceRound): Promise<RecallCandidate[]> {
  const { context, query, scope } = round;
  if (!query.vector || scope.filter || (scope.memoryTypes && !scope.memoryTypes.includes(STATED_PREFERENCE_TYPE))) return [];
  const known = new Set(round.ranked.map((candidate) => candidate.memory.id));
  const hits = (await context.store.searchVectors({ cubeId: scope.cubeId, memoryTypes: [STATED_PREFERENCE_TYPE] }, query.vector, WIDE_POOL)).filter(
    (hit) => !known.has(hit.id),
  );
  if (hits.length === 0) return [];
  const stated = (await context.store.memoryTextsOf(hits.map((hit) => hit.id))).filter(
    (memory) => memory.status === "activated" && memory.memoryType === STATED_PREFERENCE_TYPE && statesPreference(memory.text),
  );
  if (stated.length === 0) return [];
  const similarity = new Map(hits.map((hit) => [hit.id, hit.score]));
  const equal = new Map(query.words.map((word) => [word, 1]));
  const found: RecallCandidate[] = [];
  for (const memory of await context.store.getMemories(stated.map((memory) => memory.id))) {
    // Read again whole: a memory changed between the two reads is judged as it is now.
    if (memory.status !== "activated" || memory.memoryType !== STATED_PREFERENCE_TYPE || !statesPreference(memory.text)) continue;
    const words = new Set(wordsOf(memory.text).map(stem));
    const relevance = fuse(similarity.get(memory.id) ?? 0, keywordCoverage(query.words, equal, words), query.scale);
    if (relevance > 0) found.push({ memory, relevance, inSession: false, words, vector: undefined });
  }
  return found;
}
