import { indexWordsOf } from "./words.js";

/**
 * The keyword-index text of a memory: its words and their stems. Nothing about ranking is written
 * here, so that a change of ranking never needs a re-index. (Memories indexed by earlier versions
 * may carry the word `memcubeconstraintcue`; no query asks for it, so it is harmless.)
 */
export function indexTextOf(text: string): string {
  return indexWordsOf(text).join(" ");
}

/**
 * The text a document chunk is indexed by: its file's name and the headings above it, then its own
 * text, so that a search for the file or a section recalls its chunks (`memcube migrate` rebuilds it).
 */
export function chunkIndexText(filename: string, headingPath: readonly string[], text: string): string {
  return [filename, ...headingPath, text].join("\n");
}
