/**
 * Writing-script detection, used to decide whether the bundled English encoder can give a text a
 * meaningful vector. Its vocabulary covers Latin-script words only: Chinese, Japanese, Korean,
 * Cyrillic, Arabic… all become unknown tokens, so such text gets a vector without meaning (and every
 * such text gets nearly the same one, which would make unrelated memories look alike).
 */

const LETTER = /\p{L}/gu;
// A lookahead so that only letters count: the Latin script property also covers a few
// non-letters (e.g. the Roman numeral signs Ⅰ Ⅱ), which say nothing about the language.
const LATIN_LETTER = /(?=\p{Script=Latin})\p{L}/gu;

/**
 * The share of Latin letters at or above which a text counts as mostly Latin.
 *
 * Letters are counted one per code point, so a CJK character (which carries roughly a word) weighs
 * as much as one Latin letter (a fifth of a word). A half share therefore already needs the Latin
 * part to hold a few real words: "I love 北京烤鸭 a lot" (9 Latin, 4 Han) passes and its vector is
 * carried by "I love … a lot"; "我昨天买了一部新的 iPhone 手机" (6 Latin, 11 Han) does not. Erring towards
 * the vector channel for mixed text is cheap because the keyword channel indexes every text anyway;
 * a vector for text that is mostly unknown tokens is the costly mistake.
 */
export const LATIN_SHARE_THRESHOLD = 0.5;

function countMatches(text: string, pattern: RegExp): number {
  let count = 0;
  for (const _ of text.matchAll(pattern)) count++;
  return count;
}

/**
 * The share (0..1) of the text's letters that are Latin script, or `undefined` when the text has no
 * letters at all (digits, punctuation, emoji and spaces are not letters).
 */
export function latinLetterShare(text: string): number | undefined {
  const letters = countMatches(text, LETTER);
  if (letters === 0) return undefined;
  return countMatches(text, LATIN_LETTER) / letters;
}

/**
 * Whether the letters of the text are mostly Latin script, i.e. the English encoder can represent
 * it. Text without letters ("2024-05-01", "!!!", "") counts as Latin: numbers and punctuation are
 * in the encoder's vocabulary, and there is nothing in another script to misrepresent.
 */
export function isMostlyLatin(text: string): boolean {
  const share = latinLetterShare(text);
  return share === undefined || share >= LATIN_SHARE_THRESHOLD;
}
