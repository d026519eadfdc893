import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { conversationLanguage } from "../../src/memory/extract/language.js";
import { LooseJsonError, parseLooseJson } from "../../src/memory/extract/loose-json.js";
import { messageTime } from "../../src/memory/extract/prompts.js";
import { ExtractionOutput, UpdateOutput } from "../../src/memory/extract/schema.js";

describe("parseLooseJson", () => {
  const cases: [string, string, unknown][] = [
    ["plain JSON", '{"a": [1, 2]}', { a: [1, 2] }],
    ["a code fence", '```json\n{"a": 1}\n```', { a: 1 }],
    ["an unclosed code fence", "```\n[1, 2]\n", [1, 2]],
    ["prose around it", 'Here you go: {"a": "b"} — anything else?', { a: "b" }],
    ["trailing commas", '{"a": [1, 2,], "b": {"c": 3,},}', { a: [1, 2], b: { c: 3 } }],
    ["brackets inside strings", '{"a": "x } ] , y"}', { a: "x } ] , y" }],
    ["escaped quotes", String.raw`{"a": "say \"hi\", ok"}`, { a: 'say "hi", ok' }],
    ["cut off between items", '{"memories": [{"memory": "one"}, {"memory": "two"},', { memories: [{ memory: "one" }, { memory: "two" }] }],
    ["Chinese text", '{"memories": [{"memory": "用户住在广州"}]}', { memories: [{ memory: "用户住在广州" }] }],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.deepEqual(parseLooseJson(input), expected));
  }

  test("unusable answers say why, never echoing the text", () => {
    assert.throws(() => parseLooseJson(""), /the answer was empty/);
    assert.throws(() => parseLooseJson("The user likes jazz."), /no JSON object or array found/);
    assert.throws(() => parseLooseJson('{"memories": [{"memory": "cut off mid-str'), LooseJsonError);
    assert.throws(
      () => parseLooseJson("{memories: [oops"),
      (error: Error) => /^not valid JSON/.test(error.message) && !error.message.includes("oops"),
    );
  });
});

describe("the extraction output schema", () => {
  test("the asked shape, normalised", () => {
    const parsed = ExtractionOutput.parse({
      memories: [{ memory: "  The user is vegetarian ", key: "diet", tags: ["Food", "food", "health"], memory_type: "UserMemory", sources: [1, "2", 2] }],
    });
    assert.deepEqual(parsed, [{ text: "The user is vegetarian", key: "diet", tags: ["food", "health"], memoryType: "UserMemory", sources: [1, 2] }]);
  });

  test("what small models send instead: a bare list, strings, other field names, other type spellings", () => {
    const parsed = ExtractionOutput.parse([
      "The user has two cats",
      { value: "The user dislikes cilantro", type: "preference_memory", tags: "food, 口味" },
      { fact: "Water boils at 100 °C at sea level", memory_type: "long_term" },
      { memory: "" },
      42,
    ]);
    assert.deepEqual(
      parsed.map((memory) => [memory.text, memory.memoryType, memory.tags]),
      [
        ["The user has two cats", "UserMemory", []],
        ["The user dislikes cilantro", "PreferenceMemory", ["food", "口味"]],
        ["Water boils at 100 °C at sea level", "LongTermMemory", []],
      ],
    );
    assert.deepEqual(ExtractionOutput.parse({ facts: [] }), []);
  });

  test("an object without a list is an error naming what came", () => {
    const result = ExtractionOutput.safeParse({ answer: "none" });
    assert.equal(result.success, false);
    assert.match(result.error?.issues[0]?.message ?? "", /expected \{"memories": \[\.\.\.\]\}, got an object with answer/);
  });

  test("update decisions: actions by their usual names; unusable decisions are skipped", () => {
    const parsed = UpdateOutput.parse({
      decisions: [
        { new: 1, action: "UPDATE", target: "3", memory: "merged" },
        { new: "2", action: "duplicate", target: 1 },
        { new: 3, action: "ADD" },
        { new: 4, action: "maybe" },
      ],
    });
    assert.deepEqual(parsed, [
      { fact: 1, action: "update", target: 3, merged: "merged" },
      { fact: 2, action: "duplicate", target: 1, merged: undefined },
      { fact: 3, action: "add", target: undefined, merged: undefined },
    ]);
  });
});

describe("the conversation's language", () => {
  test("Chinese when Han characters are a third of the letters or more, English names included", () => {
    assert.equal(conversationLanguage(["我在 Google 工作"]), "zh");
    assert.equal(conversationLanguage(["我住在广州"]), "zh");
    assert.equal(conversationLanguage(["I had dim sum in 广州 yesterday"]), "en");
    assert.equal(conversationLanguage(["12345"]), "en");
  });

  test("message times carry the weekday in the prompt's language", () => {
    assert.equal(messageTime("2026-03-14T10:00:00.000Z", "en"), "2026-03-14 10:00 UTC, Saturday");
    assert.equal(messageTime("2026-03-14T10:00:00.000Z", "zh"), "2026-03-14 10:00 UTC, 星期六");
  });
});
