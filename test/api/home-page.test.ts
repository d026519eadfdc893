/** What a new user meets first: GET / in a browser, and the start-up log line saying where things are. */
import assert from "node:assert/strict";
import path from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../../src/logger.js";
import { startTestServer, tempDataDir } from "../support/server.js";

test("GET / is a small HTML page leading to the playground and the API docs, with API keys too (no key needed)", async () => {
  const server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify({ "sk-home-key-0123456789abcdef": "home" }) });
  try {
    const home = await fetch(`${server.url}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get("content-type") ?? "", /^text\/html/);
    const page = await home.text();
    assert.match(page, /<a href="\/playground">/);
    assert.match(page, /<a href="\/docs">/);
    assert.equal((await server.get("/product/whoami")).status, 401, "the rest still needs the key");
  } finally {
    await server.cleanup();
  }
});

test("the start-up log says where the playground, the API docs and the data file are", async () => {
  const sink = new PassThrough();
  let written = "";
  sink.on("data", (chunk: Buffer) => (written += chunk.toString()));
  const dataDir = tempDataDir();
  const server = await startTestServer({}, dataDir, createLogger("info", sink));
  try {
    const serving = written
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === "memcube is serving");
    assert.ok(serving, written);
    assert.equal(serving.url, server.url);
    assert.equal(serving.playground, `${server.url}/playground`);
    assert.equal(serving.docs, `${server.url}/docs`);
    assert.equal(serving.data, path.resolve(dataDir, "memcube.db"));
  } finally {
    await server.cleanup();
  }
});
