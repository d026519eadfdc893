import { indexWordsOf } from "./words.js";

/**
 * The keyword-index text of a memory: its words and their stems. Nothing about ranking is written
 * here, so that a change of ranking never needs a re-index. (Memories indexed by earlier versions
 * may carry the word `memcubeconstraintcue`; no query asks for it, so it is harmless.)
 */
export function indexTextOf(text: string): string {
  return indexWordsOf(text).join(" ");
}
