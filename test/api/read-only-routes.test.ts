/**
 * Read-only keys may call the routes declared `readOnly` where they are declared, and nothing else:
 * not a route declared without it, not a path no route matches.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../support/server.js";

const READ_ONLY = { authorization: "Bearer sk-owner-ro-2b7e9d4c1a6f3e80" };
const KEYS = { "sk-owner-ro-2b7e9d4c1a6f3e80": { user: "owner", access: "read" }, "sk-owner-rw-9c3a5e1f7b2d8c46": "owner" };
const REFUSED = /^this API key is read-only: (GET|POST|DELETE|HEAD) \S+ may change data/;

describe("routes declared read-only", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
  });
  after(() => server.cleanup());

  test("a path no route matches is refused (403), not answered 404", async () => {
    for (const route of ["/product/no_such_route", "/product/search/", "/product/get_memory/"]) {
      const sent = await server.post(route, { user_id: "owner" }, READ_ONLY);
      assert.equal(sent.status, 403, route);
      assert.match(sent.body.message, REFUSED, route);
    }
    const other = await server.post("/product/no_such_route", { user_id: "owner" }, { authorization: "Bearer sk-owner-rw-9c3a5e1f7b2d8c46" });
    assert.equal(other.status, 404, "a writing key gets the 404");
  });

  test("a route with a path parameter, and HEAD on a read-only GET route, are allowed", async () => {
    const memory = await server.get("/product/get_memory/0b9f2c1e-7a4d-4e8b-9c3f-5d6a7b8c9d0e?user_id=owner", READ_ONLY);
    assert.equal(memory.status, 200, "read-only GET /product/get_memory/{id} reaches the route");
    assert.equal(memory.body.message, "Memory with ID 0b9f2c1e-7a4d-4e8b-9c3f-5d6a7b8c9d0e not found");
    const head = await fetch(`${server.url}/v1/models`, { method: "HEAD", headers: READ_ONLY });
    assert.equal(head.status, 200);
    const write = await fetch(`${server.url}/admin/jobs/some-task`, { method: "DELETE", headers: READ_ONLY });
    assert.equal(write.status, 403);
  });
});
