/**
 * One text check for every route that stores or searches text: NUL and lone surrogates are a 422
 * naming the field on /v1/chat/completions as on /product/chat/complete, and a body that is not
 * UTF-8 is a 400 naming the byte where it stops being UTF-8, on every JSON route. Nothing is stored,
 * nothing reaches the model.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startChatRig, type ChatRig } from "../support/chat.js";
import type { Json } from "../support/server.js";

let rig: ChatRig;
before(async () => {
  rig = await startChatRig();
});
after(async () => {
  await rig.close();
});

/** Whether anything was stored for the user (its cube exists once anything was written). */
async function storedFor(userId: string): Promise<boolean> {
  const response = await rig.server.post("/product/exist_mem_cube_id", { user_id: userId, mem_cube_id: userId });
  return response.body.data[userId] === true;
}

const NUL = "\u0000";
const LONE = "\ud800";

describe("/v1/chat/completions checks text as /product/chat/complete does", () => {
  const CASES: [string, unknown[], RegExp, string][] = [
    ["NUL in the last user message", [{ role: "user", content: `hi${NUL}there` }], /^messages\.0\.content: must not contain NUL/, "messages.0.content"],
    [
      "a lone surrogate in the last user message",
      [{ role: "user", content: `hi ${LONE}` }],
      /^messages\.0\.content: contains an unpaired surrogate/,
      "messages.0.content",
    ],
    [
      "NUL in a text part",
      [{ role: "user", content: [{ type: "text", text: `a${NUL}` }] }],
      /^messages\.0\.content\.0\.text: must not contain NUL/,
      "messages.0.content.0.text",
    ],
    [
      "NUL in the history",
      [
        { role: "assistant", content: `x${NUL}` },
        { role: "user", content: "hi" },
      ],
      /^messages\.0\.content: must not contain NUL/,
      "messages.0.content",
    ],
    [
      "a lone surrogate in a system message",
      [
        { role: "system", content: `be ${LONE}` },
        { role: "user", content: "hi" },
      ],
      /^messages\.0\.content: contains an unpaired surrogate/,
      "messages.0.content",
    ],
  ];
  for (const [name, messages, message, param] of CASES) {
    test(`${name} → 422 naming the field, in OpenAI's shape, nothing stored or sent`, async () => {
      const user = `v1-text-${CASES.findIndex(([label]) => label === name)}`;
      const sent = rig.llm.requests.length;
      const response = await rig.server.post("/v1/chat/completions", { model: "deepseek-r1", user, messages });
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.equal(response.body.error.type, "invalid_request_error");
      assert.match(response.body.error.message, message);
      assert.equal(response.body.error.param, param);
      assert.equal(rig.llm.requests.length, sent, "nothing reached the model");
      assert.equal(await storedFor(user), false);
    });
  }

  test("the same query to /product/chat/complete gives the same problem", async () => {
    const response = await rig.server.post("/product/chat/complete", { user_id: "pc-text", query: `hi${NUL}there` });
    assert.equal(response.status, 422);
    assert.match(response.body.message, /^query: must not contain NUL/);
  });

  test("well-formed text with astral characters still passes", async () => {
    const response = await rig.server.post("/v1/chat/completions", {
      model: "deepseek-r1",
      user: "v1-emoji",
      messages: [{ role: "user", content: "I like 🍵 and 𝄞" }],
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.choices[0].message.content, "echo: I like 🍵 and 𝄞");
  });
});

/** A JSON body whose message text holds `bad` raw bytes; returns it and the offset of the first bad byte. */
function bodyWithBytes(prefix: string, bad: number[], suffix: string): { bytes: Uint8Array; offset: number } {
  const head = new TextEncoder().encode(prefix);
  const tail = new TextEncoder().encode(suffix);
  const bytes = new Uint8Array([...head, ...bad, ...tail]);
  return { bytes, offset: head.length };
}

async function postBytes(route: string, bytes: Uint8Array): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${rig.server.url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: bytes });
  return { status: response.status, body: await response.json() };
}

describe("bodies that are not UTF-8 are refused, not repaired", () => {
  const SEQUENCES: [string, number[]][] = [
    ["ff fe (never UTF-8)", [0xff, 0xfe]],
    ["c0 af (an overlong '/')", [0xc0, 0xaf]],
    ["ed a0 80 (a CESU-8 surrogate)", [0xed, 0xa0, 0x80]],
    ["e2 82 (a sequence cut short)", [0xe2, 0x82]],
    ["f4 90 80 80 (above U+10FFFF)", [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [name, bad] of SEQUENCES) {
    test(`${name} → 400 naming the byte, on every JSON route, nothing stored`, async () => {
      const user = `utf8-${bad.map((byte) => byte.toString(16)).join("")}`;
      const add = bodyWithBytes(`{"user_id": "${user}", "messages": "caf`, bad, ` au lait"}`);
      const response = await postBytes("/product/add", add.bytes);
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.deepEqual(response.body, { code: 400, message: `body: invalid UTF-8 at byte ${add.offset}`, data: null });
      assert.equal(await storedFor(user), false);

      const search = bodyWithBytes(`{"user_id": "${user}", "query": "`, bad, `"}`);
      assert.equal((await postBytes("/product/search", search.bytes)).body.message, `body: invalid UTF-8 at byte ${search.offset}`);

      const sent = rig.llm.requests.length;
      const chat = bodyWithBytes(`{"user_id": "${user}", "query": "`, bad, `"}`);
      assert.equal((await postBytes("/product/chat/complete", chat.bytes)).body.message, `body: invalid UTF-8 at byte ${chat.offset}`);
      const v1 = bodyWithBytes(`{"user": "${user}", "messages": [{"role": "user", "content": "`, bad, `"}]}`);
      const openai = await postBytes("/v1/chat/completions", v1.bytes);
      assert.equal(openai.status, 400);
      assert.equal(openai.body.error.message, `body: invalid UTF-8 at byte ${v1.offset}`);
      assert.equal(openai.body.error.type, "invalid_request_error");
      assert.equal(rig.llm.requests.length, sent, "nothing reached the model");
      assert.equal(await storedFor(user), false);
    });
  }

  test("a UTF-8 byte order mark and multi-byte characters are fine", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"user_id": "utf8-ok", "messages": "naïve café 🍵"}')]);
    const response = await postBytes("/product/add", bytes);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const stored = await rig.server.post("/product/get_all", { user_id: "utf8-ok" });
    assert.deepEqual(
      stored.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory),
      ["naïve café 🍵"],
    );
  });
});

/** A header value carrying these UTF-8 bytes as they go on the wire (fetch sends each char ≤ 0xff as one byte). */
const wireHeader = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString("latin1");

describe("headers that carry text are UTF-8 too, never read byte by byte", () => {
  const chatWithSession = (user: string, session: string) =>
    rig.server.post(
      "/v1/chat/completions",
      { model: "deepseek-r1", messages: [{ role: "user", content: "remember the session header" }] },
      { "x-memcube-user": user, "x-memcube-session-id": session },
    );

  test("x-memcube-session-id in UTF-8 is stored as the characters sent, not one character per byte", async () => {
    const response = await chatWithSession("hdr-utf8-ok", wireHeader(new TextEncoder().encode("café-🍵")));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const stored = await rig.server.post("/product/get_all", { user_id: "hdr-utf8-ok" });
    const sessions = new Set(stored.body.data[0].memories[0].nodes.map((memory: { metadata: { session_id: string } }) => memory.metadata.session_id));
    assert.deepEqual([...sessions], ["café-🍵"]);
  });

  for (const [name, bad] of [
    ["ff fe", [0xff, 0xfe]],
    ["c0 af", [0xc0, 0xaf]],
    ["ed a0 80", [0xed, 0xa0, 0x80]],
  ] as const) {
    test(`x-memcube-session-id with ${name} → 400 naming the header, nothing stored or sent`, async () => {
      const user = `hdr-utf8-${bad.map((byte) => byte.toString(16)).join("")}`;
      const sent = rig.llm.requests.length;
      const response = await chatWithSession(user, wireHeader([0x73, ...bad]));
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.error.message, "x-memcube-session-id: invalid UTF-8 at byte 1");
      assert.equal(response.body.error.param, "x-memcube-session-id");
      assert.equal(rig.llm.requests.length, sent, "nothing reached the model");
      assert.equal(await storedFor(user), false);
    });
  }

  test("x-memcube-session-id over 256 characters → 400 naming the header, not a silent default_session", async () => {
    const response = await chatWithSession("hdr-long", "s".repeat(257));
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.match(response.body.error.message, /^x-memcube-session-id: /);
    assert.equal(await storedFor("hdr-long"), false);
  });
});
