import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { createEmbedder, workerPlanOf } from "../../src/embed/index.js";
import type { LocalEmbedder } from "../../src/embed/local.js";
import { idleCoresBetween, idleCoresGauge, parseProcStat } from "../../src/embed/idle-cores.js";
import { availableCores, cgroupQuota, planWorkers } from "../../src/embed/worker-count.js";
import { startTestServer } from "../support/server.js";

const files = (contents: Record<string, string>) => (path: string) => contents[path];

test("one encoder thread per core beyond the request thread's, and a burst thread for imports that waits for an idle core", () => {
  const plan = (cores: number, processes = 1) => planWorkers({ workers: "auto", burstWorkers: "auto", processes }, { cores, from: "cpus" });
  assert.deepEqual(plan(1), { workers: 1, burstWorkers: 0, burstWhenIdle: false, cores: 1, coresFrom: "cpus" });
  assert.deepEqual(plan(2), { workers: 1, burstWorkers: 1, burstWhenIdle: true, cores: 2, coresFrom: "cpus" });
  assert.deepEqual(plan(4), { workers: 3, burstWorkers: 1, burstWhenIdle: true, cores: 4, coresFrom: "cpus" });
  assert.deepEqual(plan(32), { workers: 4, burstWorkers: 1, burstWhenIdle: true, cores: 32, coresFrom: "cpus" }); // each thread holds a model copy
  // `serve --workers 2` on two cores: each process counts one core.
  assert.deepEqual(plan(2, 2), { workers: 1, burstWorkers: 0, burstWhenIdle: false, cores: 1, coresFrom: "cpus" });
  // What the operator sets is kept, and a burst thread set by hand starts whenever a backlog waits.
  assert.deepEqual(planWorkers({ workers: 2, burstWorkers: 1 }, { cores: 2, from: "cpus" }), {
    workers: 2,
    burstWorkers: 1,
    burstWhenIdle: false,
    cores: 2,
    coresFrom: "cpus",
  });
});

test("idle cores are read from /proc/stat over windows of half a second or more", () => {
  const stat = (idle: number, busy: number) => `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8\n`;
  assert.deepEqual(parseProcStat(stat(300, 100)), { idle: 300, total: 400 });
  assert.equal(parseProcStat("nothing here"), undefined);
  assert.equal(idleCoresBetween({ idle: 0, total: 0 }, { idle: 50, total: 200 }, 2), 0.5);
  const readings = [stat(0, 0), stat(150, 50), stat(160, 240)];
  let clock = 0;
  const gauge = idleCoresGauge(
    2,
    () => readings.shift(),
    () => clock,
  );
  assert.equal(gauge(), undefined); // no window yet
  clock = 100;
  assert.equal(gauge(), undefined); // too short a window: not read again
  clock = 600;
  assert.equal(gauge(), 1.5); // 150 of 200 jiffies idle on 2 cores
  clock = 700;
  assert.equal(gauge(), 1.5); // the last complete window
  clock = 1200;
  assert.equal(gauge(), 0.1); // busy: 10 of 200 idle
  assert.equal(idleCoresGauge(2, () => undefined)(), undefined); // no /proc/stat
});

test("a cgroup CPU quota lowers the cores counted (v2 and v1), rounded up; no quota leaves them", () => {
  assert.equal(cgroupQuota(files({ "/sys/fs/cgroup/cpu.max": "150000 100000\n" })), 1.5);
  assert.equal(cgroupQuota(files({ "/sys/fs/cgroup/cpu.max": "max 100000\n" })), undefined);
  assert.equal(cgroupQuota(files({ "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "50000\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" })), 0.5);
  assert.equal(cgroupQuota(files({ "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" })), undefined);
  assert.equal(cgroupQuota(files({})), undefined);
  assert.deepEqual(availableCores(files({ "/sys/fs/cgroup/cpu.max": "50000 100000" })), { cores: 1, from: "cgroup-quota" });
  const unlimited = availableCores(files({}));
  assert.equal(unlimited.from, "cpus");
  assert.ok(unlimited.cores >= 1);
});

/** Starts a server whose log lines are kept, and returns its start-up line. */
async function servingLine(env: Record<string, string>): Promise<Record<string, unknown>> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const server = await startTestServer(env, undefined, pino({ level: "info" }, sink));
  await server.cleanup();
  const serving = lines.find((line) => line.msg === "memcube is serving");
  assert.ok(serving, `no start-up line among ${lines.length}`);
  return serving;
}

test("the start-up log says how many encoder threads run and from how many cores", async () => {
  const chosen = await servingLine({});
  assert.deepEqual(chosen.embeddingWorkers, planWorkers({ workers: "auto", burstWorkers: "auto" }));
  const set = await servingLine({ MEMCUBE_EMBED_WORKERS: "2", MEMCUBE_EMBED_BURST_WORKERS: "0" });
  assert.deepEqual(set.embeddingWorkers, { ...planWorkers({ workers: 2, burstWorkers: 0 }) });
});

test("the bundled embedder runs the threads it was given", async () => {
  const embedder = await createEmbedder({ backend: "local", workers: 2, burstWorkers: 0 });
  try {
    assert.equal((embedder as LocalEmbedder).stats().workersRunning, 2);
    assert.deepEqual(workerPlanOf(embedder), planWorkers({ workers: 2, burstWorkers: 0 }));
  } finally {
    await embedder.close();
  }
});
