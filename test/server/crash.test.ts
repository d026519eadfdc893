import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { extractionEnv, memories, prompts, script } from "../support/extraction.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { tempDataDir } from "../support/server.js";
import { serveChild } from "../support/process.js";

let llm: FakeOpenAI;
const dataDir = tempDataDir();
before(async () => {
  llm = await startFakeOpenAI();
});
after(async () => {
  await llm.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const serve = () => serveChild({ ...extractionEnv(llm), MEMCUBE_DATA_DIR: dataDir });

const json = async <T>(response: Response) => (await response.json()) as { data: T; message: string };
type Task = { task_id: string; status: string };

describe("a crash mid-job", () => {
  test("kill -9 while the model works: after a restart the job runs again and completes", async () => {
    script(llm, { delayMs: 5000, extract: () => memories({ memory: "never delivered" }) });
    const first = await serve();
    let taskId: string;
    try {
      const added = await json<{ task_id: string }[]>(
        await fetch(`${first.url}/product/add`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ user_id: "beekeeper", messages: "I keep two beehives on my roof" }),
        }),
      );
      taskId = added.data[0]?.task_id ?? "";
      while (prompts(llm, "extract").length === 0) await llm.arrived(); // the job reached the model
      const running = await json<Task[]>(await fetch(`${first.url}/product/scheduler/status?user_id=beekeeper&task_id=${taskId}`));
      assert.equal(running.data[0]?.status, "in_progress");
    } finally {
      first.child.kill("SIGKILL");
      await first.exited;
    }

    script(llm, { extract: () => memories({ memory: "The user keeps two beehives on their roof", key: "hobby" }) });
    const second = await serve();
    try {
      const waited = await json<unknown>(
        await fetch(`${second.url}/product/scheduler/wait?user_name=beekeeper&timeout_seconds=10&poll_interval=0.05`, { method: "POST" }),
      );
      assert.equal(waited.message, "idle");
      const status = await json<Task[]>(await fetch(`${second.url}/product/scheduler/status?user_id=beekeeper&task_id=${taskId}`));
      assert.deepEqual(status.data, [{ task_id: taskId, status: "completed" }]);
      const listed = await json<{ memories: { nodes: { memory: string }[] }[] }[]>(
        await fetch(`${second.url}/product/get_all`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ user_id: "beekeeper" }),
        }),
      );
      assert.deepEqual(
        listed.data[0]?.memories[0]?.nodes.map((memory) => memory.memory),
        ["The user keeps two beehives on their roof"],
      );
      assert.equal(prompts(llm, "extract").length, 2, "the interrupted extraction ran once more");
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});
