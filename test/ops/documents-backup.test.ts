/** Documents and the operator's tools: backup and restore carry files; the cube quota counts their chunks. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { buildPdf } from "../support/pdf.js";
import { startTestServer, tempDataDir } from "../support/server.js";

function memcube(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/memcube.mjs", ...args],
      { env: { ...process.env, LOG_LEVEL: "silent", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const folders: string[] = [];
after(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});
const folder = () => {
  const dir = tempDataDir();
  folders.push(dir);
  return dir;
};

const pdf = buildPdf([["Warehouse rules"], ["Forklifts are charged overnight in bay four."]]);
const addPdf = (server: Awaited<ReturnType<typeof startTestServer>>, userId: string) =>
  server.post("/product/add", {
    user_id: userId,
    async_mode: "sync",
    messages: [{ role: "user", content: [{ type: "file", file: { file_id: "rules", filename: "rules.pdf", file_data: pdf.toString("base64") } }] }],
  });

test("a restored backup holds the file: its chunks are found with their page, and adding it again is a no-op", async () => {
  const server = await startTestServer();
  try {
    const added = await addPdf(server, "bk-docs");
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const file = path.join(folder(), "backup.db");
    const backup = await memcube(["backup", file], { MEMCUBE_DATA_DIR: server.dataDir });
    assert.equal(backup.code, 0, backup.stderr);
    const restoredDir = folder();
    const restore = await memcube(["restore", file], { MEMCUBE_DATA_DIR: restoredDir });
    assert.equal(restore.code, 0, restore.stderr);
    const restored = await startTestServer({}, restoredDir);
    try {
      const found = await restored.post("/product/search", { user_id: "bk-docs", query: "where are forklifts charged", top_k: 1 });
      const hit = found.body.data.text_mem[0].memories[0];
      assert.match(hit.memory, /bay four/);
      assert.equal(hit.metadata.sources[0].file_info.page, 2);
      const again = await addPdf(restored, "bk-docs");
      assert.deepEqual(
        again.body.data.map((entry: { memory_id: string }) => entry.memory_id).sort(),
        added.body.data.map((entry: { memory_id: string }) => entry.memory_id).sort(),
      );
    } finally {
      await restored.cleanup();
    }
  } finally {
    await server.cleanup();
  }
});

test("a file whose chunks would take a cube past MEMCUBE_CUBE_MAX_BYTES is a 413, and nothing is stored", async () => {
  const server = await startTestServer({ MEMCUBE_CUBE_MAX_BYTES: "600" });
  try {
    const full = await addPdf(server, "quota-docs");
    assert.equal(full.status, 413, JSON.stringify(full.body));
    assert.match(full.body.message, /cube 'quota-docs' is full: .* \(MEMCUBE_CUBE_MAX_BYTES\)/);
    const all = await server.post("/product/get_all", { user_id: "quota-docs" });
    assert.deepEqual(all.body.data[0]?.memories[0]?.nodes ?? [], []);
  } finally {
    await server.cleanup();
  }
});

test("an async document job survives a restart: queued by a server that runs no jobs, stored by the next one", async () => {
  const dataDir = folder();
  const first = await startTestServer({ MEMCUBE_JOB_WORKERS: "0" }, dataDir);
  const queued = await first.post("/product/add", {
    user_id: "job-docs",
    task_id: "docs-1",
    messages: [{ role: "user", content: [{ type: "file", file: { file_id: "rules", filename: "rules.pdf", file_data: pdf.toString("base64") } }] }],
  });
  assert.equal(queued.status, 200, JSON.stringify(queued.body));
  assert.deepEqual(queued.body.data, []);
  assert.deepEqual((await first.get("/product/scheduler/status?user_id=job-docs&task_id=docs-1")).body.data, [{ task_id: "docs-1", status: "waiting" }]);
  await first.stop();
  const second = await startTestServer({ MEMCUBE_JOB_POLL_SECONDS: "0.05" }, dataDir);
  try {
    let status = "";
    for (let attempt = 0; attempt < 200 && status !== "completed"; attempt++) {
      status = (await second.get("/product/scheduler/status?user_id=job-docs&task_id=docs-1")).body.data?.[0]?.status ?? "";
      if (status !== "completed") await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, "completed");
    const found = await second.post("/product/search", { user_id: "job-docs", query: "where are forklifts charged", top_k: 1 });
    assert.match(found.body.data.text_mem[0].memories[0].memory, /bay four/);
  } finally {
    await second.cleanup();
  }
});
