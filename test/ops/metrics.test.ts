import assert from "node:assert/strict";
import path from "node:path";
import Database from "better-sqlite3";
import { after, before, describe, test } from "node:test";
import type { Embedder } from "../../src/embed/embedder.js";
import { ReadinessProbe } from "../../src/ops/readiness.js";
import type { Store } from "../../src/store/store.js";
import { memories, script, startFineRig, waitIdle, type FineRig } from "../support/extraction.js";
import { freshSchema, POSTGRES_SKIP } from "../support/postgres.js";
import { startTestServer, tempDataDir, type TestServer } from "../support/server.js";

const KEYS = { "sk-alice-5f1d0c9e7a2b4c68": "alice", "sk-admin-7c2e9b4f1a6d3e80": "*" };
const ALICE = { authorization: "Bearer sk-alice-5f1d0c9e7a2b4c68" };
const ADMIN = { authorization: "Bearer sk-admin-7c2e9b4f1a6d3e80" };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format: every line is a comment or a well-formed sample. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  assert.ok(text.endsWith("\n"), "the exposition ends with a newline");
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n").slice(0, -1)) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `malformed line: ${line}`);
    const labels: Record<string, string> = {};
    const body = sample[2] ?? "";
    const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    for (let match = pair.exec(body); match; match = pair.exec(body)) {
      labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      consumed = pair.lastIndex;
    }
    assert.equal(consumed, body.length, `malformed labels: ${line}`);
    const value = sample[3] === "+Inf" ? Infinity : Number(sample[3]);
    assert.ok(!Number.isNaN(value), `malformed value: ${line}`);
    samples.push({ name: sample[1] as string, labels, value });
  }
  return { samples, types };
}

/** The sum of the samples with this name whose labels include these. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

async function scrape(server: TestServer, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await fetch(`${server.url}/metrics`, { headers });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text()).samples;
}

describe("GET /metrics and GET /ready with API keys", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
  });
  after(() => server.cleanup());

  test("/ready needs no key; /metrics needs the admin key", async () => {
    const ready = await server.get("/ready");
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: "ready" });
    assert.equal((await server.get("/metrics")).status, 401);
    const user = await server.get("/metrics", ALICE);
    assert.equal(user.status, 403);
    assert.equal(user.body.code, 403);
    assert.equal((await server.get("/metrics", ADMIN)).status, 200);
  });

  test("counters, histograms and gauges move with requests", async () => {
    const before = await scrape(server, ADMIN);
    const route = { method: "POST", route: "/product/add", status: "200" };
    const added = await server.post("/product/add", { user_id: "alice", messages: "My sister Anna lives in Bolzano" }, ALICE);
    assert.equal(added.status, 200);
    await server.post("/product/search", { user_id: "alice", query: "Where does Anna live?" }, ALICE);
    await server.get("/product/get_memory/nope?user_id=alice", ALICE);
    await server.get("/no/such/route", ALICE);
    const after = await scrape(server, ADMIN);

    assert.equal(valueOf(after, "memcube_http_requests_total", route) - valueOf(before, "memcube_http_requests_total", route), 1);
    assert.equal(
      valueOf(after, "memcube_http_request_duration_seconds_count", route) - valueOf(before, "memcube_http_request_duration_seconds_count", route),
      1,
    );
    const bucket = { ...route, le: "+Inf" };
    assert.equal(valueOf(after, "memcube_http_request_duration_seconds_bucket", bucket), valueOf(after, "memcube_http_request_duration_seconds_count", route));
    // per route template, not per path
    assert.equal(valueOf(after, "memcube_http_requests_total", { route: "/product/get_memory/:id" }), 1);
    assert.equal(valueOf(after, "memcube_http_requests_total", { route: "unmatched", status: "404" }), 1);
    assert.equal(valueOf(after, "memcube_http_requests_total", { route: "/metrics", status: "200" }), 2);
    assert.ok(valueOf(after, "memcube_search_duration_seconds_count") > valueOf(before, "memcube_search_duration_seconds_count"));
    assert.ok(valueOf(after, "memcube_embedding_duration_seconds_count") > valueOf(before, "memcube_embedding_duration_seconds_count"));
    assert.equal(valueOf(after, "memcube_memories", { store: "sqlite" }) - valueOf(before, "memcube_memories", { store: "sqlite" }), 1);
    assert.ok(valueOf(after, "memcube_cubes") >= 1);
    assert.equal(valueOf(after, "memcube_jobs", { status: "parked" }), 0);
    assert.equal(valueOf(after, "memcube_job_lag_seconds"), 0);
  });

  test("the exposition declares each family's type once", async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: ADMIN });
    const { types } = parseExposition(await response.text());
    assert.equal(types.get("memcube_http_requests_total"), "counter");
    assert.equal(types.get("memcube_http_request_duration_seconds"), "histogram");
    assert.equal(types.get("memcube_memories"), "gauge");
    assert.equal(types.get("memcube_jobs"), "gauge");
  });
});

describe("GET /ready when the server cannot serve", () => {
  test("a store whose schema is not this build's: 503 with the reason", async () => {
    const dataDir = tempDataDir();
    const server = await startTestServer({}, dataDir);
    try {
      assert.equal((await server.get("/ready")).status, 200);
      const db = new Database(path.join(dataDir, "memcube.db"));
      const current = Number(db.pragma("user_version", { simple: true }));
      db.pragma(`user_version = ${current + 1}`);
      db.close();
      const response = await server.get("/ready");
      assert.equal(response.status, 503);
      assert.equal(response.body.status, "unavailable");
      assert.match(response.body.reason, new RegExp(`^store: schema version ${current + 1}, this build needs ${current} \\(migrations not current\\)$`));
    } finally {
      await server.cleanup();
    }
  });

  test("an unreachable store or an embedder that fails: not ready, with the reason", async () => {
    const embedder: Embedder = {
      name: "fake",
      dimension: 2,
      represents: () => true,
      embed: async () => [new Float32Array(2)],
      close: async () => {},
    };
    const broken = { schemaStatus: async () => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.1:5432")) } as unknown as Store;
    assert.deepEqual(await new ReadinessProbe(broken, embedder).check(), {
      ready: false,
      reason: "store: unreachable",
      detail: "connect ECONNREFUSED 10.0.0.1:5432",
    });
    const store = { schemaStatus: async () => ({ applied: 3, latest: 3 }) } as unknown as Store;
    const failing: Embedder = { ...embedder, embed: async () => Promise.reject(new Error("model file missing")) };
    assert.deepEqual(await new ReadinessProbe(store, failing).check(), { ready: false, reason: "embedder: not loaded", detail: "model file missing" });
    assert.deepEqual(await new ReadinessProbe(store, embedder).check(), { ready: true });
  });
});

describe("LLM metrics", () => {
  let rig: FineRig;
  before(async () => {
    rig = await startFineRig();
  });
  after(() => rig.close());

  test("the extraction model's calls are timed and its reported tokens counted, per model", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user keeps bees" }) });
    await rig.server.post("/product/add", { user_id: "bees", messages: "I keep bees on my roof" });
    await waitIdle(rig.server, "bees");
    const samples = await scrape(rig.server);
    assert.ok(valueOf(samples, "memcube_llm_request_duration_seconds_count", { model: "reader-model", kind: "complete", outcome: "ok" }) >= 1);
    assert.ok(valueOf(samples, "memcube_llm_tokens_total", { model: "reader-model", type: "prompt" }) > 0);
    assert.ok(valueOf(samples, "memcube_llm_tokens_total", { model: "reader-model", type: "completion" }) > 0);
  });
});

describe("GET /ready and GET /metrics on PostgreSQL", { skip: POSTGRES_SKIP }, () => {
  test("ready; the store's gauges come from PostgreSQL", async () => {
    const schema = await freshSchema("ops");
    const server = await startTestServer({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url });
    try {
      assert.deepEqual((await server.get("/ready")).body, { status: "ready" });
      assert.equal((await server.post("/product/add", { user_id: "pg", messages: "Stored in PostgreSQL" })).status, 200);
      const samples = await scrape(server);
      assert.equal(valueOf(samples, "memcube_memories", { store: "postgres" }), 1);
      assert.equal(valueOf(samples, "memcube_cubes"), 1);
      assert.equal(valueOf(samples, "memcube_jobs", { status: "queued" }), 0);
    } finally {
      await server.cleanup();
      await schema.drop();
    }
  });
});
