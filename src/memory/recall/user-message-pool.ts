/**
 * The wider pool of an advice request: the cube's user messages nearest the query by vector. What
 * a user said about themselves often shares no word with the question it bears on ("I'm
 * vegetarian" and "Where should we eat?"), and the first recall's pool (its top 30–60 by either
 * channel, over every memory type) misses it, while the embedder still ranks it near the top of
 * the user's own messages. One vector lookup per search, shared by the mechanisms that read it
 * (stated preferences, preferences.ts; the nearest messages themselves, advice-context.ts).
 */
import type { MemoryRecord, MemoryScope, MemoryType, ScoredId } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { fuse, keywordCoverage } from "../rank.js";
import { stemmedWordSet } from "../words.js";
import type { RecallCandidate, RecallQuery } from "./candidate.js";

/** What a user's message is stored as (fast mode: the message itself). */
export const USER_MESSAGE_TYPE: MemoryType = "UserMemory";
/** How many of the cube's user messages the pool holds. */
export const WIDE_POOL = 100;

/** The cube's user messages nearest the query, best first (none for a filtered search or one without a vector). */
export async function nearestUserMessages(context: MemoryContext, query: RecallQuery, scope: MemoryScope): Promise<ScoredId[]> {
  if (!query.vector || scope.filter || (scope.memoryTypes && !scope.memoryTypes.includes(USER_MESSAGE_TYPE))) return [];
  return context.store.searchVectors({ cubeId: scope.cubeId, memoryTypes: [USER_MESSAGE_TYPE] }, query.vector, WIDE_POOL);
}

/**
 * Pool messages the first recall did not bring, read whole, as candidates. Their relevance is fused
 * as in the first recall, the keyword share counted with equal word weights (the cube's word
 * frequencies are not looked up again for them). `accept` is checked on the memory as read now:
 * one changed since it was sifted is judged as it is.
 */
export async function poolCandidates(
  context: MemoryContext,
  query: RecallQuery,
  hits: readonly ScoredId[],
  accept: (memory: MemoryRecord) => boolean = () => true,
): Promise<RecallCandidate[]> {
  if (hits.length === 0) return [];
  const similarity = new Map(hits.map((hit) => [hit.id, hit.score]));
  const equal = new Map(query.words.map((word) => [word, 1]));
  const found: RecallCandidate[] = [];
  for (const memory of await context.store.getMemories(hits.map((hit) => hit.id))) {
    if (memory.status !== "activated" || memory.memoryType !== USER_MESSAGE_TYPE || !accept(memory)) continue;
    const words = stemmedWordSet(memory.text);
    const relevance = fuse(similarity.get(memory.id) ?? 0, keywordCoverage(query.words, equal, words), query.scale);
    if (relevance > 0) found.push({ memory, relevance, inSession: false, words, vector: undefined });
  }
  return found;
}
