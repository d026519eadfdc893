import { Jieba } from "@node-rs/jieba";
import { dict } from "@node-rs/jieba/dict.js";

const HAN = /\p{Script=Han}/u;
const KANA_OR_HANGUL = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORDLIKE = /[\p{L}\p{N}]/u;

let jieba: Jieba | undefined;
/**
 * The dictionary takes ~200 ms and ~60 MB to load: once, on the first Chinese text, so that
 * servers that never see Chinese never pay for it.
 */
function chineseSegmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

const genericSegmenter = new Intl.Segmenter(undefined, { granularity: "word" });
const japaneseSegmenter = new Intl.Segmenter("ja", { granularity: "word" });

/** Segment strings only: keeping ICU's segment objects costs memory quadratic in the text length. */
function segmentStrings(segmenter: Intl.Segmenter, text: string): string[] {
  const words: string[] = [];
  for (const part of segmenter.segment(text)) words.push(part.segment);
  return words;
}

const WINDOW = 2000;

/** Cuts long text at whitespace (or anywhere, failing that) into windows segmented one by one. */
function windows(text: string): string[] {
  if (text.length <= WINDOW) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + WINDOW, text.length);
    if (end < text.length) {
      const space = text.lastIndexOf(" ", end);
      if (space > start + WINDOW / 2) end = space;
      else if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? "")) end -= 1;
    }
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/**
 * ASCII text's word segments, as ICU's word rules (UAX #29) cut ASCII: runs of letters, digits and
 * `_`, joined across one `:`, `.` or `'` between letters and one `.`, `,`, `;` or `'` between digits
 * (x.com, 3,000). About 20× faster than the segmenter, and a search segments ~80 texts. Used only
 * when the segmenter cuts the probes below the same way (its rules vary a little by locale).
 */
// eslint-disable-next-line no-control-regex -- ASCII is the range from \x00
const ASCII = /^[\x00-\x7f]*$/;
const ASCII_WORD = /[A-Za-z0-9_]+(?:(?:(?<=[A-Za-z])[:.'](?=[A-Za-z])|(?<=[0-9])[.,;'](?=[0-9]))[A-Za-z0-9_]+)*/g;
const asciiSegments = (text: string): string[] => text.match(ASCII_WORD) ?? [];
const PROBES = ["x.com a:b 3,000 1;2 9:30 a.1 a,b e.g. a_b _a it's 1'2 a-b a@b.com $5.00 a..b a_.b ab12cd"];
const wordlike = (parts: readonly string[]) => parts.filter((part) => WORDLIKE.test(part));
const asciiLikeSegmenter = PROBES.every(
  (probe) => JSON.stringify(wordlike(asciiSegments(probe))) === JSON.stringify(wordlike(segmentStrings(genericSegmenter, probe))),
);

function segments(text: string): string[] {
  if (asciiLikeSegmenter && ASCII.test(text)) return windows(text).flatMap(asciiSegments);
  if (KANA_OR_HANGUL.test(text)) return windows(text).flatMap((piece) => segmentStrings(japaneseSegmenter, piece));
  if (HAN.test(text)) return windows(text).flatMap((piece) => chineseSegmenter().cutForSearch(piece, true));
  return windows(text).flatMap((piece) => segmentStrings(genericSegmenter, piece));
}

/**
 * The words of a text for the keyword index: Chinese segmented by jieba (search mode, so that
 * both 定好 and its parts match), Japanese and Korean by ICU, other scripts at word boundaries;
 * English words stay whole. Lower-cased; punctuation and spaces dropped.
 */
export function wordsOf(text: string): string[] {
  if (asciiLikeSegmenter && text.length <= WINDOW && ASCII.test(text)) return asciiWordsOf(text);
  return segments(text.normalize("NFKC").replace(APOSTROPHES, " "))
    .map((word) => foldLatin(word.trim().toLowerCase()))
    .filter((word) => WORDLIKE.test(word));
}

const APOSTROPHES = /['\u2019]/gu;
const ASCII_WORDLIKE = /[a-z0-9]/;

/**
 * What the general path below gives for ASCII text, in one pass over it: NFKC and accent folding
 * change no ASCII character, and lower-casing before the cut cuts alike (the word rules see letters
 * either way). A search reads the words of a few hundred memories.
 */
function asciiWordsOf(text: string): string[] {
  return (text.replace(APOSTROPHES, " ").toLowerCase().match(ASCII_WORD) ?? []).filter((word) => ASCII_WORDLIKE.test(word));
}
const LATIN_WITH_MARKS = /^[\p{Script=Latin}\p{M}\p{N}]+$/u;

/** café → cafe, as the keyword index folds it (only Latin: marks carry meaning in kana). */
function foldLatin(word: string): string {
  // ASCII has no marks to fold (and normalising it twice cost a search ~0.3 ms).
  if (ASCII.test(word) || !LATIN_WITH_MARKS.test(word)) return word;
  return word
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .normalize("NFC");
}

// Words too common to tell memories apart; dropped from queries only (memories keep them).
const QUERY_STOPWORDS = new Set([
  ..."a an the and or but if of to in on at by for with from about as into is are was were be been being am do does did done have has had i me my mine we us our you your he him his she her it its they them their this that these those what which who whom whose when where why how can could should would will shall may might must not no so than then there here just also very too any some all".split(
    " ",
  ),
  ..."的 了 是 我 你 他 她 它 们 吗 呢 吧 啊 呀 和 与 或 在 有 就 都 也 还 又 把 被 这 那 哪 哪些 什么 怎么 怎样 如何 为什么 一个 一下 可以 可 能 会 要 想 请 吗 么 之 得 地 着 过 给 让 对 从 到".split(
    " ",
  ),
]);

/** Whether a word is too common to search for (the, what, 的, 什么, …). */
export function isQueryStopword(word: string): boolean {
  return QUERY_STOPWORDS.has(word);
}

/** The words of a query worth searching for; all of them when every word is common. */
export function queryWordsOf(text: string): string[] {
  const words = [...new Set(wordsOf(text))];
  const contentWords = words.filter((word) => !QUERY_STOPWORDS.has(word));
  return contentWords.length > 0 ? contentWords : words;
}

const ENGLISH_WORD = /^[a-z]+$/;
const VOWEL = /[aeiouy]/;

/**
 * A light English stemmer, so that "moved", "moving" and "moves" meet at "mov": plural and verb
 * endings are cut, a doubled final consonant is undone (running → run) and a final e dropped.
 * Deliberately conservative (no -er, -ly, -ness): a wrong merge costs more than a missed one.
 */
export function stem(word: string): string {
  if (word.length <= 3 || !ENGLISH_WORD.test(word)) return word;
  let base = word;
  if (base.endsWith("ies") && base.length > 4) base = `${base.slice(0, -3)}y`;
  else if (base.endsWith("sses")) base = base.slice(0, -2);
  else if (base.endsWith("s") && !/(ss|us|is)$/.test(base)) base = base.slice(0, -1);
  for (const ending of ["ing", "ed"]) {
    const rest = base.slice(0, -ending.length);
    if (base.endsWith(ending) && rest.length >= 3 && VOWEL.test(rest) && !(ending === "ed" && rest.endsWith("e"))) {
      base = /([b-df-hj-np-tv-z])\1$/.test(rest) && !/(ll|ss|zz)$/.test(rest) ? rest.slice(0, -1) : rest;
      break;
    }
  }
  if (base.endsWith("e") && base.length > 3) base = base.slice(0, -1);
  return base;
}

/**
 * The words a memory is indexed under: its words and, for English words, their stems too. Both:
 * so that memories indexed before stems were added (words only) and after are found alike.
 */
export function indexWordsOf(text: string): string[] {
  const words = wordsOf(text);
  const extra = new Set<string>();
  for (const word of words) {
    const stemmed = stem(word);
    if (stemmed !== word) extra.add(stemmed);
  }
  return [...words, ...extra];
}

/** A memory's words as ranking compares them with a query's: stemmed, each once. */
export function stemmedWordSet(text: string): Set<string> {
  return new Set(wordsOf(text).map(stem));
}
