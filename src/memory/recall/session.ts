/**
 * Session-level recall: facts told over one conversation are found together. When several of the
 * best candidates come from one session, that session is about the question, and its other turns
 * rise part of the way towards the session's own relevance: a turn that shares no word with the
 * query ("we ended up taking the night train") joins its session's hits. The lift is a share of the
 * session's second-best relevance (two hits needed), and never above 35 % of it, so that no turn
 * crosses chat's default threshold (0.5) by this lift.
 */
import { best, join, type RecallCandidate, type RecallRound } from "./candidate.js";

/** The best candidates that decide which sessions are about the question. */
const SCAN = 10;
/** A session needs this many of them. */
const HITS = 2;
/** At most this many sessions are widened (one lookup each). */
const SESSIONS = 2;
/** At most this many turns of a session are read (the newest). */
const TURNS = 60;
/** How far a turn rises towards its session's relevance (a share of the remaining way, times that relevance). */
export const SESSION_SHARE = 0.3;
/**
 * A lifted turn stays below this share of its session's relevance: the lift reorders the turns
 * under the hits and carries none across chat's default threshold (0.5) that was not over it already.
 */
export const SESSION_CAP = 0.35;

export async function addSessionTurns(round: RecallRound): Promise<void> {
  const bySession = new Map<string, RecallCandidate[]>();
  for (const candidate of best(round.candidates, SCAN)) {
    if (candidate.relevance <= 0 || candidate.memory.source !== "conversation") continue;
    const hits = bySession.get(candidate.memory.sessionId) ?? [];
    hits.push(candidate);
    bySession.set(candidate.memory.sessionId, hits);
  }
  const hot = [...bySession.entries()]
    .filter(([, hits]) => hits.length >= HITS)
    .map(([sessionId, hits]) => ({ sessionId, heat: hits[HITS - 1]?.relevance ?? 0, hits: hits.length }))
    .sort((a, b) => b.hits - a.hits || b.heat - a.heat)
    .slice(0, SESSIONS);
  if (hot.length === 0) return;
  const { store } = round.context;
  const turns = await Promise.all(hot.map(({ sessionId }) => store.recentMemories(round.scope.cubeId, sessionId, TURNS)));
  const heatOf = new Map(hot.map(({ sessionId, heat }) => [sessionId, heat]));
  for (const candidate of await join(
    round,
    turns.flat().filter((memory) => memory.source === "conversation"),
  )) {
    const heat = heatOf.get(candidate.memory.sessionId) ?? 0;
    const lifted = Math.min(candidate.relevance + (1 - candidate.relevance) * SESSION_SHARE * heat, SESSION_CAP * heat);
    candidate.relevance = Math.max(candidate.relevance, lifted);
  }
}
