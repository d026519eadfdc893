import { CONSTRAINT_MARK, statesConstraint } from "./cues.js";
import { indexWordsOf } from "./words.js";

/**
 * The keyword-index text of a memory: its words, their stems, and a mark on statements of a
 * lasting constraint, so that an advice query can recall every such statement of the cube at once.
 */
export function indexTextOf(text: string): string {
  const words = indexWordsOf(text);
  if (statesConstraint(text)) words.push(CONSTRAINT_MARK);
  return words.join(" ");
}
