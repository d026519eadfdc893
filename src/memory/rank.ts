/** Pure ranking functions: how the two channels become one relevance score, and de-duplication. */

import { DEFAULT_VECTOR_SCALE, type VectorScale } from "./vector-scale.js";

/** Cosine similarity of two normalised vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < a.length; index += 1) dot += (a[index] ?? 0) * (b[index] ?? 0);
  return dot;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** Inverse document frequency (BM25's, always positive). */
export function idf(documents: number, frequency: number): number {
  return Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5));
}

/** The idf-weighted share of the query's words that a memory contains, 0..1. */
export function keywordCoverage(queryWords: readonly string[], weights: ReadonlyMap<string, number>, memoryWords: ReadonlySet<string>): number {
  let total = 0;
  let found = 0;
  for (const word of queryWords) {
    const weight = weights.get(word) ?? 0;
    total += weight;
    if (memoryWords.has(word)) found += weight;
  }
  return total > 0 ? found / total : 0;
}

const KEYWORD_WEIGHT = 0.9;
/**
 * The most the vector channel gives on its own. Without a ceiling, every memory at least as close
 * as a paraphrase scores 1 and a memory that also holds the query's words cannot rank above them
 * (a low-dimensional or coarse embedder puts many memories there); below it the scale is unchanged,
 * so thresholds mean what they did.
 */
const VECTOR_CEILING = 0.95;

/**
 * One relevance in 0..1 from the two channels, as a probabilistic OR: a memory that either
 * channel finds strongly is relevant, and agreement between them raises the score further.
 * `vectorSimilarity` is undefined when the query could not be embedded meaningfully; it is
 * rescaled by the embedder's own scale (vector-scale.ts), so that "unrelated" is 0 and a
 * paraphrase 1 whatever the model, and the two channels are comparable.
 */
export function fuse(vectorSimilarity: number | undefined, coverage: number, scale: VectorScale = DEFAULT_VECTOR_SCALE): number {
  const keyword = Math.min(1, Math.max(0, coverage)) * KEYWORD_WEIGHT;
  if (vectorSimilarity === undefined) return keyword / KEYWORD_WEIGHT;
  const vector = Math.min(VECTOR_CEILING, Math.max(0, (vectorSimilarity - scale.floor) / scale.span));
  return 1 - (1 - vector) * (1 - keyword);
}

/** Same-session memories rise part of the way towards 1. */
export function boost(relevance: number, share: number): number {
  return relevance + (1 - relevance) * share;
}

export interface Rankable {
  relevance: number;
}

/**
 * Maximal marginal relevance: picks, one at a time, the candidate best balancing relevance
 * against similarity to those already picked. Near-duplicates (similarity ≥ `duplicate`) are dropped.
 */
export function mmr<T extends Rankable>(
  candidates: readonly T[],
  similarity: (a: T, b: T) => number,
  options: { lambda: number; duplicate: number; limit: number },
): T[] {
  // Each candidate's similarity to the closest pick so far, updated against the newest pick only.
  const remaining = candidates.map((candidate) => ({ candidate, redundancy: 0 }));
  const picked: T[] = [];
  while (picked.length < options.limit && remaining.length > 0) {
    let bestIndex = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    remaining.forEach(({ candidate, redundancy }, index) => {
      const score = options.lambda * candidate.relevance - (1 - options.lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        bestIndex = index;
      }
    });
    const [chosen] = remaining.splice(bestIndex, 1);
    if (!chosen) break;
    picked.push(chosen.candidate);
    for (let index = remaining.length - 1; index >= 0; index -= 1) {
      const entry = remaining[index] as { candidate: T; redundancy: number };
      entry.redundancy = Math.max(entry.redundancy, similarity(entry.candidate, chosen.candidate));
      if (entry.redundancy >= options.duplicate) remaining.splice(index, 1);
    }
  }
  return picked;
}

/** Keeps order; drops every candidate too similar to one kept before it. */
export function dropDuplicates<T>(candidates: readonly T[], similarity: (a: T, b: T) => number, duplicate: number, limit: number): T[] {
  const kept: T[] = [];
  for (const candidate of candidates) {
    if (kept.length >= limit) break;
    if (kept.every((chosen) => similarity(candidate, chosen) < duplicate)) kept.push(candidate);
  }
  return kept;
}
