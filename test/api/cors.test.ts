import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
before(async () => {
  server = await startTestServer({ MEMCUBE_CORS_ORIGINS: "http://app.example" });
});
after(() => server.cleanup());

test("MEMCUBE_CORS_ORIGINS lets the listed origins call the API from a browser, and only them", async () => {
  const preflight = await fetch(`${server.url}/product/chat/stream`, {
    method: "OPTIONS",
    headers: { origin: "http://app.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  assert.equal(preflight.headers.get("access-control-allow-origin"), "http://app.example");
  const allowed = await server.post("/product/search", { user_id: "c", query: "q", readable_cube_ids: ["c"] }, { origin: "http://app.example" });
  assert.equal(allowed.headers.get("access-control-allow-origin"), "http://app.example");
  const other = await server.post("/product/search", { user_id: "c", query: "q" }, { origin: "http://evil.example" });
  assert.equal(other.headers.get("access-control-allow-origin"), null);
});
