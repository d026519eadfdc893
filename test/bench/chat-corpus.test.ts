import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { realChatCorpus, statistics, syntheticCorpus } from "../../bench/lib/chat-corpus.js";

test("the real-chat corpus has the length and vocabulary of real turns, and names its source and licence", () => {
  const corpus = realChatCorpus();
  const turns = statistics(corpus.messages(20_000, 7).map((message) => message.content));
  assert.ok(turns.meanWords >= 20 && turns.meanWords <= 25, `mean ${turns.meanWords} words per turn`);
  assert.ok(turns.meanChars >= 110 && turns.meanChars <= 135, `mean ${turns.meanChars} characters per turn`);
  const synthetic = statistics(syntheticCorpus.messages(20_000, 7).map((message) => message.content));
  assert.ok(turns.vocabulary > 3 * synthetic.vocabulary, `vocabulary ${turns.vocabulary} against the synthetic ${synthetic.vocabulary}`);
  const questions = statistics(corpus.questions(1000, 0));
  assert.ok(questions.meanWords >= 8 && questions.meanWords <= 13, `mean ${questions.meanWords} words per question`);
  const readme = readFileSync(new URL("../../bench/corpora/sgd/README.md", import.meta.url), "utf8");
  assert.match(readme, /CC BY-SA 4\.0/);
  assert.match(readme, /dstc8-schema-guided-dialogue/);
  assert.match(readFileSync(new URL("../../bench/corpora/sgd/LICENSE.txt", import.meta.url), "utf8"), /Attribution-ShareAlike 4\.0 International/);
});

test("the real-chat corpus never repeats a question within a run, so the query cache cannot answer for the encoder", () => {
  const corpus = realChatCorpus();
  const asked = [20, 100, 100, 100, 5, 30, 30, 30, 100].flatMap((count, seed) => corpus.questions(count, seed));
  assert.equal(new Set(asked).size, asked.length);
});
