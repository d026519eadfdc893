import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { activeTexts, memories, script, startFineRig, taskStatus, waitIdle, type FineRig } from "../support/extraction.js";
import { startTestServer, type Json, type TestServer } from "../support/server.js";

const KEYS = { "sk-alice-5f1d0c9e7a2b4c68": "alice", "sk-admin-7c2e9b4f1a6d3e80": "*" };
const ALICE = { authorization: "Bearer sk-alice-5f1d0c9e7a2b4c68" };
const ADMIN = { authorization: "Bearer sk-admin-7c2e9b4f1a6d3e80" };

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

async function del(route: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${rig.server.url}${route}`, { method: "DELETE" });
  return { status: response.status, body: await response.json() };
}

let rig: FineRig;
before(async () => {
  rig = await startFineRig();
});
after(() => rig.close());

/** Adds a message whose extraction is unusable twice: its job is parked at once. */
async function parkedTask(userId: string, text: string): Promise<string> {
  script(rig.llm, { extract: () => "not JSON at all" });
  const added = await rig.server.post("/product/add", { user_id: userId, messages: text });
  await waitIdle(rig.server, userId);
  const taskId: string = added.body.data[0].task_id;
  assert.equal((await taskStatus(rig.server, userId, taskId)).status, "failed");
  return taskId;
}

describe("jobs admin routes", () => {
  test("parked jobs are listed with their errors; a retried one runs again and completes", async () => {
    const taskId = await parkedTask("jobs1", "I grow tomatoes on the balcony");
    const listed = await rig.server.get("/admin/jobs/parked");
    assert.equal(listed.status, 200);
    const job = listed.body.data.find((entry: { task_id: string }) => entry.task_id === taskId);
    assert.ok(job, "the parked job is listed");
    assert.equal(job.cube_id, "jobs1");
    assert.equal(job.user_id, "jobs1");
    assert.match(job.error, /unusable twice/);

    script(rig.llm, { extract: () => memories({ memory: "The user grows tomatoes" }) });
    const retried = await rig.server.post(`/admin/jobs/${taskId}/retry`, {});
    assert.equal(retried.status, 200);
    assert.deepEqual(retried.body.data, { task_id: taskId, status: "queued" });
    await waitIdle(rig.server, "jobs1");
    assert.equal((await taskStatus(rig.server, "jobs1", taskId)).status, "completed");
    assert.ok((await activeTexts(rig.server, "jobs1")).includes("The user grows tomatoes"));
    // no longer parked: neither listed nor retried again
    const again = await rig.server.get("/admin/jobs/parked");
    assert.ok(!again.body.data.some((entry: { task_id: string }) => entry.task_id === taskId));
    assert.equal((await rig.server.post(`/admin/jobs/${taskId}/retry`, {})).status, 404);
  });

  test("a dropped job is gone; its raw memory stays", async () => {
    const taskId = await parkedTask("jobs2", "I play the cello");
    const dropped = await del(`/admin/jobs/${taskId}`);
    assert.equal(dropped.status, 200);
    assert.equal(dropped.body.data.dropped, true);
    assert.equal((await del(`/admin/jobs/${taskId}`)).status, 404);
    const status = await rig.server.get(`/product/scheduler/status?user_id=jobs2&task_id=${taskId}`);
    assert.equal(status.status, 404);
    assert.deepEqual(await activeTexts(rig.server, "jobs2"), ["I play the cello"]);
  });

  test("bad input: a malformed task id is a 422, a limit out of range a 422", async () => {
    assert.equal((await rig.server.post("/admin/jobs/bad%20id/retry", {})).status, 422);
    assert.equal((await rig.server.get("/admin/jobs/parked?limit=0")).status, 422);
  });

  test("memcube jobs list|retry|drop work on the store the server is using", async () => {
    const first = await parkedTask("jobs3", "I speak Basque");
    const second = await parkedTask("jobs3", "I speak Welsh too");
    const env = { MEMCUBE_DATA_DIR: rig.server.dataDir };
    const list = await memcube(["jobs", "list", "--json"], env);
    assert.equal(list.code, 0, list.stderr);
    const jobs = list.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { task_id: string; error: string });
    for (const taskId of [first, second]) {
      assert.match(jobs.find((entry) => entry.task_id === taskId)?.error ?? "", /unusable twice/);
    }
    script(rig.llm, { extract: () => memories({ memory: "The user speaks Basque" }) });
    const retry = await memcube(["jobs", "retry", first], env);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(retry.stdout, `queued again: ${first}\n`);
    const drop = await memcube(["jobs", "drop", second], env);
    assert.equal(drop.stdout, `dropped: ${second}\n`);
    const missing = await memcube(["jobs", "drop", second], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no parked job with task_id/);
    assert.equal((await memcube(["jobs", "frobnicate"], env)).code, 2);
    await waitIdle(rig.server, "jobs3");
    assert.equal((await taskStatus(rig.server, "jobs3", first)).status, "completed");
    const text = await memcube(["jobs", "list"], env);
    assert.ok(!text.stdout.includes(first) && !text.stdout.includes(second));
  });
});

describe("jobs admin routes with API keys", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
  });
  after(() => server.cleanup());

  test("only an admin key may use them", async () => {
    assert.equal((await server.get("/admin/jobs/parked")).status, 401);
    const user = await server.get("/admin/jobs/parked", ALICE);
    assert.equal(user.status, 403);
    assert.equal(user.body.message, "this route needs an admin API key");
    assert.equal((await server.post("/admin/jobs/some-task/retry", {}, ALICE)).status, 403);
    assert.deepEqual((await server.get("/admin/jobs/parked", ADMIN)).body, { code: 200, message: "ok", data: [] });
    assert.equal((await server.post("/admin/jobs/some-task/retry", {}, ADMIN)).status, 404);
  });
});
