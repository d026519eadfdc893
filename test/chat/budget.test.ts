import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { budgetFor, fitToBudget, loadTokenCounter } from "../../src/chat/budget.js";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";

describe("fitToBudget", () => {
  const query = { role: "user" as const, content: "question" };
  const history = Array.from({ length: 10 }, (_, index) => ({ role: "user" as const, content: `message number ${index} `.repeat(5) }));
  const memories = Array.from({ length: 10 }, (_, index) => `memory ${index}`);
  const render = (chosen: readonly string[]) => `system ${chosen.join(" ")}`;
  const words: (text: string) => number = (text) => text.split(/\s+/).length;

  test("everything stays when it fits", () => {
    const fitted = fitToBudget({ budget: { promptTokens: 100_000 }, memories, history, query, render, memoryTokens: () => 10, count: words });
    assert.equal(fitted.memories.length, 10);
    assert.equal(fitted.history.length, 10);
  });

  test("lowest-ranked memories and oldest messages go first; neither crowds out the other", () => {
    const fitted = fitToBudget({ budget: { promptTokens: 300 }, memories, history, query, render, memoryTokens: () => 20, count: words });
    assert.deepEqual(fitted.memories, memories.slice(0, fitted.memories.length));
    assert.deepEqual(fitted.history, history.slice(history.length - fitted.history.length));
    assert.ok(fitted.memories.length > 0 && fitted.memories.length < 10);
    assert.ok(fitted.history.length > 0 && fitted.history.length < 10);
  });

  test("the answer's share is kept out of the prompt budget", () => {
    assert.deepEqual(budgetFor(8000, 1000), { promptTokens: 7000 });
    assert.deepEqual(budgetFor(1000, 5000), { promptTokens: 500 });
  });
});

describe("the context budget of a model entry", () => {
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig({}, (apiBase) => [{ backend: "ollama", api_base: apiBase, model_name_or_path: "tiny", context_window: 900 }]);
  });
  after(() => rig.close());

  const topics = ["tomatoes", "roses", "basil", "apple trees", "compost", "lavender", "strawberries", "mint", "sunflowers", "pumpkins", "garlic", "tulips"];

  test("a small context window keeps the best memories and the newest history, within the budget", async () => {
    await rig.server.post("/product/add", {
      user_id: "budget",
      session_id: "facts",
      messages: topics.map((topic, index) => ({
        role: "user",
        content: `In my garden I grow ${topic}; I planted them in year ${2000 + index} next to the ${index}th fence post`,
      })),
    });
    const history = Array.from({ length: 20 }, (_, index) => ({
      role: index % 2 ? "assistant" : "user",
      content: `turn ${index}: ` + "we talked about watering schedules and soil. ".repeat(3),
    }));
    const request = { user_id: "budget", query: "What do I grow in my garden?", history, top_k: 12, threshold: 0, add_message_on_answer: false };

    await rig.server.post("/product/chat/complete", request);
    const roomy = lastPrompt(rig.llm);
    await rig.server.post("/product/chat/complete", { ...request, model_name_or_path: "tiny", max_tokens: 100 });
    const tiny = lastPrompt(rig.llm);

    const memoryLines = (prompt: { content: string }[]) => prompt[0]?.content.match(/^\[\d+\] .*$/gm) ?? [];
    assert.equal(roomy.length, 22, "the 32k default keeps all 20 history messages");
    assert.ok(tiny.length < roomy.length && tiny.length > 2, `tiny kept ${tiny.length - 2} history messages`);
    assert.deepEqual(
      tiny.slice(1, -1).map((m) => m.content),
      roomy.slice(roomy.length - tiny.length + 1, -1).map((m) => m.content),
      "the newest history stays",
    );
    assert.ok(memoryLines(tiny).length > 0 && memoryLines(tiny).length < memoryLines(roomy).length);
    const rank = (line: string) => line.replace(/^\[\d+\] /, "");
    assert.deepEqual(memoryLines(tiny).map(rank), memoryLines(roomy).slice(0, memoryLines(tiny).length).map(rank), "the best-ranked memories stay");
    const count = await loadTokenCounter();
    const used = tiny.reduce((sum, message) => sum + count(message.content) + 4, 0);
    assert.ok(used <= 900 - 100, `prompt of ${used} tokens fits the 800 left after the answer`);
  });
});
