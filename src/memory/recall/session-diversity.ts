/**
 * TRIED, NOT KEPT (issue 18, dev figures in docs/retrieval.md): not wired into widenRecall; the
 * environment knobs are the ones the dev runs varied. Removed in the next commit.
 *
 * Cross-session diversity at the top of the list: facts of one question are often told in several
 * conversations, while the first recall, and the neighbour and session mechanisms after it, fill
 * the top with turns of the session that matches best. When one session holds most of the top
 * window, the best candidates of sessions not yet in it rise to the window's last place, if they
 * are nearly as relevant on their own. They never rise above that place, nor across chat's default
 * threshold (0.5).
 */
import { best, type RecallRound } from "./candidate.js";

/** The top of the list read (about what fits in a short prompt). */
const WINDOW = Number(process.env.DV_WINDOW ?? 8);
/** One session holding this many of the window is crowding it. */
const CROWDED = Number(process.env.DV_CROWDED ?? 5);
/** At most this many candidates of other sessions are let in. */
const LET_IN = Number(process.env.DV_LET_IN ?? 2);
/** A candidate let in is at least this share of the window's last relevance on its own. */
const MIN_SHARE = Number(process.env.DV_MIN_SHARE ?? 0.6);
/** Never lifted to this or above. */
const CAP = 0.49;
const LIFT_TO = Number(process.env.DV_TO ?? WINDOW);

export function diversifySessions(round: RecallRound): void {
  const ranked = best(round.candidates, round.candidates.length).filter((candidate) => candidate.relevance > 0);
  const window = ranked.slice(0, WINDOW);
  if (window.length < WINDOW) return;
  const counts = new Map<string, number>();
  for (const candidate of window) counts.set(candidate.memory.sessionId, (counts.get(candidate.memory.sessionId) ?? 0) + 1);
  if (Math.max(...counts.values()) < CROWDED) return;
  const last = window.at(-1)?.relevance ?? 0;
  const target = Math.min(window[LIFT_TO - 1]?.relevance ?? last, CAP);
  const others = ranked
    .slice(WINDOW)
    .filter((candidate) => !counts.has(candidate.memory.sessionId) && candidate.relevance >= MIN_SHARE * last && candidate.relevance < target);
  const seen = new Set<string>();
  let letIn = 0;
  for (const candidate of others) {
    if (letIn >= LET_IN) break;
    if (seen.has(candidate.memory.sessionId)) continue;
    seen.add(candidate.memory.sessionId);
    candidate.relevance = target;
    letIn += 1;
  }
}
