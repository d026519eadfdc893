/**
 * SIGTERM while a maximal add (1,000 messages of 7,000 characters, minutes of work for the local
 * embedder) is being embedded: the server drains for its grace period, aborts the embedding,
 * stops its workers and exits with 0; the store it leaves holds all of that add or none of it.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { rmSync } from "node:fs";
import { after, test } from "node:test";
import { serveChild } from "../support/process.js";
import { tempDataDir } from "../support/server.js";

const dataDir = tempDataDir();
after(() => rmSync(dataDir, { recursive: true, force: true }));

const serve = () => serveChild({ MEMCUBE_DATA_DIR: dataDir, MEMCUBE_API_KEYS: "", MEMCUBE_API_KEYS_FILE: "" });

const MESSAGES = 1000;

/** Sends the add and resolves once its whole body has been handed to the connection. */
function sendMaximalAdd(url: string): Promise<void> {
  const messages = Array.from({ length: MESSAGES }, (_, i) => ({
    role: "user",
    content: `message ${i}: ${"a word or two about the weather ".repeat(225)}`.slice(0, 7000),
  }));
  const body = JSON.stringify({ user_id: "terminated", messages });
  return new Promise((resolve, reject) => {
    const outgoing = request(`${url}/product/add`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    outgoing.on("error", () => undefined); // the server cuts the connection when it stops
    outgoing.on("response", (response) => response.resume());
    outgoing.end(body, () => resolve());
    outgoing.once("close", () => reject(new Error("the connection closed before the body was sent")));
  });
}

test("SIGTERM during a maximal add: the process exits, and the add is stored whole or not at all", { timeout: 120_000 }, async () => {
  const first = await serve();
  const exitCode = new Promise<number | null>((resolve) => first.child.once("exit", (code) => resolve(code)));
  await sendMaximalAdd(first.url);
  first.child.kill("SIGTERM");
  assert.equal(await exitCode, 0);

  const second = await serve();
  try {
    const listed = await fetch(`${second.url}/product/get_all`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: "terminated" }),
    });
    const body = (await listed.json()) as { data: { total_nodes: number }[] | null };
    const stored = body.data?.[0]?.total_nodes ?? 0;
    assert.ok(stored === 0 || stored === MESSAGES, `${stored} of ${MESSAGES} messages stored`);
  } finally {
    second.child.kill("SIGTERM");
    await second.exited;
  }
});
