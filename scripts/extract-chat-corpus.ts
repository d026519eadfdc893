/**
 * Builds bench/corpora/sgd/ (the benchmark's real-chat corpus) from a copy of the Schema-Guided
 * Dialogue dataset (google-research-datasets/dstc8-schema-guided-dialogue, CC BY-SA 4.0):
 *
 *   node --import tsx scripts/extract-chat-corpus.ts <folder with train/dialogues_*.json>
 *
 * Run once by hand; the benchmark reads only the committed result and never downloads anything.
 * SGD's own turns are short (9.7 words, 50 characters on average); the multi-session chat memcube
 * stores has turns of ~23 words (~124 characters). So each message joins consecutive utterances of
 * one dialogue, in order, until it has at least MIN_WORDS words (mean ≈ 23). Dialogues are taken
 * round-robin across the dataset's files (each file covers a few services), so any prefix of the
 * corpus spans many domains. Questions are users' utterances that end in "?" from dialogues not
 * used for messages.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const MESSAGES = 20_000;
const QUESTIONS = 1_000;
const MIN_WORDS = 17;
const MIN_QUESTION_WORDS = 6;
const OUT = path.join(import.meta.dirname, "..", "bench", "corpora", "sgd");

interface Dialogue {
  dialogue_id: string;
  turns: { speaker: string; utterance: string }[];
}

const source = process.argv[2];
if (!source) throw new Error("usage: extract-chat-corpus.ts <folder holding train/dialogues_*.json>");
const folder = path.join(source, "train");
const files = readdirSync(folder)
  .filter((file) => /^dialogues_\d+\.json$/.test(file))
  .sort();
const perFile = files.map((file) => JSON.parse(readFileSync(path.join(folder, file), "utf8")) as Dialogue[]);
const longest = Math.max(...perFile.map((dialogues) => dialogues.length));
const clean = (text: string) => text.replace(/\s+/g, " ").trim();
const wordCount = (text: string) => text.split(" ").filter(Boolean).length;

const messages: string[] = [];
const questions = new Set<string>();
for (let index = 0; index < longest; index++) {
  for (const dialogues of perFile) {
    const dialogue = dialogues[index];
    if (!dialogue) continue;
    if (messages.length < MESSAGES) {
      let pending: string[] = [];
      for (const turn of dialogue.turns) {
        pending.push(clean(turn.utterance));
        const text = pending.join(" ");
        if (wordCount(text) < MIN_WORDS) continue;
        if (messages.length < MESSAGES) messages.push(text);
        pending = [];
      }
    } else if (questions.size < QUESTIONS) {
      for (const turn of dialogue.turns) {
        const text = clean(turn.utterance);
        if (turn.speaker === "USER" && text.endsWith("?") && wordCount(text) >= MIN_QUESTION_WORDS && questions.size < QUESTIONS) questions.add(text);
      }
    }
  }
}
if (messages.length < MESSAGES || questions.size < QUESTIONS) throw new Error(`only ${messages.length} messages and ${questions.size} questions`);
mkdirSync(OUT, { recursive: true });
writeFileSync(path.join(OUT, "messages.txt"), `${messages.join("\n")}\n`);
writeFileSync(path.join(OUT, "questions.txt"), `${[...questions].join("\n")}\n`);
process.stdout.write(`${messages.length} messages, ${questions.size} questions from ${files.length} files → ${path.relative(process.cwd(), OUT)}\n`);
