/**
 * A preference the user stated once, many unrelated turns ago, reaches the chat prompt of an
 * advice request that shares no word with it; a question of fact gets no preference it does not
 * bear on. Real SQLite cube, real server, fake model recording the prompt.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { statesPreference } from "../../src/memory/stance.js";
import { promptFor, startChatRig, type ChatRig } from "../support/chat.js";

const NUTS = "My daughter can't eat nuts.";
/** Other stated preferences, on matters no question below is about. */
const OTHER_STANCES = ["I can't stand jazz.", "My husband hates crowded trains.", "I prefer aisle seats.", "We never watch horror films.", "I love gardening."];

/**
 * 200 turns of school and picnic logistics, varied so that no two are alike: they share the advice
 * question's words and fill both recall channels' pools, and none states a preference.
 */
function chatter(count: number): string[] {
  const who = [
    "The teacher",
    "My colleague",
    "The head of year",
    "Our neighbour",
    "The new intern",
    "A parent from class 3",
    "The bus driver",
    "The caretaker",
  ];
  const did = [
    "handed out the school picnic timetable",
    "counted the snack boxes for the school trip",
    "printed the picnic permission slips",
    "booked the coach for the school picnic",
    "moved the picnic to the park",
    "collected money for the school snacks",
    "put the picnic blankets in the hall",
    "emailed the packing list for Saturday",
  ];
  const when = ["on Monday", "this morning", "last weekend", "after lunch", "yesterday evening"];
  const lines: string[] = [];
  for (let index = 0; lines.length < count; index += 1) {
    lines.push(`${who[index % who.length]} ${did[Math.floor(index / who.length) % did.length]} ${when[Math.floor(index / 64) % when.length]}, turn ${index}.`);
  }
  return lines;
}

const preferenceLines = (system: string) =>
  (system.split("<preferences>")[1]?.split("</preferences>")[0] ?? "").split("\n").filter((line) => /^\[\d+\] /.test(line));

describe("stated preferences in the chat prompt", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig();
    const early = [NUTS, ...OTHER_STANCES].map((content, index) => ({ role: "user", content, chat_time: `2026-01-0${index + 1} 09:00:00` }));
    const later = chatter(200).map((content, index) => ({
      role: "user",
      content,
      chat_time: `2026-02-${String((index % 28) + 1).padStart(2, "0")} 10:${String(index % 60).padStart(2, "0")}:00`,
    }));
    for (const messages of [early, later.slice(0, 100), later.slice(100)]) {
      const added = await rig.server.post("/product/add", { user_id: "dana", messages });
      assert.equal(added.status, 200, JSON.stringify(added.body));
    }
  });
  after(() => rig.close());

  const prompt = (query: string) => promptFor(rig, "dana", query);

  test("the small talk states no preference (what makes the test hard)", () => {
    for (const line of chatter(200)) assert.ok(!statesPreference(line), line);
  });

  test("an advice request's prompt holds the preference stated 200 turns earlier, within pref_top_k", async () => {
    const system = await prompt("What snacks should I pack for the school picnic on Saturday?");
    const lines = preferenceLines(system);
    assert.ok(
      lines.some((line) => line.includes(JSON.stringify(NUTS))),
      system,
    );
    assert.ok(lines.length <= 6, `at most pref_top_k preferences: ${lines.length}`);
  });

  test("a question of fact gets no stated preference it does not bear on", async () => {
    const system = await prompt("Which coach company did the teacher book?");
    assert.deepEqual(preferenceLines(system), [], system);
  });
});

/**
 * Chinese has no vectors with the bundled encoder: a preference is found by its words alone. Here
 * it shares one common word with the question (女儿, in most turns of small talk too), so its
 * relevance is above 0 but below the 0.2 floor of the preference list, and turns sharing more of
 * the question's words fill chat's facts.
 */
const NO_PEANUTS = "女儿说她不能吃花生。";
const CHATTER_ZH = [
  ...Array.from({ length: 60 }, (_, index) => `女儿今天在学校画了第${index + 1}幅画，老师把它贴在了三楼的走廊上，放学时我们一起看了。`),
  // These share more of the advice question's words: they are the facts chat shows first.
  ...Array.from({ length: 10 }, (_, index) => `周六的野餐改到了公园东门，这是第${index + 1}次通知。`),
];

describe("stated preferences below the floor (Chinese, keywords only)", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig();
    const messages = [NO_PEANUTS, ...CHATTER_ZH].map((content, index) => ({
      role: "user",
      content,
      chat_time: `2026-03-${String((index % 28) + 1).padStart(2, "0")} 08:${String(index % 60).padStart(2, "0")}:00`,
    }));
    const added = await rig.server.post("/product/add", { user_id: "lin", messages });
    assert.equal(added.status, 200, JSON.stringify(added.body));
  });
  after(() => rig.close());

  const prompt = (query: string) => promptFor(rig, "lin", query);

  test("an advice request takes the user's stated preference below the floor", async () => {
    const system = await prompt("周六要带女儿去郊游野餐，准备些什么零食比较好？");
    assert.ok(
      preferenceLines(system).some((line) => line.includes(JSON.stringify(NO_PEANUTS))),
      system,
    );
  });

  test("a question of fact does not", async () => {
    const system = await prompt("女儿的班主任姓什么？");
    assert.ok(!preferenceLines(system).some((line) => line.includes(JSON.stringify(NO_PEANUTS))), system);
  });
});
