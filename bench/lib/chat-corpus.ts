/**
 * The benchmark's two corpora behind one shape: `synthetic` (templates over a small vocabulary,
 * bench/lib/corpus.ts) and `real-chat`, a committed subset of the Schema-Guided Dialogue dataset
 * (bench/corpora/sgd/, CC BY-SA 4.0, see its README) whose messages have the length and vocabulary
 * of real conversation turns. Read from disk: nothing is downloaded.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { messages as syntheticMessages, questions as syntheticQuestions, seededRandom } from "./corpus.js";

export type Role = "user" | "assistant";

export interface Corpus {
  name: "synthetic" | "real-chat";
  /** What it is, for the printout. */
  description: string;
  /** `count` messages, alternating user and assistant; the same for the same seed. */
  messages(count: number, seed: number): { role: Role; content: string }[];
  /** `count` distinct questions (the synthetic corpus: different seeds give mostly different ones). */
  questions(count: number, seed: number): string[];
}

export interface CorpusStatistics {
  texts: number;
  meanWords: number;
  meanChars: number;
  /** Distinct lower-cased words (letters and digits). */
  vocabulary: number;
}

export const syntheticCorpus: Corpus = {
  name: "synthetic",
  description: "generated from 12 templates",
  messages: (count, seed) => syntheticMessages(count, seed),
  questions: (count, seed) => syntheticQuestions(count, seed),
};

const SGD_FOLDER = path.join(import.meta.dirname, "..", "corpora", "sgd");
const lines = (file: string) => readFileSync(path.join(SGD_FOLDER, file), "utf8").split("\n").filter(Boolean);

/**
 * Its questions come from one fixed shuffle, each call taking the next ones (the seed is not used):
 * the calls of one run never repeat a question until all 1,000 have been asked, so the query cache
 * never answers for the encoder.
 */
export function realChatCorpus(): Corpus {
  const allMessages = lines("messages.txt");
  const allQuestions = shuffled(lines("questions.txt"), 1);
  let nextQuestion = 0;
  return {
    name: "real-chat",
    description: "Schema-Guided Dialogue subset (CC BY-SA 4.0, bench/corpora/sgd)",
    // The seed picks where to start; past the end the corpus repeats, as the synthetic one does.
    messages: (count, seed) => {
      const start = Math.floor(seededRandom(seed)() * allMessages.length);
      return Array.from({ length: count }, (_, index) => ({
        role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
        content: allMessages[(start + index) % allMessages.length] as string,
      }));
    },
    questions: (count) => Array.from({ length: Math.min(count, allQuestions.length) }, () => allQuestions[nextQuestion++ % allQuestions.length] as string),
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

export function statistics(texts: readonly string[]): CorpusStatistics {
  const vocabulary = new Set<string>();
  let words = 0;
  let chars = 0;
  for (const text of texts) {
    words += text.split(/\s+/).filter(Boolean).length;
    chars += text.length;
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) vocabulary.add(word);
  }
  const n = Math.max(texts.length, 1);
  return { texts: texts.length, meanWords: round1(words / n), meanChars: round1(chars / n), vocabulary: vocabulary.size };
}

const round1 = (value: number) => Math.round(value * 10) / 10;
