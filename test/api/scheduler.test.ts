import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { memories, script, startFineRig, waitIdle, type FineRig } from "../support/extraction.js";
import { startTestServer, type TestServer } from "../support/server.js";

let rig: FineRig;
let plain: TestServer;
before(async () => {
  [rig, plain] = await Promise.all([startFineRig(), startTestServer()]);
});
after(async () => {
  await rig.close();
  await plain.cleanup();
});

describe("GET /product/scheduler/status", () => {
  test("a user's tasks, newest first, as {task_id, status}; one task by task_id", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user works night shifts" }) });
    const first = await rig.server.post("/product/add", { user_id: "sched1", messages: "I work night shifts" });
    const second = await rig.server.post("/product/add", { user_id: "sched1", writable_cube_ids: ["sched1-notes"], messages: "Night shifts again" });
    await waitIdle(rig.server, "sched1");
    const all = await rig.server.get("/product/scheduler/status?user_id=sched1");
    assert.equal(all.status, 200);
    assert.deepEqual(all.body, {
      code: 200,
      message: "Memory get status successfully",
      data: [
        { task_id: second.body.data[0].task_id, status: "completed" },
        { task_id: first.body.data[0].task_id, status: "completed" },
      ],
    });
    const one = await rig.server.get(`/product/scheduler/status?user_id=sched1&task_id=${first.body.data[0].task_id}`);
    assert.deepEqual(one.body.data, [{ task_id: first.body.data[0].task_id, status: "completed" }]);
  });

  test("a client's task_id from add is reported as one task over the jobs the add queued (two cubes)", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user repaints the bike every spring" }) });
    const added = await rig.server.post("/product/add", {
      user_id: "sched5",
      writable_cube_ids: ["sched5", "sched5-b"],
      task_id: "client-task-7",
      messages: "I repaint my bike every spring",
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    await waitIdle(rig.server, "sched5");
    const one = await rig.server.get("/product/scheduler/status?user_id=sched5&task_id=client-task-7");
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual(one.body.data, [{ task_id: "client-task-7", status: "completed" }]);
    // Someone else asking for the same client id sees nothing.
    assert.equal((await rig.server.get("/product/scheduler/status?user_id=peer5&task_id=client-task-7")).status, 404);
  });

  test("a user sees only their own tasks: another user's task id is not found, even in a shared cube", async () => {
    const added = await rig.server.post("/product/add", { user_id: "sched2", messages: "My own note" });
    await rig.server.post("/product/share_cube", { user_id: "sched2", cube_id: "sched2", target_user_id: "peer", access: "read" });
    const other = await rig.server.get(`/product/scheduler/status?user_id=peer&task_id=${added.body.data[0].task_id}`);
    assert.equal(other.status, 404);
    assert.equal(other.body.message, `task '${added.body.data[0].task_id}' not found for user 'peer'`);
    assert.deepEqual((await rig.server.get("/product/scheduler/status?user_id=peer")).body.data, []);
    const unknown = await rig.server.get("/product/scheduler/status?user_id=sched2&task_id=no-such-task");
    assert.equal(unknown.status, 404);
    await waitIdle(rig.server, "sched2");
  });

  test("a task whose cube the user can no longer read disappears with the cube", async () => {
    const added = await rig.server.post("/product/add", { user_id: "sched3", writable_cube_ids: ["sched3-tmp"], messages: "temporary" });
    await waitIdle(rig.server, "sched3");
    await rig.server.post("/product/delete_cube", { user_id: "sched3", cube_id: "sched3-tmp" });
    assert.equal((await rig.server.get(`/product/scheduler/status?user_id=sched3&task_id=${added.body.data[0].task_id}`)).status, 404);
  });

  test("validation: user_id is required and checked", async () => {
    const missing = await rig.server.get("/product/scheduler/status");
    assert.equal(missing.status, 422);
    assert.equal(missing.body.message, "user_id: field required");
    assert.deepEqual(missing.body.detail[0].loc, ["query", "user_id"]);
    assert.equal((await rig.server.get("/product/scheduler/status?user_id=bad%20id")).status, 422);
  });
});

describe("POST /product/scheduler/wait (query parameters, as MemOS clients send them)", () => {
  test("idle: the MemOS shape, and running_tasks 0", async () => {
    const response = await rig.server.post("/product/scheduler/wait?user_name=nobody-yet&timeout_seconds=120&poll_interval=0.5", "");
    assert.equal(response.status, 200);
    assert.equal(response.body.code, 200);
    assert.equal(response.body.message, "idle");
    assert.deepEqual(Object.keys(response.body.data).sort(), ["running_tasks", "timed_out", "user_name", "waited_seconds"]);
    assert.equal(response.body.data.running_tasks, 0);
    assert.equal(response.body.data.timed_out, false);
    assert.equal(response.body.data.user_name, "nobody-yet");
    assert.equal(typeof response.body.data.waited_seconds, "number");
  });

  test("waits for the user's tasks, or answers timeout with how many still run", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    script(rig.llm, { holdUntil: released, extract: () => memories({ memory: "The user is learning Japanese" }) });
    await rig.server.post("/product/add", { user_id: "waiter", messages: "I started learning Japanese" });
    const timedOut = await rig.server.post("/product/scheduler/wait?user_name=waiter&timeout_seconds=0.1&poll_interval=0.02", {});
    assert.equal(timedOut.body.message, "timeout");
    assert.equal(timedOut.body.data.timed_out, true);
    assert.equal(timedOut.body.data.running_tasks, 1);
    assert.ok(timedOut.body.data.waited_seconds >= 0.1);
    release(); // the model answers only now: the task cannot have finished before the first wait gave up
    const idle = await rig.server.post("/product/scheduler/wait?user_name=waiter&timeout_seconds=10&poll_interval=0.02", {});
    assert.equal(idle.body.message, "idle");
    assert.equal(idle.body.data.timed_out, false);
    assert.ok(idle.body.data.waited_seconds > 0);
  });

  test("validation: user_name required, numbers checked", async () => {
    assert.equal((await rig.server.post("/product/scheduler/wait", {})).body.message, "user_name: field required");
    const bad = await rig.server.post("/product/scheduler/wait?user_name=u&timeout_seconds=soon", {});
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /^timeout_seconds: /);
  });
});

describe("without an extraction model", () => {
  test("adds are fast with no task; the scheduler routes answer empty and idle; mode fine is a 400 saying what to set", async () => {
    const added = await plain.post("/product/add", { user_id: "nofine", messages: "hello" });
    assert.equal(added.body.data[0].task_id, undefined);
    assert.deepEqual((await plain.get("/product/scheduler/status?user_id=nofine")).body.data, []);
    assert.equal((await plain.post("/product/scheduler/wait?user_name=nofine", {})).body.message, "idle");
    const fine = await plain.post("/product/add", { user_id: "nofine", mode: "fine", messages: "hello" });
    assert.equal(fine.status, 400);
    assert.match(fine.body.message, /MEMRADER_API_BASE.*MEMCUBE_EXTRACT_MODEL/);
  });

  test("a fast add's client task_id is reported as completed, to its user only, as MemOS reports it", async () => {
    assert.equal((await plain.get("/product/scheduler/status?user_id=fasttask&task_id=client-fast-1")).status, 404);
    const added = await plain.post("/product/add", {
      user_id: "fasttask",
      writable_cube_ids: ["fasttask", "fasttask-b"],
      task_id: "client-fast-1",
      messages: "I water the plants on Mondays",
    });
    assert.equal(added.status, 200);
    assert.equal(added.body.data[0].task_id, undefined);
    const one = await plain.get("/product/scheduler/status?user_id=fasttask&task_id=client-fast-1");
    assert.equal(one.status, 200);
    assert.equal(one.body.message, "Memory get status successfully");
    assert.deepEqual(one.body.data, [{ task_id: "client-fast-1", status: "completed" }]);
    assert.equal((await plain.get("/product/scheduler/status?user_id=someone-else&task_id=client-fast-1")).status, 404);
    // Nothing is left running: a client waiting for the task is answered at once.
    assert.equal((await plain.post("/product/scheduler/wait?user_name=fasttask", {})).body.message, "idle");
  });
});
