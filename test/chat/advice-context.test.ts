/**
 * What the user said that an advice request depends on reaches the chat prompt even when it is no
 * stated preference (no first-person stance stance.ts can list) and shares no word with the
 * question: the bundled encoder ranks it among the user's messages nearest the request. It is shown
 * once, among the facts (it is a fact about the user, not a preference); a question of fact does
 * not get it. Real SQLite cube, real server with the bundled encoder, fake model recording the prompt.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { asksForAdvice } from "../../src/memory/recall/advice-request.js";
import { statesPreference } from "../../src/memory/stance.js";
import { promptFor, startChatRig, type ChatRig } from "../support/chat.js";

const HOUSEHOLD = "Since January the whole household eats vegetarian meals.";
const ADVICE = "What should I cook for the guests on Friday?";
const FACT = "Which guests did Tom invite for Friday?";

/** Turns that share the questions' words: they are the facts above chat's threshold. */
const GUEST_LOGISTICS = [
  "Tom invited the guests for Friday at seven.",
  "The guests on Friday will park behind the house.",
  "Friday's guests asked whether there is a lift to the flat.",
  "Two of the guests on Friday arrive by train.",
];

/** 200 turns of school logistics, varied so that no two are alike, on nothing the questions ask. */
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
    "handed out the school timetable",
    "counted the boxes for the school trip",
    "printed the permission slips",
    "booked the coach for the school outing",
    "moved the sports day to the park",
    "collected money for the class photos",
    "put the blankets in the hall",
    "emailed the packing list for the trip",
  ];
  const when = ["on Monday", "this morning", "last weekend", "after lunch", "yesterday evening"];
  const lines: string[] = [];
  for (let index = 0; lines.length < count; index += 1) {
    lines.push(`${who[index % who.length]} ${did[Math.floor(index / who.length) % did.length]} ${when[Math.floor(index / 64) % when.length]}, turn ${index}.`);
  }
  return lines;
}

const section = (system: string, tag: string) => system.split(`<${tag}>`)[1]?.split(`</${tag}>`)[0] ?? "";

describe("an advice request's nearest user messages in the chat prompt", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig();
    const turns = (texts: readonly string[], month: string) =>
      texts.map((content, index) => ({
        role: "user",
        content,
        chat_time: `2026-${month}-${String((index % 28) + 1).padStart(2, "0")} 10:${String(index % 60).padStart(2, "0")}:00`,
      }));
    const sessions = [
      { session_id: "january", messages: turns([HOUSEHOLD], "01") },
      { session_id: "school-1", messages: turns(chatter(200).slice(0, 100), "02") },
      { session_id: "school-2", messages: turns(chatter(200).slice(100), "03") },
      { session_id: "guests", messages: turns(GUEST_LOGISTICS, "04") },
    ];
    for (const session of sessions) {
      const added = await rig.server.post("/product/add", { user_id: "noor", ...session });
      assert.equal(added.status, 200, JSON.stringify(added.body));
    }
  });
  after(() => rig.close());

  const prompt = (query: string) => promptFor(rig, "noor", query);

  test("what makes the test hard: the message states no preference, and only one question asks for advice", () => {
    assert.ok(!statesPreference(HOUSEHOLD));
    for (const line of [...chatter(200), ...GUEST_LOGISTICS]) assert.ok(!statesPreference(line), line);
    assert.ok(asksForAdvice(ADVICE));
    assert.ok(!asksForAdvice(FACT));
  });

  test("an advice request's prompt shows the message, once, among the facts", async () => {
    const system = await prompt(ADVICE);
    const quoted = JSON.stringify(HOUSEHOLD);
    assert.ok(section(system, "memories").includes(quoted), system);
    assert.ok(!section(system, "preferences").includes(quoted), system);
    assert.equal(system.split(quoted).length - 1, 1, system);
  });

  test("the message is not listed as a preference by search", async () => {
    const response = await rig.server.post("/product/search", { user_id: "noor", query: ADVICE });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const preferences = (response.body as { data: { pref_mem: { memories: { memory: string }[] }[] } }).data.pref_mem.flatMap((bucket) => bucket.memories);
    assert.ok(!preferences.some((item) => item.memory === HOUSEHOLD), JSON.stringify(preferences));
  });

  test("a question of fact does not get it", async () => {
    const system = await prompt(FACT);
    assert.ok(!system.includes(JSON.stringify(HOUSEHOLD)), system);
  });
});
