import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { JobLeaseLost } from "../../src/store/store.js";
import type { MessageRecord, NewJob, NewMemory } from "../../src/store/types.js";
import { tempDataDir } from "../support/server.js";

const dataDir = tempDataDir();
const file = path.join(dataDir, "memcube.db");
// Two connections to one file, as two processes would have.
let one: SqliteStore;
let two: SqliteStore;
before(() => {
  one = new SqliteStore(file);
  two = new SqliteStore(file);
});
after(async () => {
  await one.close();
  await two.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

function entry(cubeId: string, messageId: string, text: string) {
  const message: MessageRecord = { cubeId, messageId, sessionId: "s", role: "user", content: text, chatTime: at(0), createdAt: at(0) };
  const memory: NewMemory = {
    id: crypto.randomUUID(), cubeId, userId: "u", sessionId: "s", text, memoryType: "UserMemory", key: "", tags: [], confidence: 1,
    source: "conversation", background: "", info: {}, chatTime: at(0), createdAt: at(0), updatedAt: at(0),
    sourceMessageIds: [messageId], vector: null, keywords: text.toLowerCase(),
  };
  return { message, memory };
}

/** Each test queues its own kind of job, so that one test's leftover claims never reach another. */
function job(kind: string, cubeId: string, messageIds: string[], runAfter = at(0)): NewJob {
  return { taskId: crypto.randomUUID(), kind, cubeId, userId: "u", messageIds, payload: { sessionId: "s" }, runAfter };
}

const claimAt = (kind: string, store: SqliteStore, second: number, workerId: string, taskId?: string) =>
  store.claimJob({ kinds: [kind], workerId, now: at(second), leaseUntil: at(second + 10), ...(taskId && { taskId }) });

describe("the job queue", () => {
  test("jobs are enqueued with the batch, covering only the messages it stored", async () => {
    const first = await one.addConversation({ userId: "u", now: at(0), entries: [entry("q1", "m1", "one")], jobs: [job("a", "q1", ["m1"])] });
    assert.equal(first.jobs.length, 1);
    const again = await one.addConversation({
      userId: "u",
      now: at(0),
      entries: [entry("q1", "m1", "one again"), entry("q1", "m2", "two")],
      jobs: [job("a", "q1", ["m1", "m2"]), job("a", "q1", ["m1"])],
    });
    assert.deepEqual(again.jobs.map((queued) => queued.messageIds), [["m2"]], "a job over messages already held is not queued");
    const stored = await one.getJob(again.jobs[0]?.taskId ?? "");
    assert.deepEqual(stored?.payload.messageIds, ["m2"]);
    assert.equal((stored?.payload.memoryIds as string[]).length, 1);
  });

  test("one claim per job across connections; a cube's jobs run one at a time, in order", async () => {
    const a = await claimAt("a", one, 1, "w1");
    const b = await claimAt("a", two, 1, "w2");
    assert.equal(a?.cubeId, "q1");
    assert.equal(a?.attempts, 1);
    assert.equal(b, undefined, "the second job of q1 waits for the first");
    await one.addConversation({ userId: "u", now: at(1), entries: [entry("q2", "m1", "other cube")], jobs: [job("a", "q2", ["m1"])] });
    assert.equal((await claimAt("a", two, 1, "w2"))?.cubeId, "q2", "another cube's job is not held up");
    assert.ok(await one.finishJob({ jobId: a?.id ?? 0, workerId: "w1" }, { status: "done", result: {} }, at(2)));
    assert.equal((await claimAt("a", two, 2, "w2"))?.cubeId, "q1");
  });

  test("a lapsed lease is claimed again; the old runner's writes are then refused", async () => {
    await one.addConversation({ userId: "u", now: at(0), entries: [entry("q3", "m1", "crash")], jobs: [job("b", "q3", ["m1"])] });
    const first = await claimAt("b", one, 20, "dead");
    assert.ok(first);
    assert.equal(await claimAt("b", two, 25, "alive"), undefined, "not while the lease holds");
    const second = await claimAt("b", two, 31, "alive");
    assert.equal(second?.id, first.id);
    assert.equal(second?.attempts, 2);
    assert.equal(await one.renewJob({ jobId: first.id, workerId: "dead" }, at(60)), false);
    assert.equal(await one.finishJob({ jobId: first.id, workerId: "dead" }, { status: "parked", error: "x" }, at(32)), false);
    await assert.rejects(
      one.commitRefinement({ claim: { jobId: first.id, workerId: "dead" }, cubeId: "q3", now: at(32), derived: [], retire: [], result: {} }),
      JobLeaseLost,
    );
    const write = await two.commitRefinement({ claim: { jobId: first.id, workerId: "alive" }, cubeId: "q3", now: at(32), derived: [], retire: [], result: { n: 1 } });
    assert.deepEqual(write, { insertedIds: [], archivedIds: [] });
    const done = await one.getJob(first.taskId);
    assert.equal(done?.status, "done");
    assert.deepEqual(done?.result, { n: 1, insertedIds: [], archivedIds: [] });
  });

  test("a reserved job waits for its request; the request claims it by task id", async () => {
    const reserved = job("c", "q4", ["m1"], at(100));
    await one.addConversation({ userId: "u", now: at(40), entries: [entry("q4", "m1", "sync")], jobs: [reserved] });
    assert.equal(await claimAt("c", two, 41, "background"), undefined);
    assert.equal((await claimAt("c", one, 41, "request", reserved.taskId))?.taskId, reserved.taskId);
  });

  test("finished jobs are pruned after their retention; unfinished and parked ones stay", async () => {
    const unfinished = await one.countUnfinishedJobs("u");
    assert.equal(await one.pruneJobs(at(0)), 0, "not before their time");
    assert.equal(await one.pruneJobs(at(3600)), 2);
    assert.equal(await one.countUnfinishedJobs("u"), unfinished);
  });
});
