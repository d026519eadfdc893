/**
 * TRIED, NOT KEPT (issue 18, dev figures in docs/retrieval.md): not wired into widenRecall; the
 * environment knobs are the ones the dev runs varied. Removed in the next commit.
 *
 * Pseudo-relevance feedback on the vector channel (Rocchio): a second vector query, from the query
 * vector moved towards the vectors of the first round's best hits. Facts told in several sessions
 * are often close to each other and farther from the question: "I like Alex Angel" found by a
 * question about music, a later "Yes, I love Miss Li!" close to that hit more than to the question.
 * The second round's hits join, or rise, below the hit nearest to them (they lend, never exceed
 * their source) and below chat's default threshold (0.5); a hit of the first round keeps its own
 * relevance when it is higher. Only when the first round found something relevant, and only for
 * queries with a vector (a filtered search does not reach this folder).
 */
import { cosine, fuse } from "../rank.js";
import { best, join, type RecallCandidate, type RecallRound } from "./candidate.js";

/** The feedback: at most this many of the best candidates, each at least this relevant. */
const FEEDBACK_HITS = Number(process.env.FB_HITS ?? 3);
const FEEDBACK_MIN_RELEVANCE = Number(process.env.FB_MIN ?? 0.3);
/** Rocchio's weights: the query's vector and the mean of the feedback's vectors. */
const QUERY_WEIGHT = 1;
const FEEDBACK_WEIGHT = Number(process.env.FB_BETA ?? 0.75);
/** The second query's hits (one vector lookup). */
const SECOND_ROUND = Number(process.env.FB_K ?? 20);
/** A second-round hit gets at most this share of the relevance of the feedback hit nearest to it… */
export const FEEDBACK_SHARE = Number(process.env.FB_SHARE ?? 0.8);
/** …and never this much or more: nothing crosses chat's default threshold (0.5) by this lift. */
export const FEEDBACK_CAP = Number(process.env.FB_CAP ?? 0.45);

function moved(query: Float32Array, feedback: readonly Float32Array[]): Float32Array {
  const vector = new Float32Array(query.length);
  for (let index = 0; index < query.length; index += 1) {
    let sum = 0;
    for (const hit of feedback) sum += hit[index] ?? 0;
    vector[index] = QUERY_WEIGHT * (query[index] ?? 0) + (FEEDBACK_WEIGHT * sum) / feedback.length;
  }
  const norm = Math.hypot(...vector);
  return norm > 0 ? vector.map((value) => value / norm) : vector;
}

export async function addVectorFeedback(round: RecallRound): Promise<void> {
  const { query, scope, context } = round;
  if (!query.vector) return;
  const sources = best(round.candidates, FEEDBACK_HITS).filter(
    (candidate): candidate is RecallCandidate & { vector: Float32Array } => candidate.relevance >= FEEDBACK_MIN_RELEVANCE && candidate.vector !== undefined,
  );
  if (sources.length === 0) return;
  const second = moved(
    query.vector,
    sources.map((source) => source.vector),
  );
  const hits = await context.store.searchVectors(scope, second, SECOND_ROUND);
  const known = new Set(round.candidates.map((candidate) => candidate.memory.id));
  const fresh = hits.filter((hit) => !known.has(hit.id)).map((hit) => hit.id);
  const memories = [
    ...round.candidates.filter((candidate) => hits.some((hit) => hit.id === candidate.memory.id)).map((candidate) => candidate.memory),
    ...(fresh.length > 0 ? await context.store.getMemories(fresh) : []),
  ];
  const isSource = new Set(sources.map((source) => source.memory.id));
  for (const candidate of await join(round, memories)) {
    if (isSource.has(candidate.memory.id) || !candidate.vector) continue;
    const vector = candidate.vector;
    const nearest = sources.reduce((a, b) => (cosine(a.vector, vector) >= cosine(b.vector, vector) ? a : b));
    const closeness = process.env.FB_MODE === "source" ? fuse(cosine(nearest.vector, vector), 0, query.scale) : fuse(cosine(second, vector), 0, query.scale);
    const lent =
      process.env.FB_MODE === "source"
        ? Math.min(FEEDBACK_SHARE * nearest.relevance * closeness, FEEDBACK_CAP)
        : Math.min(closeness, FEEDBACK_SHARE * nearest.relevance, FEEDBACK_CAP);
    candidate.relevance = Math.max(candidate.relevance, lent);
  }
}
