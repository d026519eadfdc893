/**
 * Sub-word back-off for Chinese: a query word of several Han characters (a compound, 喝茶 "drinking
 * tea") often stands in no memory as such, while the memory that answers it holds one of its
 * characters as a word of its own (…泡一壶茶, "brew a pot of tea"). Word segmentation cuts query and memory
 * differently, and the bundled encoder gives Chinese no vector, so such a memory has no channel
 * that finds it. The characters of the query's Han words (stop words left out) are searched as
 * words, one keyword lookup; a memory found only by them gets a share of their idf-weighted
 * coverage, so that it joins below the memories that hold the query's words, and stays far below
 * chat's threshold (0.5). Nothing is indexed for it.
 */
import { idf, keywordCoverage } from "../rank.js";
import { isQueryStopword } from "../words.js";
import { join, type RecallRound } from "./candidate.js";

/** The most a memory found by characters alone gets: this share of their coverage. */
export const BACKOFF_SHARE = 0.3;
/** At most this many memories are fetched by characters. */
const CANDIDATES = 20;

const HAN_WORD = /^\p{Script=Han}{2,}$/u;

/** The single characters of the query's Han words (its content words) that are not words of the query already. */
export function backoffCharacters(words: readonly string[]): string[] {
  const asked = new Set(words);
  const characters = words.filter((word) => HAN_WORD.test(word)).flatMap((word) => [...word]);
  return [...new Set(characters)].filter((character) => !asked.has(character) && !isQueryStopword(character));
}

export async function addHanBackoff(round: RecallRound): Promise<void> {
  const { query, scope, context } = round;
  const characters = backoffCharacters(query.words);
  if (characters.length === 0) return;
  const [hits, { documents, frequencies }] = await Promise.all([
    context.store.searchKeywords(scope, characters, CANDIDATES),
    context.store.wordFrequencies(scope.cubeId, characters),
  ]);
  if (hits.length === 0) return;
  const weights = new Map(characters.map((character) => [character, idf(Math.max(documents, 1), frequencies.get(character) ?? 0)]));
  const known = new Map(round.candidates.map((candidate) => [candidate.memory.id, candidate]));
  const fresh = hits.map((hit) => hit.id).filter((id) => !known.has(id));
  const memories = [...hits.flatMap((hit) => known.get(hit.id)?.memory ?? []), ...(fresh.length > 0 ? await context.store.getMemories(fresh) : [])];
  // A candidate's words are segmented once (join); a Han word's stem is the word itself.
  for (const candidate of await join(round, memories)) {
    candidate.relevance = Math.max(candidate.relevance, BACKOFF_SHARE * keywordCoverage(characters, weights, candidate.words));
  }
}
