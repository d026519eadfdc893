import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { englishEncoderRepresents, isMostlyLatin, latinLetterShare } from "../../src/embed/script.js";

describe("isMostlyLatin", () => {
  test("Latin-script text, accents included, is Latin", () => {
    for (const text of ["I love hiking in the mountains", "Café au lait, s'il vous plaît", "Größe", "ＦＵＬＬＷＩＤＴＨ"]) {
      assert.equal(isMostlyLatin(text), true, text);
    }
  });

  test("other scripts are not", () => {
    const texts = [
      "我喜欢在山里徒步",
      "私は山でハイキングするのが好きです",
      "나는 산에서 하이킹을 좋아한다",
      "Я люблю ходить в горы",
      "أحب المشي في الجبال",
      "मुझे पहाड़ों में घूमना पसंद है",
      "Μου αρέσει η πεζοπορία",
    ];
    for (const text of texts) assert.equal(isMostlyLatin(text), false, text);
  });

  test("text without letters counts as Latin", () => {
    for (const text of ["", "   ", "2024-05-01 12:00", "!!! ??? 42", "🙂🎉"]) assert.equal(isMostlyLatin(text), true, JSON.stringify(text));
    assert.equal(latinLetterShare("123"), undefined);
  });

  test("digits and punctuation do not dilute the letters", () => {
    assert.equal(isMostlyLatin("北京 2024-05-01 12:00:00 !!!"), false);
    assert.equal(latinLetterShare("abc 123 !!!"), 1);
  });

  test("mixed text is judged by its share of letters, one per CJK character", () => {
    // 9 Latin letters, 4 Han characters.
    assert.equal(latinLetterShare("I love 北京烤鸭 a lot"), 9 / 13);
    assert.equal(isMostlyLatin("I love 北京烤鸭 a lot"), true);
    // 6 Latin letters, 11 Han characters.
    assert.equal(isMostlyLatin("我昨天买了一部新的 iPhone 手机"), false);
    assert.equal(isMostlyLatin("我用 JavaScript 写代码"), true);
  });
});

describe("englishEncoderRepresents", () => {
  test("German, French and Spanish sentences are left to the keyword channel; English with a foreign word is not", () => {
    for (const text of [
      "Ich esse kein Fleisch.",
      "Wir fahren am Wochenende an die Ostsee, und ich freue mich.",
      "Je ne mange pas de viande.",
      "No me gusta el café con leche.",
    ]) {
      assert.equal(englishEncoderRepresents(text), false, text);
    }
    for (const text of ["I love Berlin and die Currywurst", "The die is cast.", "Kindergarten in Berlin", "We met at the café", "2024-05-01"]) {
      assert.equal(englishEncoderRepresents(text), true, text);
    }
    assert.equal(englishEncoderRepresents("我想住连锁酒店"), false);
  });
});
