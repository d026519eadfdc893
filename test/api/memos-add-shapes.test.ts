/**
 * `add` takes every message shape MemOS takes (issue 17, item 6), on both stores: what each shape
 * stores is read back by id.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { POSTGRES_SKIP, freshSchema, type TestSchema } from "../support/postgres.js";
import { startTestServer, type TestServer } from "../support/server.js";

const toolCall = { id: "call-1", type: "function", function: { name: "get_weather", arguments: '{"city": "Lisbon"}' } };

function addShapesSuite(label: string, env: () => Record<string, string>) {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(env());
  });
  after(async () => {
    await server.cleanup();
  });

  /** Adds, expects 200, and returns the stored memories' texts in order. */
  async function stored(body: Record<string, unknown>): Promise<string[]> {
    const added = await server.post("/product/add", body);
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.message, "Memory added successfully");
    return (added.body.data as { memory: string }[]).map((entry) => entry.memory);
  }

  async function read(userId: string, id: string) {
    const found = await server.get(`/product/get_memory/${id}?user_id=${encodeURIComponent(userId)}`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    return found.body.data;
  }

  test(`${label}: role tool, assistant content null with tool_calls, one content part, image_url parts`, async () => {
    const texts = await stored({
      user_id: "shapes1",
      messages: [
        { role: "assistant", content: null, tool_calls: [toolCall] },
        { role: "tool", content: "Lisbon: sunny, 25°C.", tool_call_id: "call-1" },
        { role: "user", content: { type: "text", text: "My sister lives in Porto." } },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture of a mountain lake?" },
            { type: "image_url", image_url: { url: "https://example.invalid/lake.jpg", detail: "high" } },
          ],
        },
      ],
    });
    assert.deepEqual(texts, [
      '[tool call get_weather: {"city": "Lisbon"}]',
      "Lisbon: sunny, 25°C.",
      "My sister lives in Porto.",
      "What is in this picture of a mountain lake?\n[image: https://example.invalid/lake.jpg]",
    ]);
  });

  test(`${label}: bare text items and a file item are stored; the file as the source it is, by name`, async () => {
    const added = await server.post("/product/add", {
      user_id: "shapes2",
      messages: [
        { type: "text", text: "A standalone note with no dialog around it." },
        { type: "file", file: { file_id: "file_123", filename: "notes.pdf" } },
      ],
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(
      added.body.data.map((entry: { memory: string }) => entry.memory),
      ["A standalone note with no dialog around it.", "[file: notes.pdf]"],
    );
    const file = await read("shapes2", added.body.data[1].memory_id);
    assert.equal(file.memory, "[file: notes.pdf]");
    assert.equal(file.metadata.source, "file");
  });

  test(`${label}: memory_content and doc_path without messages (MemOS's deprecated fields)`, async () => {
    const added = await server.post("/product/add", {
      user_id: "shapes3",
      mem_cube_id: "shapes3_cube",
      memory_content: "The user collects vintage maps.",
      doc_path: "/path/to/legacy.docx",
      source: "legacy_source_tag",
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(
      added.body.data.map((entry: { memory: string; cube_id: string }) => [entry.memory, entry.cube_id]),
      [
        ["The user collects vintage maps.", "shapes3_cube"],
        ["[file: /path/to/legacy.docx]", "shapes3_cube"],
      ],
    );
    const note = await read("shapes3", added.body.data[0].memory_id);
    assert.equal(note.metadata.info.source, "legacy_source_tag");
  });

  test(`${label}: free-text chat_time is kept as given, and the add time orders the message`, async () => {
    const before = Date.now();
    const added = await server.post("/product/add", {
      user_id: "shapes4",
      messages: [{ role: "user", content: "We had dinner by the river.", chat_time: "yesterday evening" }],
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const memory = await read("shapes4", added.body.data[0].memory_id);
    assert.equal(memory.metadata.info.given_chat_time, "yesterday evening");
    assert.ok(Date.parse(memory.metadata.chat_time) >= before - 1000, memory.metadata.chat_time);
  });

  test(`${label}: session_id "" is the default session; a non-ASCII user id works, NFC-normalized`, async () => {
    const added = await server.post("/product/add", { user_id: "用户_001", writable_cube_ids: ["用户_001"], session_id: "", messages: "我喜欢喝茶。" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const memory = await read("用户_001", added.body.data[0].memory_id);
    assert.equal(memory.metadata.session_id, "default_session");
    // "é" typed decomposed (e + combining acute) is the same user as the composed one.
    const decomposed = "rene\u0301";
    const second = await server.post("/product/add", { user_id: decomposed, messages: "I like chess." });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.data[0].cube_id, "ren\u00e9");
  });

  test(`${label}: an empty add is taken (MemOS does) and says so in x-memcube-notice`, async () => {
    for (const messages of ["", [], [{ role: "assistant", content: null }]]) {
      const added = await server.post("/product/add", { user_id: "shapes5", messages });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.deepEqual(added.body.data, []);
      assert.match(added.headers.get("x-memcube-notice") ?? "", /nothing to store/);
    }
  });

  test(`${label}: what MemOS refuses stays a 422 naming the field`, async () => {
    const cases: [unknown, RegExp][] = [
      [[{ type: "text" }], /^messages\.0\.text: field required/],
      [
        [
          { role: "user", content: "hi" },
          { type: "text", text: "a note" },
        ],
        /^messages: mixes chat messages/,
      ],
      [[{ role: "tool", content: "x" }], /^messages\.0\.tool_call_id: field required/],
      [[{ role: "user" }], /^messages\.0\.content: field required/],
    ];
    for (const [messages, message] of cases) {
      const added = await server.post("/product/add", { user_id: "shapes6", messages });
      assert.equal(added.status, 422, JSON.stringify(added.body));
      assert.match(added.body.message, message);
    }
    const slash = await server.post("/product/add", { user_id: "a/b", messages: "x" });
    assert.equal(slash.status, 422);
    assert.match(slash.body.message, /^user_id: must be 1-128 Unicode letters/);
  });
}

describe("add message shapes on SQLite", () => {
  addShapesSuite("sqlite", () => ({}));
});

describe("add message shapes on PostgreSQL", { skip: POSTGRES_SKIP }, () => {
  let schema: TestSchema;
  before(async () => {
    schema = await freshSchema("add_shapes");
  });
  addShapesSuite("postgres", () => ({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }));
  after(async () => {
    await schema.drop();
  });
});
