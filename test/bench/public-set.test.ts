/** The public benchmark's format: a set is fed as written (one cube per conversation, session dates as chat_time), and broken labels stop the run. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { publicSuite } from "../../bench/retrieval/cases.js";
import { checkPublicSet, loadPublicSet, type PublicSet } from "../../bench/retrieval/public-format.js";

const SET: PublicSet = {
  sources: [{ name: "written for this test" }],
  conversations: [
    {
      id: "c01",
      source: "written for this test",
      language: "en",
      sessions: [
        {
          id: "c01-s1",
          date: "2026-03-14T18:20:00Z",
          turns: [
            { id: "c01-s1-t1", role: "user", text: "We got a rescue greyhound last week." },
            { id: "c01-s1-t2", role: "assistant", text: "Lovely! What is its name?" },
          ],
        },
      ],
    },
  ],
  questions: [
    { id: "q1", conversation: "c01", kind: "single-hop", language: "en", question: "What dog do I have?", evidence: ["c01-s1-t1"] },
    { id: "q2", conversation: "c01", kind: "no-answer", language: "en", question: "Where did I study?", evidence: [] },
  ],
};

test("a set is fed one cube per conversation, each turn with its id and its session's date", () => {
  const suite = publicSuite(SET, "dev");
  assert.equal(suite.feeds.length, 1);
  const messages = suite.feeds[0]?.sessions[0]?.messages ?? [];
  assert.deepEqual(
    messages.map((message) => [message.role, message.message_id, message.chat_time.slice(0, 16)]),
    [
      ["user", "c01-s1-t1", "2026-03-14T18:20"],
      ["assistant", "c01-s1-t2", "2026-03-14T18:20"],
    ],
  );
  assert.deepEqual(
    suite.cases.map((entry) => [entry.id, entry.cube, entry.chat]),
    [
      ["q1", "dev-c01", false],
      ["q2", "dev-c01", true],
    ],
  );
});

test("broken labels are reported: unknown turns, evidence on a no-answer question, none on another", () => {
  const broken: PublicSet = {
    ...SET,
    questions: [
      { ...SET.questions[0]!, evidence: ["c01-s1-t9"] },
      { ...SET.questions[1]!, evidence: ["c01-s1-t1"] },
      { ...SET.questions[0]!, id: "q3", evidence: [] },
    ],
  };
  const problems = checkPublicSet(broken).join("\n");
  assert.match(problems, /q1: evidence c01-s1-t9 is not a turn of c01/);
  assert.match(problems, /q2: a no-answer question has evidence/);
  assert.match(problems, /q3: no evidence/);
  assert.deepEqual(checkPublicSet(SET), []);
});

test("a file not in the format is refused with the field named", () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "memcube-set-")), "set.json");
  writeFileSync(file, JSON.stringify({ ...SET, questions: [{ ...SET.questions[0], kind: "trivia" }] }));
  assert.throws(() => loadPublicSet(file), /kind/);
});
