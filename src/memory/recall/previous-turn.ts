/**
 * The turn before a relevant turn: what a reply answers or what a statement continues ("Where did
 * you end up?" before "Elm Park, top floor"). search.ts already lends a relevant turn's relevance to
 * the turn after it; this is the other direction. The previous turn joins below its source, at a
 * share under half, so that a neighbour alone never reaches chat's default threshold (0.5).
 */
import { best, join, type RecallCandidate, type RecallRound } from "./candidate.js";

/** The share of a turn's relevance the turn before it gets. */
export const PREVIOUS_TURN_SHARE = 0.4;
/** Among this many best candidates (one batched lookup for all of them). */
const SCAN = 15;

export async function addPreviousTurns(round: RecallRound): Promise<void> {
  const sources = new Map<string, RecallCandidate>();
  for (const candidate of best(round.candidates, SCAN)) {
    const messageId = candidate.memory.sources[0]?.messageId;
    if (candidate.relevance > 0 && candidate.memory.source === "conversation" && messageId !== undefined && !sources.has(messageId)) {
      sources.set(messageId, candidate);
    }
  }
  if (sources.size === 0) return;
  const { store } = round.context;
  const preceding = await store.precedingMessages(round.scope.cubeId, [...sources.keys()]);
  const sourceOf = new Map<string, RecallCandidate>();
  for (const [messageId, previous] of preceding) {
    const source = sources.get(messageId);
    const other = sourceOf.get(previous.messageId);
    if (source && (!other || other.relevance < source.relevance)) sourceOf.set(previous.messageId, source);
  }
  const memories = await store.memoriesFromMessages(round.scope.cubeId, [...sourceOf.keys()]);
  for (const candidate of await join(round, memories)) {
    const source = sourceOf.get(candidate.memory.sources.at(-1)?.messageId ?? "");
    if (source && source !== candidate) candidate.relevance = Math.max(candidate.relevance, source.relevance * PREVIOUS_TURN_SHARE);
  }
}
