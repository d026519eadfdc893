import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TokenizerFormatError, WordPieceTokenizer } from "../../src/embed/onnx/wordpiece.js";
import { tinyTokenizerJson, TINY_VOCAB } from "../support/tiny-onnx.js";

const tokenizer = new WordPieceTokenizer(tinyTokenizerJson(), { maxTokens: 512 });

describe("WordPiece tokenizer (tokenizer.json)", () => {
  test("English: lowercased, accents stripped, punctuation split off, words cut into known pieces", () => {
    assert.deepEqual(tokenizer.tokens("My DOG, Rex!"), ["[CLS]", "my", "dog", ",", "rex", "!", "[SEP]"]);
    assert.deepEqual(tokenizer.tokens("Café"), ["[CLS]", "cafe", "[SEP]"]);
    assert.deepEqual(tokenizer.tokens("unaffable playing"), ["[CLS]", "un", "##aff", "##able", "play", "##ing", "[SEP]"]);
  });

  test("Chinese: every ideograph is a token of its own, even without spaces around it", () => {
    assert.deepEqual(tokenizer.tokens("我的狗喜欢鱼。"), ["[CLS]", "我", "的", "狗", "喜", "欢", "鱼", "[UNK]", "[SEP]"]);
    assert.deepEqual(tokenizer.tokens("my狗likes鱼"), ["[CLS]", "my", "狗", "likes", "鱼", "[SEP]"]);
  });

  test("ids, and unknown words counted (a word with an unknown piece is one [UNK])", () => {
    const encoding = tokenizer.encode("my zebra likes fish");
    assert.deepEqual(encoding.ids, [TINY_VOCAB["[CLS]"], TINY_VOCAB.my, TINY_VOCAB["[UNK]"], TINY_VOCAB.likes, TINY_VOCAB.fish, TINY_VOCAB["[SEP]"]]);
    assert.equal(encoding.unknown, 1);
    assert.deepEqual(tokenizer.tokens("   \u0000\t"), ["[CLS]", "[SEP]"]);
  });

  // The cases below were checked against Hugging Face's own implementation (the `tokenizers` npm
  // package 0.23.2, the library that reads tokenizer.json), together with ~36,000 random strings.
  test("clean-up: control, format and private-use characters go; unassigned ones stay, as in the tokenizers library", () => {
    // U+E000 and U+F8FF: private use (Co); U+200B: format (Cf); U+D800: a lone surrogate (U+FFFD to Rust).
    assert.deepEqual(tokenizer.tokens("my \uE000dog\uF8FF likes fish\u200B \uD800"), ["[CLS]", "my", "dog", "likes", "fish", "[SEP]"]);
    assert.equal(tokenizer.encode("my \uE000 dog").unknown, 0);
    // U+0378 is unassigned (Cn): kept, so the word is unknown.
    assert.deepEqual(tokenizer.tokens("my \u0378dog"), ["[CLS]", "my", "[UNK]", "[SEP]"]);
  });

  test("lowercasing is per character: a word-final capital sigma is σ, not ς", () => {
    const greek = new WordPieceTokenizer(tinyTokenizerJson({ extraVocab: ["σσ", "σς"] }), { maxTokens: 512 });
    assert.deepEqual(greek.tokens("ΣΣ"), ["[CLS]", "σσ", "[SEP]"]);
  });

  test("whitespace is Unicode's (U+0085 splits, U+FEFF does not) when the normalizer keeps it", () => {
    const raw = new WordPieceTokenizer(tinyTokenizerJson({ cleanText: false }), { maxTokens: 512 });
    assert.deepEqual(raw.tokens("my\u0085dog"), ["[CLS]", "my", "dog", "[SEP]"]);
    assert.deepEqual(raw.tokens("my\ufeffdog"), ["[CLS]", "[UNK]", "[SEP]"]);
  });

  test("CJK ideographs as the tokenizers library counts them: U+2B820..U+2B91F are not", () => {
    const cjk = new WordPieceTokenizer(tinyTokenizerJson({ extraVocab: ["\u{2B820}", "\u{2B920}"] }), { maxTokens: 512 });
    assert.deepEqual(cjk.tokens("狗\u{2B920}狗"), ["[CLS]", "狗", "\u{2B920}", "狗", "[SEP]"]);
    assert.deepEqual(cjk.tokens("my\u{2B820}"), ["[CLS]", "[UNK]", "[SEP]"]);
  });

  test("long texts are cut to the token limit, [SEP] kept; tokenizer.json's own limit wins when lower", () => {
    const short = new WordPieceTokenizer(tinyTokenizerJson(), { maxTokens: 5 });
    assert.deepEqual(short.tokens("my dog is called rex"), ["[CLS]", "my", "dog", "is", "[SEP]"]);
    const capped = new WordPieceTokenizer(tinyTokenizerJson({ maxLength: 4 }), { maxTokens: 512 });
    assert.equal(capped.encode("my dog is called rex").ids.length, 4);
  });

  test("tokenizers other than WordPiece are refused with a message saying which are supported", () => {
    const unigram = JSON.stringify({
      normalizer: null,
      model: {
        type: "Unigram",
        unk_id: 3,
        vocab: [
          ["<s>", 0],
          ["▁the", -3.2],
        ],
      },
    });
    assert.throws(
      () => new WordPieceTokenizer(unigram, { maxTokens: 512 }),
      (error: unknown) => error instanceof TokenizerFormatError && /Unigram.*WordPiece/.test(error.message),
    );
    assert.throws(() => new WordPieceTokenizer("not json", { maxTokens: 512 }), TokenizerFormatError);
  });
});
