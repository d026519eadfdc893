/**
 * The free-form JSON fields (`info`, `filter`) are taken as sent: a key named `__proto__` is data and
 * comes back as it went in (MemOS keeps it), on both stores, and pollutes nothing; their text follows
 * the rule of every other text field (no NUL, no lone surrogate), a 422 naming where, never a 500.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { POSTGRES_SKIP, freshSchema, type TestSchema } from "../support/postgres.js";
import { startTestServer, type TestServer } from "../support/server.js";

const PROTO_INFO = '{"__proto__": {"polluted": true, "nested": [1, "two"]}, "constructor": {"prototype": {"polluted": true}}, "plain": "kept"}';
const expectedInfo = () => JSON.parse(PROTO_INFO) as Record<string, unknown>;

/** The same checks against one store. */
function jsonFieldSuite(label: string, env: () => Record<string, string>) {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(env());
  });
  after(async () => {
    await server.cleanup();
  });

  test(`${label}: __proto__ inside info round-trips through add, get_all, get_memory and search`, async () => {
    const body = `{"user_id": "proto", "messages": "The lighthouse keeper feeds seven cats", "info": ${PROTO_INFO}}`;
    const added = await server.post("/product/add", body);
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const id = added.body.data[0].memory_id as string;

    const all = await server.post("/product/get_all", { user_id: "proto" });
    const listed = all.body.data[0].memories[0].nodes[0].metadata.info;
    assert.deepEqual(Object.keys(listed).sort(), ["__proto__", "constructor", "plain"]);
    assert.deepEqual(listed, expectedInfo());

    const one = await server.get(`/product/get_memory/${id}?user_id=proto`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.data.metadata.info, expectedInfo());

    const found = await server.post("/product/search", { user_id: "proto", query: "lighthouse keeper cats" });
    const hit = found.body.data.text_mem[0].memories.find((memory: { id: string }) => memory.id === id);
    assert.ok(hit, "found by search");
    assert.deepEqual(hit.metadata.info, expectedInfo());

    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as unknown as Record<string, unknown>).polluted, undefined);
  });

  test(`${label}: a __proto__ key in a filter is an unknown field (422), not silently no filter`, async () => {
    for (const route of ["/product/search", "/product/delete_memory"]) {
      const query = route === "/product/search" ? '"query": "cats", ' : "";
      const response = await server.post(route, `{"user_id": "proto", ${query}"filter": {"__proto__": {"memory_type": "UserMemory"}}}`);
      assert.equal(response.status, 422, `${route}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.message, /unknown filter field/);
    }
    const all = await server.post("/product/get_all", { user_id: "proto" });
    assert.equal(all.body.data[0].memories[0].nodes.length, 1, "nothing deleted");
  });

  const BAD: [string, unknown, RegExp][] = [
    ["NUL in an info value", { info: { note: "a\u0000b" } }, /^info\.note: must not contain NUL/],
    ["NUL deep in info", { info: { list: [{ x: "\u0000" }] } }, /^info\.list\.0\.x: must not contain NUL/],
    ["NUL in an info key", { info: { "a\u0000": 1 } }, /^info: a key must not contain NUL/],
    ["a lone surrogate in an info value", { info: { note: "\ud800" } }, /^info\.note: contains an unpaired surrogate/],
  ];
  for (const [name, extra, message] of BAD) {
    test(`${label}: ${name} → 422 naming where, nothing stored`, async () => {
      const response = await server.post("/product/add", { user_id: "bad-info", messages: "hello", ...(extra as object) });
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.match(response.body.message, message);
      const exists = await server.post("/product/exist_mem_cube_id", { user_id: "bad-info", mem_cube_id: "bad-info" });
      assert.equal(exists.body.data["bad-info"], false);
    });
  }

  test(`${label}: NUL in a filter value → 422 naming where`, async () => {
    const response = await server.post("/product/search", { user_id: "proto", query: "cats", filter: { session_id: "s\u0000" } });
    assert.equal(response.status, 422, JSON.stringify(response.body));
    assert.match(response.body.message, /^filter\.session_id: must not contain NUL/);
  });
}

describe("info and filter on SQLite", () => {
  jsonFieldSuite("sqlite", () => ({}));
});

describe("info and filter on PostgreSQL", { skip: POSTGRES_SKIP }, () => {
  let schema: TestSchema;
  before(async () => {
    schema = await freshSchema("json_fields");
  });
  jsonFieldSuite("postgres", () => ({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }));
  after(async () => {
    await schema.drop(); // after the suite's server has stopped
  });
});
