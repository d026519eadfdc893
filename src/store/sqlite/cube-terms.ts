import { createHash } from "node:crypto";

/**
 * Keyword terms are stored tagged with their cube (`c<10 hex>x<word>`), so that FTS5 — one index
 * for every cube — behaves as one index per cube: a word matches only the documents of the cube
 * searched (the cost of a search follows the cube's size, not the whole store's), and FTS5's own
 * vocabulary counts give per-cube document frequencies, which never reveal other users' words.
 * Each document also holds the bare tag, whose document count is the cube's size.
 */
export function cubeTag(cubeId: string): string {
  return `c${createHash("sha256").update(cubeId).digest("hex").slice(0, 10)}x`;
}

/** FTS5's unicode61 tokenizer splits at anything but letters, digits and marks: split the same way. */
const SEPARATORS = /[^\p{L}\p{N}\p{M}]+/u;

/** The terms one word is indexed under (usually one; `x.com` gives two). */
export function termsOf(tag: string, word: string): string[] {
  return word
    .toLowerCase()
    .split(SEPARATORS)
    .filter((part) => part !== "")
    .map((part) => tag + part);
}

/** The text stored in the FTS5 table for a memory's space-separated words. */
export function documentTerms(cubeId: string, keywords: string): string {
  const tag = cubeTag(cubeId);
  return [tag, ...keywords.split(/\s+/).flatMap((word) => termsOf(tag, word))].join(" ");
}
