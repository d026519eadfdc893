/**
 * A chat whose turn could not be written back (its cube is full, MEMCUBE_CUBE_MAX_BYTES) is refused
 * before the model is called, on every chat route, as the daily token budget is: the user is not
 * made to pay for an answer that then ends in a 413.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { chatStream, startChatRig, type ChatRig } from "../support/chat.js";

let rig: ChatRig;
before(async () => {
  rig = await startChatRig({ MEMCUBE_CUBE_MAX_BYTES: "4kb" });
  // 2 × 1,800 bytes (the message and its memory) of the cube's 4,096.
  const filled = await rig.server.post("/product/add", { user_id: "full", messages: [{ role: "user", content: "f".repeat(1800) }] });
  assert.equal(filled.status, 200, JSON.stringify(filled.body));
});
after(() => rig.close());

describe("chat into a full cube", () => {
  const QUERY = `${"q".repeat(600)} what did I say?`;

  test("/product/chat/complete: 413 naming the cube, the model never called", async () => {
    const sent = rig.llm.requests.length;
    const response = await rig.server.post("/product/chat/complete", { user_id: "full", query: QUERY });
    assert.equal(response.status, 413, JSON.stringify(response.body));
    assert.match(response.body.message, /^cube 'full' is full: /);
    assert.equal(rig.llm.requests.length, sent, "the model was not called");
  });

  test("/product/chat/stream and /v1/chat/completions: the same, before any frame", async () => {
    const sent = rig.llm.requests.length;
    const stream = await chatStream(rig.server, { user_id: "full", query: QUERY });
    assert.equal(stream.status, 413);
    const openai = await rig.server.post("/v1/chat/completions", { user: "full", messages: [{ role: "user", content: QUERY }] });
    assert.equal(openai.status, 413, JSON.stringify(openai.body));
    assert.match(openai.body.error.message, /^cube 'full' is full: /);
    assert.equal(rig.llm.requests.length, sent, "the model was not called");
  });

  test("a chat that does not write back (add_message_on_answer: false) still answers from the full cube", async () => {
    const response = await rig.server.post("/product/chat/complete", { user_id: "full", query: QUERY, add_message_on_answer: false });
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });
});
