/** Ranking features a user notices: stemmed keywords, answers after questions, constraints for advice, dated answers. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { asksForAdvice, statesConstraint } from "../../src/memory/cues.js";
import { indexWordsOf, stem } from "../../src/memory/words.js";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { textHits } from "../support/server.js";

describe("stems and cues", () => {
  test("word forms meet at one stem; other scripts and short words are left alone", () => {
    assert.deepEqual(["moved", "moving", "moves", "move"].map(stem), ["mov", "mov", "mov", "mov"]);
    assert.deepEqual(["running", "runs", "babies", "baby", "planned", "planning"].map(stem), ["run", "run", "baby", "baby", "plan", "plan"]);
    assert.deepEqual(["need", "speed", "bus", "this", "连锁"].map(stem), ["need", "speed", "bus", "this", "连锁"]);
    assert.deepEqual(indexWordsOf("We moved to Porto"), ["we", "moved", "to", "porto", "mov"]);
  });
  test("advice questions and constraint statements are told apart from chatter", () => {
    assert.ok(asksForAdvice("What snacks should I pack for the school trip?"));
    assert.ok(asksForAdvice("What workout routine would suit me?"));
    assert.ok(asksForAdvice("周末聚餐点什么菜？"));
    assert.ok(!asksForAdvice("Where does Lena work?"));
    assert.ok(statesConstraint("My daughter is allergic to peanuts, so we check every label twice."));
    assert.ok(statesConstraint("I can’t stand horror films."));
    assert.ok(statesConstraint("我对海鲜过敏"));
    assert.ok(!statesConstraint("The team lunch was fine, the restaurant was too loud to talk though."));
  });
});

const CHATTER = [
  "The coffee machine at work broke again.",
  "Did you see the match last night?",
  "It has rained for six days straight.",
  "We finally cleaned out the garage.",
  "Traffic on the ring road was a nightmare today.",
  "I made lasagne from scratch on Sunday.",
  "My phone screen cracked again.",
  "The gym was packed tonight.",
  "Our internet was down all afternoon.",
  "The heating in our building broke.",
  "I bought a plant for the office.",
  "The kids have a school trip next week.",
];

describe("search ranks what answers the question", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig();
    const messages = [
      ...CHATTER.slice(0, 6).map((content, index) => ({ role: "user", content, chat_time: `2026-03-0${index + 1} 10:00:00` })),
      { role: "assistant", content: "Omar, are you reading anything good lately?", chat_time: "2026-03-10 10:00:00", message_id: "question" },
      { role: "user", content: "Piranesi. Halfway through, can't put it down.", chat_time: "2026-03-10 10:01:00", message_id: "reply" },
      { role: "user", content: "My daughter is allergic to peanuts, so we check every label twice.", chat_time: "2026-03-11 10:00:00", message_id: "allergy" },
      { role: "user", content: "I passed my driving test this morning!", chat_time: "2026-03-14 09:30:00", message_id: "test" },
      { role: "user", content: "We are planning a garden party for the summer.", chat_time: "2026-03-15 09:30:00", message_id: "party" },
      ...CHATTER.slice(6).map((content, index) => ({ role: "assistant", content, chat_time: `2026-03-2${index} 10:00:00` })),
    ];
    const added = await rig.server.post("/product/add", { user_id: "omar", session_id: "march", messages, mode: "fast" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    // A cube big enough for rare words to stand out: the story of a hobby, told in two sessions.
    const days = Array.from({ length: 48 }, (_, index) => ({ role: "assistant", content: `${CHATTER[index % CHATTER.length]} (day ${index + 1})` }));
    const story = [
      ...days.slice(0, 24),
      { role: "user", content: "I want a hobby that isn't a screen. Thinking about pottery.", message_id: "hobby" },
      ...days.slice(24),
      { role: "user", content: "Pottery is over: the studio closed and Zeynep moved to Izmir.", message_id: "switch" },
    ];
    const told = await rig.server.post("/product/add", { user_id: "elena", messages: story, mode: "fast" });
    assert.equal(told.status, 200, JSON.stringify(told.body));
  });
  after(() => rig.close());

  const search = async (query: string) => {
    const response = await rig.server.post("/product/search", { user_id: "omar", query, top_k: 5 });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.data.text_mem[0].memories as { memory: string; metadata: { chat_time: string; relativity: number } }[];
  };

  test("a keyword matches its other forms (planned → planning)", async () => {
    const hits = await search("what was planned");
    assert.equal(hits[0]?.memory, "We are planning a garden party for the summer.");
  });

  test("the reply to a relevant question is found with it, though it shares no word with the query", async () => {
    const hits = (await search("Which book is Omar reading?")).map((hit) => hit.memory);
    assert.ok(hits.slice(0, 3).includes("Piranesi. Halfway through, can't put it down."), hits.join(" | "));
  });

  test("a 'when' question surfaces the dated message, and the prompt shows its date", async () => {
    const hits = await search("When did I pass the driving test?");
    assert.equal(hits[0]?.memory, "I passed my driving test this morning!");
    assert.equal(hits[0]?.metadata.chat_time.slice(0, 10), "2026-03-14");
    const chat = await rig.server.post("/product/chat/complete", { user_id: "omar", query: "When did I pass the driving test?", add_message_on_answer: false });
    assert.equal(chat.status, 200);
    const system = lastPrompt(rig.llm)[0]?.content ?? "";
    const line = system.split("\n").find((entry) => entry.includes("I passed my driving test"));
    assert.ok(line?.includes("2026-03-14"), line);
  });

  test("an advice question brings the stated constraint it shares no word with, into search and into the chat prompt", async () => {
    const hits = await search("What snacks should I pack for the school trip?");
    assert.equal(hits[0]?.memory, "My daughter is allergic to peanuts, so we check every label twice.");
    assert.ok((hits[0]?.metadata.relativity ?? 0) >= 0.5, "reaches chat's default threshold");
    const chat = await rig.server.post("/product/chat/complete", {
      user_id: "omar",
      query: "What snacks should I pack for the school trip?",
      add_message_on_answer: false,
    });
    assert.equal(chat.status, 200);
    assert.ok(lastPrompt(rig.llm)[0]?.content.includes("allergic to peanuts"));
  });

  test("the best hit's rare words find its follow-up in a later message (query expansion without a model)", async () => {
    const response = await rig.server.post("/product/search", { user_id: "elena", query: "Which hobbies have I tried?", top_k: 5 });
    const hits = textHits(response.body);
    assert.equal(hits[0], "I want a hobby that isn't a screen. Thinking about pottery.");
    assert.equal(hits[1], "Pottery is over: the studio closed and Zeynep moved to Izmir.");
  });

  test("a plain question does not pull constraints in", async () => {
    const hits = (await search("Did you see the match?")).map((hit) => hit.memory);
    assert.equal(hits[0], "Did you see the match last night?");
    assert.ok(!hits.slice(0, 2).some((hit) => hit.includes("allergic")));
  });
});
