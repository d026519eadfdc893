/**
 * A request still running when the server stops (its grace period over) is cut by the operator's
 * shutdown, not failed by a bug: no error-level "request failed" line with a stack, no 500 logged
 * or counted, so that every deploy does not raise the alerts that 5xx and error lines are watched for.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, test } from "node:test";
import { parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/logger.js";
import { startServer } from "../../src/server.js";
import { startFakeEmbeddings } from "../support/fake-embeddings.js";
import { tempDataDir } from "../support/server.js";

interface LogEntry {
  level: number;
  msg: string;
  status?: number;
  path?: string;
  err?: unknown;
}

const dataDir = tempDataDir();
after(() => rmSync(dataDir, { recursive: true, force: true }));

test("an add cut by the end of the grace period: logged at info as cut by the shutdown (503), never an error line or a 500", { timeout: 60_000 }, async () => {
  const embeddings = await startFakeEmbeddings();
  const entries: LogEntry[] = [];
  const logger = createLogger("info", { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) });
  const config = parseConfig({
    MEMCUBE_DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    MOS_EMBEDDER_BACKEND: "universal_api",
    MOS_EMBEDDER_API_BASE: embeddings.url,
    MOS_EMBEDDER_MODEL: "fake",
  });
  const hold = embeddings.hold(1); // the start-up probe goes through
  const running = await startServer(config, logger);
  try {
    // The start-up probe went through; the add's embedding request is the one held.
    const add = fetch(`${running.url}/product/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: "cut", messages: [{ role: "user", content: "still being embedded when the server stops" }] }),
    }).catch((error: unknown) => error);
    await hold.arrived;
    await running.close(50);
    await add;
  } finally {
    hold.release();
    await embeddings.close();
  }
  const errors = entries.filter((entry) => entry.level >= 50);
  assert.deepEqual(errors, [], "no error-level line");
  const line = entries.find((entry) => entry.msg === "request" && entry.path === "/product/add");
  assert.ok(line, "the add's request line");
  assert.equal(line.status, 503);
  assert.ok(entries.some((entry) => entry.level === 30 && entry.msg === "request cut by the server stopping"));
});

test(
  "an add still running at the end of the grace period is answered 503 'the server is stopping' before its connection is cut",
  { timeout: 60_000 },
  async () => {
    const answeredDir = tempDataDir();
    const embeddings = await startFakeEmbeddings();
    const config = parseConfig({
      MEMCUBE_DATA_DIR: answeredDir,
      PORT: "0",
      HOST: "127.0.0.1",
      MOS_EMBEDDER_BACKEND: "universal_api",
      MOS_EMBEDDER_API_BASE: embeddings.url,
      MOS_EMBEDDER_MODEL: "fake",
    });
    const hold = embeddings.hold(1); // the start-up probe goes through
    const running = await startServer(config, createLogger("silent"));
    try {
      const add = fetch(`${running.url}/product/add`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user_id: "answered", messages: [{ role: "user", content: "still being embedded when the server stops" }] }),
      });
      await hold.arrived;
      await running.close(50);
      const answer = await add;
      assert.equal(answer.status, 503);
      const body = (await answer.json()) as { code: number; message: string };
      assert.equal(body.code, 503);
      assert.match(body.message, /^the server is stopping/);
    } finally {
      hold.release();
      await embeddings.close();
      rmSync(answeredDir, { recursive: true, force: true });
    }
  },
);
