/**
 * Recall beyond the query's own words and vector, run on one cube's candidates after the first
 * recall (search.ts): each mechanism in a file of its own, each a fixed number of batched store
 * lookups. Not run for filtered searches (a lookup here cannot check a filter).
 */
import type { RecallRound } from "./candidate.js";
import { boostDatedTurns } from "./dated.js";
import { boostNamedMonth } from "./named-month.js";
import { addHanBackoff } from "./han-backoff.js";
import { addPreviousTurns } from "./previous-turn.js";
import { addSessionTurns } from "./session.js";

export type { RecallCandidate, RecallRound } from "./candidate.js";

export async function widenRecall(round: RecallRound): Promise<void> {
  if (round.scope.filter || round.candidates.length === 0) return;
  await addHanBackoff(round);
  await addPreviousTurns(round);
  await addSessionTurns(round);
  boostDatedTurns(round);
  boostNamedMonth(round);
}
