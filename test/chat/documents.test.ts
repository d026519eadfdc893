/** Chat over document knowledge: a chunk reaches the model with where it came from, to be cited. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { buildPdf } from "../support/pdf.js";

let rig: ChatRig;
before(async () => {
  rig = await startChatRig();
});
after(() => rig.close());

test("the prompt shows a document chunk with its file, page and section, and asks the model to cite it", async () => {
  const pdf = buildPdf([["Installation guide", "", "Unpack the router and plug it in."], ["The admin password is printed under the router."]]);
  const added = await rig.server.post("/product/add", {
    user_id: "chat-docs",
    async_mode: "sync",
    messages: [{ role: "user", content: [{ type: "file", file: { filename: "router.pdf", file_data: pdf.toString("base64") } }] }],
  });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  rig.llm.reply({ text: "Under the router (router.pdf, p. 2)." });
  const answer = await rig.server.post("/product/chat/complete", {
    user_id: "chat-docs",
    query: "Where is the router admin password?",
    add_message_on_answer: false,
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const system = lastPrompt(rig.llm)[0]?.content ?? "";
  assert.match(system, /from "router\.pdf, p\. 2": "The admin password is printed under the router\."/);
  assert.match(system, /cite that source/);
  assert.equal(answer.body.data.references[0]?.metadata.sources[0].file_info.page, 2);
});
