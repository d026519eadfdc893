/** Ranking features a user notices: stemmed keywords, answers after questions, stated preferences, dated answers. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { statesPreference } from "../../src/memory/stance.js";
import { indexWordsOf, stem, wordsOf } from "../../src/memory/words.js";
import { seededRandom } from "../../bench/lib/corpus.js";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { textHits } from "../support/server.js";

describe("stems and stated preferences", () => {
  test("word forms meet at one stem; other scripts and short words are left alone", () => {
    assert.deepEqual(["moved", "moving", "moves", "move"].map(stem), ["mov", "mov", "mov", "mov"]);
    assert.deepEqual(["running", "runs", "babies", "baby", "planned", "planning"].map(stem), ["run", "run", "baby", "baby", "plan", "plan"]);
    assert.deepEqual(["need", "speed", "bus", "this", "连锁"].map(stem), ["need", "speed", "bus", "this", "连锁"]);
    assert.deepEqual(indexWordsOf("We moved to Porto"), ["we", "moved", "to", "porto", "mov"]);
  });
  test("ASCII text is cut into words exactly as ICU's word rules cut it (x.com, 3,000, 9:30, e.g.)", () => {
    assert.deepEqual(wordsOf("Meet at 9:30 on x.com, e.g. for $3,000.50 or a_b"), [
      "meet",
      "at",
      "9",
      "30",
      "on",
      "x.com",
      "e.g",
      "for",
      "3,000.50",
      "or",
      "a_b",
    ]);
    const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });
    const icuWords = (text: string) =>
      [...segmenter.segment(text.replace(/'/g, " "))].map((part) => part.segment.toLowerCase()).filter((word) => /[\p{L}\p{N}]/u.test(word));
    const alphabet = "aZ19 .,;:'_-\t\n!?\"$%&/()=+*#@~^`|\\<>[]{}";
    const random = seededRandom(5);
    for (let index = 0; index < 20_000; index += 1) {
      const text = Array.from({ length: 1 + Math.floor(random() * 14) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      assert.deepEqual(wordsOf(text), icuWords(text), JSON.stringify(text));
    }
  });
  test("a stated preference is told by its form (first person, attitude, negation), whatever its topic", () => {
    for (const text of ["I love making risotto", "I'd rather take the train.", "My son doesn't eat fish.", "We never fly.", "I can't stand horror films."]) {
      assert.ok(statesPreference(text), text);
    }
    for (const text of ["我不吃香菜", "我们都怕坐飞机", "Ich esse kein Fleisch.", "Wir mögen Jazz."]) assert.ok(statesPreference(text), text);
    for (const text of ["We toured a dairy farm.", "I don't know.", "I didn't go in the end.", "The power cut out during the meeting.", "Ich weiß nicht."]) {
      assert.ok(!statesPreference(text), text);
    }
  });
  test("someone of the user's, and what someone is, count as stances; a plan, a place or a courtesy does not", () => {
    for (const text of [
      "She can't eat anything spicy.",
      "Her favourite colour is green.",
      "I'm vegetarian.",
      "He is diabetic.",
      "她不吃香菜",
      "Sie liebt Jazz.",
      "Mein Vater mag keinen Lärm.",
    ]) {
      assert.ok(statesPreference(text), text);
    }
    for (const text of [
      "I'm looking for a hotel.",
      "I'm in town until Friday.",
      "I'm sure.",
      "She will be so surprised.",
      "He is 7 now.",
      "Können Sie mir helfen?",
    ]) {
      assert.ok(!statesPreference(text), text);
    }
  });
  test("恐怕, 可怕 and 哪怕 are not fear, and a guess with 应该 is not a stance", () => {
    for (const text of ["恐怕要下雨了", "这部电影太可怕了", "哪怕下雨，我们也去", "他应该已经到家了吧", "我不知道"]) assert.ok(!statesPreference(text), text);
  });
});

const GLUTEN = "I can't eat anything with gluten, my stomach hates it.";

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
      { role: "user", content: GLUTEN, chat_time: "2026-03-12 10:00:00", message_id: "gluten" },
      { role: "user", content: "Please book a table at Luigi's trattoria for Friday.", chat_time: "2026-03-13 10:00:00", message_id: "booking" },
      { role: "assistant", content: "Done: 7:30 pm, four people, under your name.", chat_time: "2026-03-13 10:01:00", message_id: "booked" },
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

  test("the turn after a relevant statement comes with it (it often completes it), below it and below chat's threshold", async () => {
    const found = await search("What time is the Luigi's trattoria table?");
    const hits = found.map((hit) => hit.memory);
    assert.equal(hits[0], "Please book a table at Luigi's trattoria for Friday.");
    const reply = found.find((hit) => hit.memory === "Done: 7:30 pm, four people, under your name.");
    assert.ok(reply && hits.slice(0, 3).includes(reply.memory), hits.join(" | "));
    assert.ok(reply.metadata.relativity < 0.5, "a neighbour alone never reaches chat's threshold");
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

  test("a stated preference is listed in pref_mem too (same memory, same relevance), and reaches the chat prompt once", async () => {
    const response = await rig.server.post("/product/search", { user_id: "omar", query: "Which snacks are safe for me?", top_k: 5 });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const preferences = response.body.data.pref_mem[0].memories as { id: string; memory: string; metadata: { preference_type?: string; relativity: number } }[];
    const stated = preferences.find((hit) => hit.memory === GLUTEN);
    assert.ok(stated, JSON.stringify(preferences.map((hit) => hit.memory)));
    assert.equal(stated.metadata.preference_type, "explicit_preference");
    const inText = (response.body.data.text_mem[0].memories as { id: string; metadata: { relativity: number } }[]).find((hit) => hit.id === stated.id);
    if (inText) assert.equal(inText.metadata.relativity, stated.metadata.relativity);
    assert.match(response.body.data.pref_string, /Explicit Preference:\n1\. /);
    const chat = await rig.server.post("/product/chat/complete", { user_id: "omar", query: "Which snacks are safe for me?", add_message_on_answer: false });
    assert.equal(chat.status, 200);
    const system = lastPrompt(rig.llm)[0]?.content ?? "";
    assert.equal(system.split(JSON.stringify(GLUTEN)).length - 1, 1, system);
  });

  test("the best hit's rare words find its follow-up in a later message (query expansion without a model)", async () => {
    const response = await rig.server.post("/product/search", { user_id: "elena", query: "Which hobbies have I tried?", top_k: 5 });
    const hits = textHits(response.body);
    assert.equal(hits[0], "I want a hobby that isn't a screen. Thinking about pottery.");
    assert.equal(hits[1], "Pottery is over: the studio closed and Zeynep moved to Izmir.");
  });

  test("a plain question does not pull unrelated statements in", async () => {
    const hits = (await search("Did you see the match?")).map((hit) => hit.memory);
    assert.equal(hits[0], "Did you see the match last night?");
    assert.ok(!hits.slice(0, 2).some((hit) => hit.includes("allergic") || hit.includes("gluten")));
  });
});

describe("a new user's small cube", () => {
  let rig: ChatRig;
  const MEMORIES = [
    "I hate Mondays, lol.",
    "We toured a dairy farm with the kids.",
    "The power cut out during the meeting.",
    "I love making risotto, the slow stirring calms me down.",
    "My sister is moving to Leeds in May.",
    "The printer at work jammed twice today.",
    "Our neighbours got a puppy.",
    "I finished the crossword in ten minutes.",
    "The bus was late again this morning.",
    "We repainted the hallway green.",
  ];
  before(async () => {
    rig = await startChatRig();
    const messages = MEMORIES.map((content, index) => ({ role: "user", content, chat_time: `2026-04-0${(index % 9) + 1} 18:00:00` }));
    const added = await rig.server.post("/product/add", { user_id: "newcomer", messages, mode: "fast" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
  });
  after(() => rig.close());

  test("'What should I cook tonight?' lifts no unrelated memory to chat's threshold", async () => {
    const response = await rig.server.post("/product/search", { user_id: "newcomer", query: "What should I cook tonight?", top_k: 10 });
    assert.equal(response.status, 200);
    const hits = response.body.data.text_mem[0].memories as { memory: string; metadata: { relativity: number } }[];
    const above = hits.filter((hit) => hit.metadata.relativity >= 0.5).map((hit) => hit.memory);
    assert.ok(
      above.every((memory) => memory.includes("risotto")),
      above.join(" | "),
    );
    assert.equal(hits[0]?.memory, MEMORIES[3], hits.map((hit) => `${hit.memory} ${hit.metadata.relativity}`).join(" | "));
  });

  test("the cooking preference reaches the chat prompt once, as it was stored", async () => {
    const chat = await rig.server.post("/product/chat/complete", { user_id: "newcomer", query: "What should I cook tonight?", add_message_on_answer: false });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
    const system = lastPrompt(rig.llm)[0]?.content ?? "";
    assert.equal(system.split(JSON.stringify(MEMORIES[3])).length - 1, 1, system);
  });
});
