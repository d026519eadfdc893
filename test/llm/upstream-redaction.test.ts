/**
 * A model server that echoes the API key back in its error (partly masked, URL-encoded, in a
 * Basic header) never gets any of it to the client: the 502 says what failed without the key.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MIN_RUN, secretForms } from "../../src/redact.js";
import { startChatRig, type ChatRig } from "../support/chat.js";

const KEY = "sk-live/Qm9+Tx4=Wp7Zr2Hk8Vb3Nc6Jd";

let rig: ChatRig;
before(async () => {
  rig = await startChatRig({}, (apiBase) => [{ backend: "openai", api_base: apiBase, api_key: KEY, model_name_or_path: "keyed-model" }]);
});
after(async () => {
  await rig.close();
});

function pieceOfKey(text: string): string | undefined {
  for (const form of secretForms(KEY)) {
    for (let start = 0; start + MIN_RUN <= form.length; start++) {
      if (text.includes(form.slice(start, start + MIN_RUN))) return form.slice(start, start + MIN_RUN);
    }
  }
  return undefined;
}

const ECHO = {
  error: {
    message: `Incorrect API key provided: ****${KEY.slice(-8)}; request https://gw.example/v1?key=${encodeURIComponent(KEY)} with Basic ${Buffer.from(`x:${KEY}`).toString("base64")}`,
  },
};

test("/product/chat/complete: the upstream's echo of the key is redacted in every form", async () => {
  rig.llm.failNext(401, ECHO);
  const response = await rig.server.post("/product/chat/complete", { user_id: "redact", query: "hello", model_name_or_path: "keyed-model" });
  assert.equal(response.status, 502);
  assert.match(response.body.message, /^the model failed \(upstream HTTP 401\): model server answered 401: Incorrect API key provided: \*\*\*\*\[redacted\]/);
  assert.equal(pieceOfKey(JSON.stringify(response.body)), undefined, response.body.message);
});

test("/v1/chat/completions: the same", async () => {
  rig.llm.failNext(401, ECHO);
  const response = await rig.server.post("/v1/chat/completions", { model: "keyed-model", user: "redact", messages: [{ role: "user", content: "hello" }] });
  assert.equal(response.status, 502);
  assert.equal(pieceOfKey(JSON.stringify(response.body)), undefined, response.body.error.message);
});
