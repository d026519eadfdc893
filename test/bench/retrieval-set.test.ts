/** The retrieval benchmark's data: the same every run, and every label points at a real message. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { benchmarkSet } from "../../bench/retrieval/benchmark-set.js";
import { checkLabels } from "../../bench/retrieval/dataset.js";
import { generate } from "../../bench/retrieval/generator.js";

test("the generator is deterministic: same seed, same conversations and labels; another seed differs", () => {
  const options = { seed: 7, part: "tuning" as const, english: 2, chinese: 1 };
  assert.deepEqual(generate(options), generate(options));
  assert.notDeepEqual(generate({ ...options, seed: 8 }).conversations, generate(options).conversations);
});

test("the full set has ≥ 300 questions, ≥ 60 hand-written, both parts, and labels naming real messages", () => {
  const set = benchmarkSet(false);
  assert.deepEqual(checkLabels(set), []);
  assert.ok(set.questions.length >= 300, `${set.questions.length} questions`);
  assert.ok(set.questions.filter((question) => question.origin === "handwritten").length >= 60);
  for (const part of ["tuning", "heldout"] as const) {
    for (const kind of ["single", "multi", "when", "preference", "chinese"] as const) {
      assert.ok(
        set.questions.some((question) => question.part === part && question.kind === kind),
        `${part} has ${kind} questions`,
      );
    }
  }
  const textOf = new Map(
    set.conversations.flatMap((conversation) =>
      conversation.sessions.flatMap((session) => session.messages.map((message) => [message.id, message.text] as const)),
    ),
  );
  const peanut = set.questions.find((question) => question.query === "What snacks should I pack for the school trip?");
  assert.ok(peanut && textOf.get(peanut.evidence[0] ?? "")?.includes("allergic to peanuts"));
});

test("a broken label is reported", () => {
  const set = generate({ seed: 3, part: "heldout", english: 1, chinese: 0 });
  const broken = { ...set, questions: [{ ...set.questions[0]!, evidence: ["nope"] }] };
  assert.match(checkLabels(broken).join("\n"), /evidence nope is not a message/);
});
