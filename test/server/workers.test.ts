/**
 * `memcube serve --workers 2`: two processes on one port and one SQLite file. Many parallel clients
 * add (distinct message ids, and retries of the same ids racing the first attempt): no request
 * fails, every acknowledged message is stored exactly once, and searches answered by either worker
 * find them. A worker killed with SIGKILL is replaced; SIGTERM to the primary stops them all.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";
import { freePort } from "../support/process.js";
import { tempDataDir, type Json } from "../support/server.js";

const dataDir = tempDataDir();
let embeddings: FakeEmbeddings;
let primary: ChildProcess;
let exited: Promise<number | null>;
let port: number;

/** One request on a connection of its own, so that the primary's round robin spreads them over the workers. */
function call(route: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: "127.0.0.1",
        port,
        path: route,
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

/** The primary's worker processes. */
function workerPids(): number[] {
  const file = `/proc/${primary.pid}/task/${primary.pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, "utf8"));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const healthy = () =>
  fetch(`http://127.0.0.1:${port}/health`).then(
    (response) => response.ok,
    () => false,
  );

before(async () => {
  embeddings = await startFakeEmbeddings({ dimension: 32 });
  port = await freePort();
  primary = spawn(process.execPath, ["bin/memcube.mjs", "serve", "--port", String(port), "--workers", "2"], {
    env: {
      ...process.env,
      MEMCUBE_DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      MEMCUBE_API_KEYS: "",
      MEMCUBE_API_KEYS_FILE: "",
      CHAT_MODEL_LIST: "",
      MEMRADER_API_BASE: "",
      MEMREADER_API_BASE: "",
      MEMCUBE_EXTRACT_MODEL: "",
      MOS_EMBEDDER_BACKEND: "universal_api",
      MOS_EMBEDDER_API_BASE: embeddings.url,
      MOS_EMBEDDER_API_KEY: "sk-embed-test",
      MOS_EMBEDDER_MODEL: "fake-embed-1",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  exited = new Promise((resolve) => primary.once("exit", (code) => resolve(code)));
  await until("the workers", async () => workerPids().length === 2 && (await healthy()));
});
after(async () => {
  if (primary.exitCode === null) primary.kill("SIGKILL");
  await embeddings.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const CUBES = ["multi-a", "multi-b"];
const CLIENTS = 8;
const ADDS = 15;
/** A made-up word of each id's own, which only its messages contain. */
const word = (id: string) => [...id].map((char) => "bcdfghjklmnpqrstvwxz"[char.charCodeAt(0) % 20] ?? "").join("") + "o";
const text = (id: string, part: number) => `note ${id} part ${part}: ${word(id)}${"ay".repeat(part)}`;
const addBody = (id: string) => ({
  user_id: "multi",
  writable_cube_ids: CUBES,
  mode: "fast",
  messages: [1, 2].map((part) => ({ role: part === 1 ? "user" : "assistant", content: text(id, part), message_id: `${id}-${part}` })),
});

describe("serve --workers 2", () => {
  test("concurrent adds from parallel clients: none fails, each stored exactly once, searchable from every worker", async () => {
    const acknowledged = new Set<string>();
    const statuses: number[] = [];
    const add = async (id: string) => {
      const response = await call("/product/add", addBody(id));
      statuses.push(response.status);
      if (response.status !== 200) return;
      acknowledged.add(id);
      // A retry answers the memories stored the first time: two messages in each cube.
      assert.equal(response.body.data.length, 4, JSON.stringify(response.body));
    };
    // Meanwhile other clients add to a scratch cube and delete what they added (delete transactions read before they write).
    let adding = true;
    const churn = Array.from({ length: 3 }, async (_, client) => {
      for (let n = 0; adding; n += 1) {
        const added = await call("/product/add", { user_id: "multi", writable_cube_ids: ["multi-scratch"], mode: "fast", messages: `scratch ${client} ${n}` });
        statuses.push(added.status);
        if (added.status !== 200) continue;
        const deleted = await call("/product/delete_memory", {
          user_id: "multi",
          writable_cube_ids: ["multi-scratch"],
          memory_ids: [added.body.data[0].memory_id],
        });
        statuses.push(deleted.status);
      }
    });
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let n = 0; n < ADDS; n += 1) {
          const id = `c${client}-n${n}`;
          // The first attempt races a retry of itself and a retry of the client's previous add.
          await Promise.all([add(id), n % 3 === 0 ? add(id) : undefined, n > 0 ? add(`c${client}-n${n - 1}`) : undefined]);
        }
      }),
    );
    adding = false;
    await Promise.all(churn);
    assert.deepEqual([...new Set(statuses)], [200], `every request answered 200: ${statuses.filter((status) => status !== 200).join(", ")}`);
    assert.equal(acknowledged.size, CLIENTS * ADDS);

    for (const cube of CUBES) {
      const listed = await call("/product/get_all", { user_id: "multi", mem_cube_ids: [cube] });
      assert.equal(listed.status, 200);
      const texts = (listed.body.data[0].memories[0].nodes as { memory: string }[]).map((memory) => memory.memory);
      assert.equal(texts.length, acknowledged.size * 2, `${cube}: one memory per message`);
      assert.equal(new Set(texts).size, texts.length, `${cube}: no memory twice`);
      for (const id of acknowledged) for (const part of [1, 2]) assert.ok(texts.includes(text(id, part)), `${cube}: ${id}-${part} lost`);
    }

    // Each search on a connection of its own: the round robin sends half of them to each worker.
    const ids = [...acknowledged];
    for (let n = 0; n < 10; n += 1) {
      const id = ids[(n * 17) % ids.length] as string;
      const found = await call("/product/search", { user_id: "multi", query: `${word(id)}ay`, readable_cube_ids: CUBES, top_k: 5 });
      assert.equal(found.status, 200);
      for (const bucket of found.body.data.text_mem as { memories: { memory: string }[] }[]) {
        assert.ok(
          bucket.memories.some((memory) => memory.memory === text(id, 1)),
          `search ${n} found ${id}`,
        );
      }
    }
  });

  test("/mcp is stateless: an MCP session's requests are answered by whichever worker takes them", async () => {
    const headers = { accept: "application/json, text/event-stream", "x-memcube-user": "mcp-multi" };
    const rpc = async (id: number, method: string, params: Json) => {
      const answer = await call("/mcp", { jsonrpc: "2.0", id, method, params }, headers);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.result;
    };
    const init = await rpc(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "workers", version: "1" } });
    assert.equal(init.serverInfo.name, "memcube");
    const added = await rpc(2, "tools/call", { name: "add_memory", arguments: { text: "The spare key is under the blue flowerpot" } });
    assert.equal(added.isError, undefined, JSON.stringify(added));
    // Each on a connection of its own: the round robin sends them to both workers.
    for (let n = 0; n < 4; n += 1) {
      const found = await rpc(3 + n, "tools/call", { name: "search_memory", arguments: { query: "spare key flowerpot" } });
      assert.match(found.content[0].text, /under the blue flowerpot/, `search ${n}`);
    }
  });

  test("a worker killed with SIGKILL is replaced; SIGTERM to the primary drains and stops every worker", async () => {
    const [victim, survivor] = workerPids() as [number, number];
    process.kill(victim, "SIGKILL");
    await until("a new worker", () => {
      const pids = workerPids();
      return pids.length === 2 && !pids.includes(victim) && pids.includes(survivor);
    });
    await until("the new worker serving", healthy);
    for (let n = 0; n < 4; n += 1) assert.equal((await call("/product/add", addBody(`after-restart-${n}`))).status, 200);

    const workers = workerPids();
    primary.kill("SIGTERM");
    assert.equal(await exited, 0);
    await until("every worker gone", () => workers.every((pid) => !alive(pid)), 15_000);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`));

    // In the file: every message once, one memory per message and cube, nothing else.
    const db = new Database(path.join(dataDir, "memcube.db"), { readonly: true });
    try {
      const expected = (CLIENTS * ADDS + 4) * 2;
      for (const cube of CUBES) {
        assert.equal(db.prepare("SELECT count(*) FROM messages WHERE cube_id = ?").pluck().get(cube), expected);
        assert.equal(db.prepare("SELECT count(*) FROM memories WHERE cube_id = ?").pluck().get(cube), expected);
        assert.equal(db.prepare("SELECT count(DISTINCT text) FROM memories WHERE cube_id = ?").pluck().get(cube), expected);
      }
    } finally {
      db.close();
    }
  });
});
