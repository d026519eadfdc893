/** Recall beyond the query's words (src/memory/recall/): what a user notices of each mechanism. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { holdsTimeExpression, isWhenQuestion } from "../../src/memory/recall/dated.js";
import { monthOf, monthsNamed } from "../../src/memory/recall/named-month.js";
import { startChatRig, type ChatRig } from "../support/chat.js";

interface Hit {
  memory: string;
  metadata: { relativity: number };
}

const CHATTER_ZH = ["今天下雨了，路上很堵。", "咖啡机又坏了。", "周末我们打扫了车库。", "孩子们下周有春游。", "楼里的暖气坏了。", "我给办公室买了一盆花。"];

describe("recall beyond the query's words", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig();
    // Chinese text has no vector with the bundled encoder: only words and neighbours can find it.
    const messages = [
      ...CHATTER_ZH.slice(0, 3).map((content) => ({ role: "user", content })),
      { role: "user", content: "下个月去里斯本，有什么建议？", message_id: "ask" },
      { role: "assistant", content: "早上坐28路电车，人少。", message_id: "tip" },
      ...CHATTER_ZH.slice(3).map((content) => ({ role: "user", content })),
    ];
    const added = await rig.server.post("/product/add", { user_id: "lin", session_id: "trip", messages, mode: "fast" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    // One session about a move, told over several turns; other sessions of chatter around it.
    for (const [index, content] of CHATTER_ZH.entries()) {
      const chatter = await rig.server.post("/product/add", {
        user_id: "mei",
        session_id: `day-${index}`,
        messages: [{ role: "user", content }],
        mode: "fast",
      });
      assert.equal(chatter.status, 200, JSON.stringify(chatter.body));
    }
    const move = [
      { role: "user", content: "我们下个月搬家到杭州。" },
      { role: "assistant", content: "好的，需要帮你找搬家公司吗？" },
      { role: "user", content: "先不用，谢谢。" },
      { role: "assistant", content: "明白。" },
      { role: "user", content: "新公寓在西湖附近，三楼。", message_id: "flat" },
      { role: "assistant", content: "听起来很方便。" },
      { role: "user", content: "杭州的房租比上海便宜。" },
    ];
    // The same fact twice, dated and not; on a tie the newer (undated) one would rank first.
    const visits = [
      { role: "user", content: "我们上周去看了牙医。", chat_time: "2026-04-01 10:00:00" },
      ...CHATTER_ZH.slice(0, 3).map((content, index) => ({ role: "user", content, chat_time: `2026-04-0${index + 2} 10:00:00` })),
      { role: "user", content: "我们去看了牙医。", chat_time: "2026-04-09 10:00:00" },
    ];
    const visited = await rig.server.post("/product/add", { user_id: "ada", session_id: "april", messages: visits, mode: "fast" });
    assert.equal(visited.status, 200, JSON.stringify(visited.body));
    // Two months of the same kind of news; on a tie the newer would rank first.
    const months = [
      { role: "user", content: "我们做了饺子。", chat_time: "2026-03-10 19:00:00" },
      { role: "user", content: "我们又做了饺子。", chat_time: "2026-04-10 19:00:00" },
      { role: "user", content: "上个月我们去了海边。", chat_time: "2026-04-12 19:00:00" },
      { role: "user", content: "我们去了山里。", chat_time: "2026-04-13 19:00:00" },
      ...CHATTER_ZH.map((content, index) => ({ role: "user", content, chat_time: `2026-04-2${index} 10:00:00` })),
    ];
    const told = await rig.server.post("/product/add", { user_id: "zhou", session_id: "spring", messages: months, mode: "fast" });
    assert.equal(told.status, 200, JSON.stringify(told.body));
    const moved = await rig.server.post("/product/add", { user_id: "mei", session_id: "move", messages: move, mode: "fast" });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  });
  after(() => rig.close());

  const search = async (userId: string, query: string, topK = 5): Promise<Hit[]> => {
    const response = await rig.server.post("/product/search", { user_id: userId, query, top_k: topK });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.data.text_mem[0].memories as Hit[];
  };

  test("a relevant reply brings the turn it answers, though that shares no word with the query, below it and below chat's threshold", async () => {
    const hits = await search("lin", "28路电车");
    assert.equal(hits[0]?.memory, "早上坐28路电车，人少。");
    const asked = hits.find((hit) => hit.memory === "下个月去里斯本，有什么建议？");
    assert.ok(asked, hits.map((hit) => hit.memory).join(" | "));
    assert.ok(asked.metadata.relativity < (hits[0]?.metadata.relativity ?? 0));
    assert.ok(asked.metadata.relativity < 0.5, "a neighbour alone never reaches chat's threshold");
  });

  test("when several turns of one session answer, its other turns come with them, below them and below chat's threshold", async () => {
    const hits = await search("mei", "搬家到杭州", 10);
    const texts = hits.map((hit) => hit.memory);
    assert.equal(texts[0], "我们下个月搬家到杭州。");
    const flat = hits.find((hit) => hit.memory === "新公寓在西湖附近，三楼。");
    assert.ok(flat, texts.join(" | "));
    assert.ok(flat.metadata.relativity < 0.5, "a session's turn alone never reaches chat's threshold");
    for (const chatter of CHATTER_ZH)
      assert.ok(!texts.includes(chatter) || (hits.find((hit) => hit.memory === chatter)?.metadata.relativity ?? 0) <= flat.metadata.relativity);
  });

  test("a 'when' question ranks the turn that says when above the same fact undated; other questions do not", async () => {
    assert.equal((await search("ada", "我们什么时候去看牙医的？"))[0]?.memory, "我们上周去看了牙医。");
    assert.equal((await search("ada", "我们去看了牙医吗？"))[0]?.memory, "我们去看了牙医。");
  });
  test("a question naming a month ranks that month's turns first: said in it, or telling of it ('last month', resolved against chat_time)", async () => {
    assert.equal((await search("zhou", "我们三月做了饺子吗？"))[0]?.memory, "我们做了饺子。");
    assert.equal((await search("zhou", "我们四月做了饺子吗？"))[0]?.memory, "我们又做了饺子。");
    assert.equal((await search("zhou", "三月我们去了哪里？"))[0]?.memory, "上个月我们去了海边。");
  });
});

describe("'when' questions and dated turns, in English, Chinese and German", () => {
  test("time interrogatives are told from other questions", () => {
    for (const text of ["When did you move?", "What year was that?", "她什么时候回来？", "你哪天有空？", "Wann bist du umgezogen?", "An welchem Tag war das?"])
      assert.ok(isWhenQuestion(text), text);
    for (const text of ["What did you eat?", "你吃了什么？", "Was hast du gegessen?"]) assert.ok(!isWhenQuestion(text), text);
  });
  test("a turn saying when is told by its time words, not by the modal 'may'", () => {
    for (const text of [
      "We met last Tuesday.",
      "I saw her yesterday.",
      "It was on 3 May.",
      "我上周去了。",
      "星期五见。",
      "Wir waren letzte Woche dort.",
      "Gestern war es kalt.",
    ]) {
      assert.ok(holdsTimeExpression(text), text);
    }
    for (const text of ["You may go now.", "May I come?", "我去了。", "Wir waren dort."]) assert.ok(!holdsTimeExpression(text), text);
  });
  test("months are told in English, German and Chinese; relative dates resolve against the turn's time", () => {
    assert.deepEqual([...monthsNamed("What did we do in March?")], [3]);
    assert.deepEqual([...monthsNamed("Was war im Mai?")], [5]);
    assert.deepEqual([...monthsNamed("十二月去了哪里？")], [12]);
    assert.deepEqual([...monthsNamed("You may go. May I?")], []);
    assert.equal(monthOf("I saw her yesterday.", "2026-05-01T10:00:00.000Z"), 4);
    assert.equal(monthOf("上个月去的。", "2026-01-05T10:00:00.000Z"), 12);
    assert.equal(monthOf("Wir waren letzte Woche dort.", "2026-03-03T10:00:00.000Z"), 2);
    assert.equal(monthOf("Nothing dated here.", "2026-07-05T10:00:00.000Z"), 7);
  });
});
