/** Pure ranking functions: how the two channels become one relevance score, and de-duplication. */

import { DEFAULT_VECTOR_SCALE, type VectorScale } from "./vector-scale.js";

/**
 * Cosine similarity of two normalised vectors. Four sums side by side: a search takes several
 * hundred of these (MMR, memories joined by recall), and the unrolled loop is about 1.5× faster.
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  const length = Math.min(a.length, b.length);
  let dot0 = 0;
  let dot1 = 0;
  let dot2 = 0;
  let dot3 = 0;
  let index = 0;
  for (; index + 3 < length; index += 4) {
    dot0 += (a[index] as number) * (b[index] as number);
    dot1 += (a[index + 1] as number) * (b[index + 1] as number);
    dot2 += (a[index + 2] as number) * (b[index + 2] as number);
    dot3 += (a[index + 3] as number) * (b[index + 3] as number);
  }
  for (; index < length; index += 1) dot0 += (a[index] as number) * (b[index] as number);
  return dot0 + dot1 + dot2 + dot3;
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
 * `candidates` must be sorted by relevance, best first (search's ranked lists are).
 */
export function mmr<T extends Rankable>(
  candidates: readonly T[],
  similarity: (a: T, b: T) => number,
  options: { lambda: number; duplicate: number; limit: number },
): T[] {
  // Lazy: a candidate's score is at most lambda × relevance, so a scan in relevance order stops at
  // the first candidate that cannot beat the best score so far, and redundancy against the picks is
  // brought up to date only for candidates the scan reaches. The picks are those of the full scan
  // (the first best score in list order wins), at a fraction of the similarities: a list of a few
  // hundred candidates costs about `limit` × a few instead of `limit` × its length.
  const entries = candidates.map((candidate) => ({ candidate, redundancy: 0, compared: 0, out: false }));
  const picked: T[] = [];
  let head = 0;
  while (picked.length < options.limit) {
    while (head < entries.length && (entries[head] as (typeof entries)[number]).out) head += 1;
    let best: (typeof entries)[number] | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let index = head; index < entries.length; index += 1) {
      const entry = entries[index] as (typeof entries)[number];
      if (entry.out) continue;
      if (options.lambda * entry.candidate.relevance <= bestScore) break;
      for (; entry.compared < picked.length; entry.compared += 1) {
        entry.redundancy = Math.max(entry.redundancy, similarity(entry.candidate, picked[entry.compared] as T));
      }
      if (entry.redundancy >= options.duplicate) {
        entry.out = true;
        continue;
      }
      const score = options.lambda * entry.candidate.relevance - (1 - options.lambda) * entry.redundancy;
      if (score > bestScore) {
        bestScore = score;
        best = entry;
      }
    }
    if (!best) break;
    best.out = true;
    picked.push(best.candidate);
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
