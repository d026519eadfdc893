/**
 * TRIED, NOT KEPT (issue 18, dev figures in docs/retrieval.md): not wired into widenRecall; the
 * environment knobs are the ones the dev runs varied. Removed in the next commit.
 *
 * Questions about the asker ("Would I enjoy …?", "Am I …?", "Is that my kind of …?"; 我是不是…,
 * 我算不算…, …我…吗; "Bin ich …?", "Würde ich …?") are answered by what the user said about
 * themselves, not by the assistant's offers: an inference about a person rests on their own words.
 * Told by closed classes only: a yes/no question (an auxiliary or modal first; Chinese 吗 or an
 * A-not-A verb; a German finite verb first) with a first-person pronoun. The user's own relevant
 * messages move part of the way towards 1; a message of zero relevance stays at zero.
 */
import type { RecallRound } from "./candidate.js";
import { STATED_PREFERENCE_TYPE } from "./preferences.js";

/** How far the user's own message moves towards 1. */
export const SELF_BOOST = Number(process.env.SQ_BOOST ?? 0.15);

const YES_NO_EN = /^\s*(?:am|is|are|was|were|do|does|did|have|has|had|would|will|could|can|should|shall|might|may|must)\b[^?]*\b(?:i|me|my|mine|myself)\b/i;
const FIRST_PERSON_ZH = /我/u;
const YES_NO_ZH = [/[吗嘛][？?]?\s*$/u, /(\p{Script=Han})不\1/u, /是不是|算不算|会不会|能不能|有没有/u];
const YES_NO_DE =
  /^\s*(?:bin|bist|ist|sind|war|wäre|habe|hab|hat|hätte|würde|werde|kann|könnte|sollte|soll|mag|muss|darf)\s+(?:ich|mich|mir)\b|^\s*\p{L}+\s+(?:ich|mich|mir)\b[^?]*\?\s*$/iu;

export function asksAboutAsker(text: string): boolean {
  if (YES_NO_EN.test(text)) return true;
  if (FIRST_PERSON_ZH.test(text) && YES_NO_ZH.some((pattern) => pattern.test(text))) return true;
  return YES_NO_DE.test(text);
}

export function boostOwnWords(round: RecallRound): void {
  if (round.query.text === undefined || !asksAboutAsker(round.query.text)) return;
  for (const candidate of round.candidates) {
    if (candidate.relevance > 0 && candidate.memory.memoryType === STATED_PREFERENCE_TYPE && candidate.memory.source === "conversation") {
      candidate.relevance += (1 - candidate.relevance) * SELF_BOOST;
    }
  }
}
