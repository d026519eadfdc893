/**
 * A short load test (the long one is `npm run loadtest`): concurrent adds, searches and chats
 * against one server process with API keys, the fake model behind chat. No 5xx or any other error,
 * and no acknowledged add missing afterwards.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { formatLoad, runLoad } from "../../bench/lib/load.js";
import { modelList } from "../support/chat.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startServerProcess, type ServerProcess } from "../support/process.js";
import { tempDataDir } from "../support/server.js";

const SECONDS = 5;
const CONCURRENCY = 40;
const users = Array.from({ length: 4 }, (_, index) => ({ id: `loader-${index}`, key: `sk-loader-${index}-${crypto.randomUUID()}` }));
const dataDir = tempDataDir();
let llm: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  llm = await startFakeOpenAI({ delayMs: 10, chunkSize: 12 });
  server = await startServerProcess({
    MEMCUBE_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)),
    MEMCUBE_API_KEYS: JSON.stringify(Object.fromEntries(users.map((user) => [user.key, user.id]))),
  });
});
after(async () => {
  await server?.stop();
  await llm.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("load", () => {
  test(`${CONCURRENCY} concurrent clients for ${SECONDS} s: no errors, no lost writes`, async (t) => {
    const result = await runLoad({ url: server.url, seconds: SECONDS, concurrency: CONCURRENCY, users });
    t.diagnostic(formatLoad(result, CONCURRENCY).replaceAll("\n", " | "));
    assert.equal(result.errors, 0, JSON.stringify(result.failures) + result.examples.join("\n"));
    assert.equal(result.lostAdds, 0);
    // How many requests fit in the time is a speed figure (npm run loadtest prints it), not a test:
    // what is asserted is that every route was exercised, without errors or lost writes.
    for (const [route, figures] of Object.entries(result.routes)) assert.ok(figures.requests > 0, `no ${route} request ran`);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
  });
});
