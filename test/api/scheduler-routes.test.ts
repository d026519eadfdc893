/**
 * The scheduler routes MemOS has and memcube lacked (issue 17): allstatus, task_queue_status and
 * wait/stream, on both stores, with a held extraction model so that tasks are surely running or
 * waiting while they are looked at.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { memories, script, startFineRig, waitIdle, type FineRig } from "../support/extraction.js";
import { freshSchema, POSTGRES_SKIP, type TestSchema } from "../support/postgres.js";
import { startTestServer, tempDataDir, type TestServer } from "../support/server.js";

interface Frame {
  status: string;
  active_tasks?: number;
  elapsed_seconds?: number;
  timed_out?: boolean;
  user_name?: string;
  instance_id?: string;
}

async function waitStream(
  server: TestServer,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string; frames: Frame[] }> {
  const response = await fetch(`${server.url}/product/scheduler/wait/stream?${query}`, { headers });
  const raw = await response.text();
  const frames = raw
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data:"))
    .map((block) => JSON.parse(block.slice("data:".length)) as Frame);
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", frames };
}

function schedulerSuite(name: string, setup: () => Promise<{ env: Record<string, string>; drop?: () => Promise<void> }>, skip: string | false = false) {
  describe(`scheduler routes (${name})`, { skip }, () => {
    let rig: FineRig;
    let drop: (() => Promise<void>) | undefined;
    let release: () => void = () => undefined;
    before(async () => {
      const { env, drop: dropStore } = await setup();
      drop = dropStore;
      rig = await startFineRig(env);
    });
    after(async () => {
      release();
      await rig?.close();
      await drop?.();
    });

    test("while a task runs and another waits: allstatus counts them, task_queue_status shows the user's queue, wait/stream reports them until its timeout", async () => {
      const released = new Promise<void>((resolve) => (release = resolve));
      script(rig.llm, { holdUntil: released, extract: () => memories({ memory: "The user plays the cello" }) });
      const arrived = rig.llm.arrived();
      await rig.server.post("/product/add", { user_id: "cellist", messages: "I play the cello" });
      await arrived; // the first task is in progress: its model call is held
      await rig.server.post("/product/add", { user_id: "cellist", messages: "Every evening" }); // waits behind it (same cube)

      const all = await rig.server.get("/product/scheduler/allstatus");
      assert.equal(all.status, 200);
      assert.equal(all.body.code, 200);
      assert.equal(all.body.message, "Scheduler status summary retrieved successfully");
      const expected = { waiting: 1, in_progress: 1, pending: 1, completed: 0, failed: 0, cancelled: 0, total: 2 };
      assert.deepEqual(all.body.data, { scheduler_summary: expected, all_tasks_summary: expected });

      const queue = await rig.server.get("/product/scheduler/task_queue_status?user_id=cellist");
      assert.equal(queue.status, 200);
      assert.equal(queue.body.message, "Scheduler task queue status retrieved successfully");
      const key = "memcube:cellist:cellist:extract";
      assert.deepEqual(queue.body.data, {
        user_id: "cellist",
        user_name: null,
        mem_cube_id: null,
        stream_keys: [key],
        users_count: 1,
        pending_tasks_count: 1,
        remaining_tasks_count: 2,
        pending_tasks_detail: [`${key}:1`],
        remaining_tasks_detail: [`${key}:2`],
      });
      const stranger = await rig.server.get("/product/scheduler/task_queue_status?user_id=stranger");
      assert.deepEqual(
        [stranger.status, stranger.body.data.stream_keys, stranger.body.data.remaining_tasks_count, stranger.body.data.users_count],
        [200, [], 0, 1],
        "another user's queues are not shown, only how many users have any",
      );

      const watched = await waitStream(rig.server, "user_name=cellist&timeout_seconds=0.2&poll_interval=0.05");
      assert.equal(watched.status, 200);
      assert.match(watched.contentType, /^text\/event-stream/);
      const last = watched.frames.at(-1);
      assert.deepEqual(
        { ...last, elapsed_seconds: 0, instance_id: "" },
        { user_name: "cellist", active_tasks: 2, elapsed_seconds: 0, status: "timeout", timed_out: true, instance_id: "" },
      );
      assert.ok((last?.elapsed_seconds ?? 0) >= 0.2);
      assert.ok(watched.frames.length >= 2, "a running frame per poll before the timeout");
      for (const frame of watched.frames.slice(0, -1)) assert.deepEqual([frame.status, frame.active_tasks], ["running", 2]);
      assert.equal(new Set(watched.frames.map((frame) => frame.instance_id)).size, 1);

      release();
      const idle = await waitStream(rig.server, "user_name=cellist&timeout_seconds=10&poll_interval=0.02");
      assert.deepEqual(idle.frames.at(-1)?.status, "idle");
      assert.equal(idle.frames.at(-1)?.active_tasks, 0);
      for (const frame of idle.frames.slice(0, -1)) assert.equal(frame.status, "running");

      const done = await rig.server.get("/product/scheduler/allstatus");
      assert.deepEqual(done.body.data.all_tasks_summary, { waiting: 0, in_progress: 0, pending: 0, completed: 2, failed: 0, cancelled: 0, total: 2 });
      const drained = await rig.server.get("/product/scheduler/task_queue_status?user_id=cellist");
      assert.deepEqual([drained.body.data.stream_keys, drained.body.data.remaining_tasks_detail], [[key], [`${key}:0`]]);
    });

    test("wait/stream for a user with no task: one idle frame; bad parameters are a 422 naming the field", async () => {
      await waitIdle(rig.server, "cellist");
      const idle = await waitStream(rig.server, "user_name=nobody&timeout_seconds=5");
      assert.deepEqual(
        idle.frames.map((frame) => [frame.status, frame.active_tasks, frame.user_name]),
        [["idle", 0, "nobody"]],
      );
      const missing = await rig.server.get("/product/scheduler/wait/stream");
      assert.equal(missing.status, 422);
      assert.equal(missing.body.message, "user_name: field required");
      assert.match((await rig.server.get("/product/scheduler/wait/stream?user_name=u&poll_interval=often")).body.message, /^poll_interval: /);
      assert.equal((await rig.server.get("/product/scheduler/task_queue_status")).body.message, "user_id: field required");
    });
  });
}

schedulerSuite("SQLite", async () => ({ env: {} }));
let schema: TestSchema | undefined;
schedulerSuite(
  "PostgreSQL",
  async () => {
    schema = await freshSchema("scheduler_routes");
    return { env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }, drop: () => schema?.drop() ?? Promise.resolve() };
  },
  POSTGRES_SKIP,
);

describe("scheduler routes with API keys", () => {
  const KEYS = { "sk-admin-0123456789abcdef": "*", "sk-alice-0123456789abcdef": "alice" };
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) }, tempDataDir());
  });
  after(async () => {
    await server.cleanup();
  });

  test("allstatus reveals every user's tasks: an admin key only", async () => {
    const refused = await server.get("/product/scheduler/allstatus", as("sk-alice-0123456789abcdef"));
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, "this route reveals other users: it needs an admin API key");
    assert.equal((await server.get("/product/scheduler/allstatus")).status, 401);
    const admin = await server.get("/product/scheduler/allstatus", as("sk-admin-0123456789abcdef"));
    assert.equal(admin.status, 200);
    assert.equal(admin.body.data.all_tasks_summary.total, 0);
  });

  test("task_queue_status and wait/stream act for the user they name: the key must be theirs", async () => {
    assert.equal((await server.get("/product/scheduler/task_queue_status?user_id=alice", as("sk-alice-0123456789abcdef"))).status, 200);
    assert.equal((await server.get("/product/scheduler/task_queue_status?user_id=bob", as("sk-alice-0123456789abcdef"))).status, 403);
    assert.equal((await server.get("/product/scheduler/wait/stream?user_name=bob", as("sk-alice-0123456789abcdef"))).status, 403);
    const own = await waitStream(server, "user_name=alice", as("sk-alice-0123456789abcdef"));
    assert.deepEqual(
      own.frames.map((frame) => frame.status),
      ["idle"],
    );
  });
});
