/** Chinese compounds back off to their characters: what a user notices (src/memory/recall/han-backoff.ts). */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { backoffCharacters } from "../../src/memory/recall/han-backoff.js";
import { keywordQuery } from "../../src/memory/search.js";
import { startChatRig, type ChatRig } from "../support/chat.js";

interface Hit {
  memory: string;
  metadata: { relativity: number };
}

const CHATTER = ["楼下新开了一家面包店。", "我把自行车修好了。", "这个月电费涨了。", "邻居家的狗又叫了一夜。", "孩子们下周有春游。"];
const TEA_HABIT = "早上我一定要泡一壶茶。";
const TEA_OUTING = "周末我们去喝茶了。";

describe("Chinese sub-word back-off", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig();
    // One message a session: no neighbour lends anything here.
    for (const [index, content] of [...CHATTER.slice(0, 2), TEA_HABIT, ...CHATTER.slice(2), TEA_OUTING].entries()) {
      const added = await rig.server.post("/product/add", { user_id: "wen", session_id: `day-${index}`, messages: [{ role: "user", content }], mode: "fast" });
      assert.equal(added.status, 200, JSON.stringify(added.body));
    }
  });
  after(() => rig.close());

  test("a memory holding one character of a query's compound as a word of its own is found, below the memory holding the compound and below chat's threshold", async () => {
    // 喝茶 (drinking tea) is one word of the query; the habit says 茶 alone, and shares no word with it.
    const response = await rig.server.post("/product/search", { user_id: "wen", query: "我是不是很爱喝茶的人？", top_k: 5 });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const hits = response.body.data.text_mem[0].memories as Hit[];
    const texts = hits.map((hit) => hit.memory);
    assert.equal(texts[0], TEA_OUTING);
    const habit = hits.find((hit) => hit.memory === TEA_HABIT);
    assert.ok(habit, texts.join(" | "));
    assert.ok(habit.metadata.relativity > 0 && habit.metadata.relativity < (hits[0]?.metadata.relativity ?? 0));
    assert.ok(habit.metadata.relativity < 0.5, "a memory found by characters alone never reaches chat's threshold");
    for (const chatter of CHATTER) assert.ok(!texts.includes(chatter), `${chatter} shares no character with the query`);
  });

  test("only the characters of Han words back off, never stop words, and nothing for other scripts", () => {
    assert.deepEqual(backoffCharacters(keywordQuery("我是不是很爱喝茶的人？").words), ["不", "喝", "茶"]);
    assert.deepEqual(backoffCharacters(keywordQuery("Do I like tea?").words), []);
  });
});
