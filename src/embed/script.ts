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

// Function words (articles, pronouns, conjunctions, prepositions, auxiliaries): a closed class that
// tells a language by its commonest words, whatever the text is about.
const ENGLISH_FUNCTION_WORDS = new Set(
  "the a an and or but of to in on at for with from is are was were be been have has had do does did not i you he she we they it my your our this that".split(
    " ",
  ),
);
const OTHER_FUNCTION_WORDS = new Set(
  [
    // German
    "der die das den dem des und oder aber ist sind war nicht ich du er sie wir ihr es ein eine einen mit auf für von zu im auch noch wie was wenn dass mein meine kein keine",
    // French
    "le la les un une des et ou mais est sont était ne pas je tu il elle nous vous ils avec pour dans sur du au aux mon ma mes",
    // Spanish
    "el los las y o pero es son era no yo tú él ella nosotros con por para en del al mi mis muy",
  ]
    .join(" ")
    .split(" "),
);
const WORD = /\p{L}+/gu;

/**
 * Whether a Latin-script text reads as English: it has at least as many English function words as
 * German, French or Spanish ones. The bundled encoder knows English words only; other languages
 * come out as word pieces whose vectors all look alike, so such text is left to the keyword channel.
 */
export function readsAsEnglish(text: string): boolean {
  let english = 0;
  let other = 0;
  for (const [word] of text.toLowerCase().matchAll(WORD)) {
    if (ENGLISH_FUNCTION_WORDS.has(word)) english += 1;
    else if (OTHER_FUNCTION_WORDS.has(word)) other += 1;
  }
  return other < 2 || english >= other;
}

/** What the bundled English encoder gives a meaningful vector: mostly Latin text that reads as English. */
export function englishEncoderRepresents(text: string): boolean {
  return isMostlyLatin(text) && readsAsEnglish(text);
}
