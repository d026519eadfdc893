import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ChatDelta } from "../../src/llm/chat-model.js";
import { ThinkSplitter, splitThink } from "../../src/llm/think-splitter.js";

/** Feeds the chunks and joins what came out per kind (and checks no empty delta is ever emitted). */
function run(chunks: readonly string[]): { text: string; reasoning: string; deltas: ChatDelta[] } {
  const splitter = new ThinkSplitter();
  const deltas = [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
  for (const delta of deltas) assert.notEqual(delta.text, "", "no empty deltas");
  const join = (type: ChatDelta["type"]) =>
    deltas
      .filter((delta) => delta.type === type)
      .map((delta) => delta.text)
      .join("");
  return { text: join("text"), reasoning: join("reasoning"), deltas };
}

/** Every way of cutting `input` into two chunks, and into three. */
function* cuts(input: string): Generator<string[]> {
  yield [input];
  for (let i = 0; i <= input.length; i++) {
    yield [input.slice(0, i), input.slice(i)];
    for (let j = i; j <= input.length; j++) yield [input.slice(0, i), input.slice(i, j), input.slice(j)];
  }
}

describe("ThinkSplitter", () => {
  const cases: [string, string, { text: string; reasoning: string }][] = [
    ["think then answer", "<think>\nLet me see.\n</think>\n\nThe answer.", { text: "The answer.", reasoning: "Let me see." }],
    ["leading whitespace", "  \n<think>hmm</think>\nok", { text: "ok", reasoning: "hmm" }],
    ["no think", "Plain answer <think>not a block</think>", { text: "Plain answer <think>not a block</think>", reasoning: "" }],
    ["no think, leading whitespace kept", "  hi", { text: "  hi", reasoning: "" }],
    ["empty think", "<think></think>\n\nanswer", { text: "answer", reasoning: "" }],
    ["unclosed think stays reasoning", "<think>still thinking", { text: "", reasoning: "still thinking" }],
    ["only answer newlines dropped", "<think>r</think>\n\n  indented", { text: "  indented", reasoning: "r" }],
    ["angle brackets inside reasoning", "<think>a < b and </thin k></think>x", { text: "x", reasoning: "a < b and </thin k>" }],
    ["second think block is text", "<think>a</think>b<think>c</think>", { text: "b<think>c</think>", reasoning: "a" }],
    ["partial open tag at end is text", "<thi", { text: "<thi", reasoning: "" }],
    ["unicode", "<think>想一想 🤔</think>\n答案 ✅", { text: "答案 ✅", reasoning: "想一想 🤔" }],
    ["only whitespace", " \n ", { text: " \n ", reasoning: "" }],
  ];

  for (const [name, input, expected] of cases) {
    test(`${name}: same result however the content is chunked`, () => {
      for (const chunks of cuts(input)) {
        const { text, reasoning } = run(chunks);
        assert.deepEqual({ text, reasoning }, expected, `chunks ${JSON.stringify(chunks)}`);
      }
    });
  }

  test("one character at a time", () => {
    const input = "\n<think>\nstep 1\nstep 2\n</think>\n\nfinal";
    assert.deepEqual((({ text, reasoning }) => ({ text, reasoning }))(run(Array.from(input))), { text: "final", reasoning: "step 1\nstep 2" });
  });

  test("streams reasoning before the block closes, and text as it comes", () => {
    const splitter = new ThinkSplitter();
    assert.deepEqual(splitter.push("<think>first "), [{ type: "reasoning", text: "first" }]);
    assert.deepEqual(splitter.push("second</th"), [{ type: "reasoning", text: " second" }]);
    assert.deepEqual(splitter.push("ink>\n\nAns"), [{ type: "text", text: "Ans" }]);
    assert.deepEqual(splitter.push("wer"), [{ type: "text", text: "wer" }]);
    assert.deepEqual(splitter.end(), []);
  });

  test("plain text passes through chunk by chunk once it cannot be a think block", () => {
    const splitter = new ThinkSplitter();
    assert.deepEqual(splitter.push("<"), []);
    assert.deepEqual(splitter.push("b>bold"), [{ type: "text", text: "<b>bold" }]);
    assert.deepEqual(splitter.push(" more"), [{ type: "text", text: " more" }]);
  });

  test("splitThink splits a whole string", () => {
    assert.deepEqual(splitThink("<think>r</think>\nt"), { text: "t", reasoning: "r" });
    assert.deepEqual(splitThink("t"), { text: "t", reasoning: "" });
  });
});
