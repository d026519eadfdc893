/**
 * Key management: the keys file may hold SHA-256 digests (`"sha256:<hex>"`) and per-key access;
 * `memcube keys add|revoke|list` edits it without ever printing a key but the new one; a read-only
 * key searches and chats (without write-back) and is refused every write; a running server (one
 * process, or `--workers 2`) reloads the file on SIGHUP while a chat stream is in flight, and keeps
 * its keys when the new file is bad.
 */
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { sha256Hex } from "../../src/config/index.js";
import { modelList } from "../support/chat.js";
import { startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { freePort } from "../support/process.js";
import { startTestServer, tempDataDir, type TestServer } from "../support/server.js";

const run = promisify(execFile);

/** `memcube keys …` as an operator runs it. */
async function keys(file: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ["bin/memcube.mjs", "keys", ...args], { env: { ...process.env, MEMCUBE_API_KEYS_FILE: file, MEMCUBE_API_KEYS: "" } });
}

async function keysFails(file: string, ...args: string[]): Promise<string> {
  try {
    await keys(file, ...args);
  } catch (error) {
    return (error as { stderr: string }).stderr;
  }
  throw new Error(`memcube keys ${args.join(" ")} succeeded`);
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let folder: string;
before(() => {
  folder = mkdtempSync(path.join(tmpdir(), "memcube-keys-"));
});
after(() => rmSync(folder, { recursive: true, force: true }));

describe("memcube keys", () => {
  test("add prints a new key once and stores only its SHA-256; list and revoke name keys by id", async () => {
    const file = path.join(folder, "cli.json");
    const alice = await keys(file, "add", "alice");
    const key = alice.stdout.trim();
    assert.match(key, /^mck_[A-Za-z0-9_-]{43}$/);
    const id = sha256Hex(key).slice(0, 12);
    assert.match(alice.stderr, new RegExp(`added key ${id} for user alice, read-write`));
    const reader = (await keys(file, "add", "alice", "--read-only")).stdout.trim();
    const admin = (await keys(file, "add", "*")).stdout.trim();

    const text = readFileSync(file, "utf8");
    for (const secret of [key, reader, admin]) assert.ok(!text.includes(secret), "a key was written to the file");
    const stored = JSON.parse(text) as Record<string, { user: string; access: string; created_at: string }>;
    assert.deepEqual(
      Object.entries(stored).map(([name, entry]) => [name, entry.user, entry.access]),
      [
        [`sha256:${sha256Hex(key)}`, "alice", "write"],
        [`sha256:${sha256Hex(reader)}`, "alice", "read"],
        [`sha256:${sha256Hex(admin)}`, "*", "write"],
      ],
    );
    assert.equal(statSync(file).mode & 0o777, 0o600, "the file is the owner's only");
    assert.deepEqual(
      readdirSync(folder).filter((name) => name.startsWith(".cli.json") || name.endsWith(".lock")),
      [],
      "no temporary or lock file left",
    );

    const listed = (await keys(file, "list")).stdout;
    assert.equal(listed.trim().split("\n").length, 3);
    assert.match(listed, new RegExp(`^${id}  alice +read-write`, "m"));
    assert.match(listed, /read-only/);
    for (const secret of [key, reader, admin]) {
      assert.ok(!listed.includes(secret) && !listed.includes(sha256Hex(secret)), "list printed a key or a whole digest");
    }
    const json = (await keys(file, "list", "--json")).stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(json[1], {
      id: sha256Hex(reader).slice(0, 12),
      user: "alice",
      access: "read",
      created_at: stored[`sha256:${sha256Hex(reader)}`]?.created_at,
      stored: "hashed",
    });

    // Revoke by id; an unknown or too short id, and the last key, are refused with the file unchanged.
    assert.match((await keys(file, "revoke", id)).stdout, new RegExp(`revoked key ${id} \\(user alice, read-write\\)`));
    assert.equal(Object.keys(JSON.parse(readFileSync(file, "utf8"))).length, 2);
    assert.match(await keysFails(file, "revoke", id), /no key with id/);
    assert.match(await keysFails(file, "revoke", "abc"), /at least 6 hex digits/);
    await keys(file, "revoke", reader); // the key itself works as well as its id
    // A key revoked twice (or mistyped) is not repeated back on the terminal or into a log.
    const again = await keysFails(file, "revoke", reader);
    assert.match(again, /no key with that id or key/);
    assert.ok(!again.includes(reader), again);
    const before = readFileSync(file, "utf8");
    assert.match(await keysFails(file, "revoke", sha256Hex(admin).slice(0, 8)), /last key/);
    assert.equal(readFileSync(file, "utf8"), before);
    assert.match(await keysFails(file, "add", "not a user!"), /must be a user id/);
  });

  const asRoot = process.getuid?.() === 0;
  test(
    "an edit keeps the file's owner and mode (sudo memcube keys add on the server's file)",
    { skip: asRoot ? false : "needs root to give a file to another user" },
    async () => {
      const file = path.join(folder, "owned.json");
      const key = "sk-owned-by-the-server-0123456789";
      writeFileSync(file, JSON.stringify({ [key]: "alice" }), { mode: 0o640 });
      chownSync(file, 4321, 4322); // the server's user and group
      await keys(file, "add", "bob");
      await keys(file, "revoke", key);
      const stat = statSync(file);
      assert.deepEqual({ uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o777 }, { uid: 4321, gid: 4322, mode: 0o640 });
      assert.equal(Object.keys(JSON.parse(readFileSync(file, "utf8"))).length, 1);
    },
  );

  test("a file it cannot parse is left alone, and keys in MEMCUBE_API_KEYS cannot be edited", async () => {
    const file = path.join(folder, "broken.json");
    writeFileSync(file, '{"sk-too-short": "alice"}');
    assert.match(await keysFails(file, "add", "bob"), /entry 1: a key must be 16-512 characters/);
    assert.equal(readFileSync(file, "utf8"), '{"sk-too-short": "alice"}');
    const inline = await run(process.execPath, ["bin/memcube.mjs", "keys", "list"], {
      env: { ...process.env, MEMCUBE_API_KEYS_FILE: "", MEMCUBE_API_KEYS: '{"sk-0123456789abcdef-x": "a"}' },
    }).catch((error: { stderr: string; code: number }) => error);
    assert.equal((inline as { code: number }).code, 2);
    assert.match((inline as { stderr: string }).stderr, /MEMCUBE_API_KEYS, which memcube cannot edit/);
  });
});

describe("hashed and read-only keys on a server", () => {
  const plain = "sk-plain-owner-5c1e9a7d3b";
  const hashed = "sk-hashed-owner-8f2a6d4c1e";
  const readOnly = "sk-read-only-owner-3d7b9e1f";
  const readOnlyAdmin = "sk-read-only-admin-6a2c8e4f";
  let server: TestServer;
  let llm: FakeOpenAI;

  before(async () => {
    llm = await startFakeOpenAI();
    const file = path.join(folder, "server.json");
    writeFileSync(
      file,
      JSON.stringify({
        [plain]: "owner",
        [`sha256:${sha256Hex(hashed).toUpperCase()}`]: "owner", // hex digits in either case
        [`sha256:${sha256Hex(readOnly)}`]: { user: "owner", access: "read", created_at: "2026-11-25T17:00:00Z" },
        [readOnlyAdmin]: { user: "*", access: "read" },
      }),
    );
    server = await startTestServer({ MEMCUBE_API_KEYS_FILE: file, CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)) });
  });
  after(async () => {
    await server.cleanup();
    await llm.close();
  });

  const memories = async () => {
    const listed = await server.post("/product/get_all", { user_id: "owner" }, bearer(plain));
    return listed.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory) as string[];
  };

  test("a key given as its SHA-256 works like the key itself", async () => {
    assert.equal((await server.post("/product/add", { user_id: "owner", messages: "Anna lives in Bolzano" }, bearer(hashed))).status, 200);
    assert.equal((await server.post("/product/add", { user_id: "owner", messages: "Bob lives in Trento" }, bearer(plain))).status, 200);
    const digestAsKey = await server.post("/product/search", { user_id: "owner", query: "Anna" }, bearer(sha256Hex(hashed)));
    assert.equal(digestAsKey.status, 401, "the digest is not itself a key");
  });

  test("read-only keys search, read and chat; chats write nothing back; writes are 403", async () => {
    const stored = await memories();
    for (const key of [readOnly, readOnlyAdmin]) {
      const search = await server.post("/product/search", { user_id: "owner", query: "Where does Anna live?" }, bearer(key));
      assert.equal(search.status, 200);
      assert.equal((await server.post("/product/get_all", { user_id: "owner" }, bearer(key))).status, 200);
      const chat = await server.post("/product/chat/complete", { user_id: "owner", query: "Where does Anna live?", add_message_on_answer: true }, bearer(key));
      assert.equal(chat.status, 200, JSON.stringify(chat.body));
      assert.match(chat.body.data.response, /^echo: Where does Anna live\?/);
      const openai = await server.post("/v1/chat/completions", { user: "owner", messages: [{ role: "user", content: "Where does Bob live?" }] }, bearer(key));
      assert.equal(openai.status, 200);
      for (const [route, body] of [
        ["/product/add", { user_id: "owner", messages: "I moved to Rome" }],
        ["/product/delete_memory", { user_id: "owner", memory_ids: ["x"] }],
        ["/product/delete_user", { user_id: "owner" }],
        ["/product/create_cube", { owner_id: "owner", cube_name: "x", cube_id: "owner-extra" }],
      ] as const) {
        const refused = await server.post(route, body, bearer(key));
        assert.equal(refused.status, 403, route);
        assert.deepEqual(refused.body, {
          code: 403,
          message: `this API key is read-only: POST ${route} may change data (read-only keys may search, read and chat without write-back)`,
          data: null,
        });
      }
    }
    assert.deepEqual(await memories(), stored, "nothing was written");
    // The admin routes: the read-only admin may list parked jobs and read the metrics, not retry or drop.
    assert.equal((await server.get("/admin/jobs/parked", bearer(readOnlyAdmin))).status, 200);
    assert.equal((await server.get("/metrics", bearer(readOnlyAdmin))).status, 200);
    assert.equal((await server.post("/admin/jobs/some-task/retry", {}, bearer(readOnlyAdmin))).status, 403);
    // The same chat with a read-write key is remembered.
    await server.post("/product/chat/complete", { user_id: "owner", query: "Where does Anna live?" }, bearer(plain));
    assert.ok((await memories()).includes("Where does Anna live?"));
  });
});

/** A memcube child process with its log (JSON lines on stdout) collected. */
interface Child {
  process: ChildProcess;
  url: string;
  log: string[];
  exited: Promise<unknown>;
}

async function serve(env: Record<string, string>, args: string[] = []): Promise<Child> {
  const server = await spawnServer(env, args);
  await untilServing(server);
  return server;
}

const untilServing = (server: Child) =>
  until(
    "the server",
    () =>
      fetch(`${server.url}/health`).then(
        (response) => response.ok,
        () => false,
      ),
    () => server.process.exitCode !== null,
  );

/** `memcube serve` started, not yet waited for. */
async function spawnServer(env: Record<string, string>, args: string[] = []): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ["bin/memcube.mjs", "serve", "--port", String(port), ...args], {
    env: { ...process.env, LOG_LEVEL: "info", MEMCUBE_API_KEYS: "", MEMRADER_API_BASE: "", MEMREADER_API_BASE: "", MEMCUBE_EXTRACT_MODEL: "", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const log: string[] = [];
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    log.push(...lines);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { process: child, url: `http://127.0.0.1:${port}`, log, exited };
}

async function until(what: string, check: () => Promise<boolean>, gaveUp: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (gaveUp() || Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One request on a connection of its own (so that `--workers` spreads them); resolves the status. */
function statusOf(url: string, route: string, key: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: hostname,
        port,
        path: route,
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...bearer(key) },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

describe("SIGHUP reloads the keys file", () => {
  let embeddings: FakeEmbeddings;
  let llm: FakeOpenAI;
  before(async () => {
    embeddings = await startFakeEmbeddings({ dimension: 16 });
    llm = await startFakeOpenAI();
  });
  after(async () => {
    await embeddings.close();
    await llm.close();
  });
  const env = (file: string) => ({
    MEMCUBE_DATA_DIR: tempDataDir(),
    MEMCUBE_API_KEYS_FILE: file,
    CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)),
    MOS_EMBEDDER_BACKEND: "universal_api",
    MOS_EMBEDDER_API_BASE: embeddings.url,
    MOS_EMBEDDER_MODEL: "fake-embed-1",
  });
  const search = { user_id: "alice", query: "hello" };

  test("one process: a new key works and a revoked one stops, while a chat stream in flight finishes; a bad file keeps the keys", async () => {
    const file = path.join(folder, "reload.json");
    const first = (await keys(file, "add", "alice")).stdout.trim();
    const settings = env(file);
    const server = await serve(settings);
    try {
      assert.equal(await statusOf(server.url, "/product/search", first, search), 200);
      const second = (await keys(file, "add", "alice")).stdout.trim();
      assert.equal(await statusOf(server.url, "/product/search", second, search), 401, "not loaded before SIGHUP");

      // A chat stream with the first key, answered slowly: in flight during the reload that revokes its key.
      const answer = "Anna lives in Bolzano, a city in South Tyrol, with her two cats and a piano.";
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      llm.reply({ text: answer, chunkSize: 2, stallAfterChunks: 3, resumeWhen: released });
      const streamed = await fetch(`${server.url}/product/chat/stream`, {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(first) },
        body: JSON.stringify({ user_id: "alice", query: "Where does Anna live?" }),
      });
      assert.equal(streamed.status, 200);
      const reader = (streamed.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
      let raw = "";
      while (!raw.includes('"type":"text"')) raw += (await reader.read()).value ?? ""; // the answer has started

      await keys(file, "revoke", first);
      server.process.kill("SIGHUP");
      await until("the reload", async () => (await statusOf(server.url, "/product/search", second, search)) === 200);
      assert.equal(await statusOf(server.url, "/product/search", first, search), 401, "the revoked key is refused");
      assert.ok(!raw.includes('"type":"end"'), "the stream was still in flight during the reload");
      release();

      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) raw += chunk.value;
      const frames = raw
        .split("\n\n")
        .filter((block) => block.trim() !== "")
        .map((block) => JSON.parse(block.replace(/^data: /, "")));
      assert.deepEqual(frames.at(-1), { type: "end" });
      assert.equal(
        frames
          .filter((frame) => frame.type === "text")
          .map((frame) => frame.data)
          .join(""),
        answer,
      );
      llm.reset();

      // A file that does not parse: the old keys stay, and the log says why.
      writeFileSync(file, "{ not json");
      server.process.kill("SIGHUP");
      await until("the error in the log", async () => server.log.some((line) => line.includes("the keys file is not valid")));
      assert.equal(await statusOf(server.url, "/product/search", second, search), 200);
      assert.equal(server.process.exitCode, null, "still serving");
      assert.ok(!server.log.join("\n").includes(second), "a key reached the log");
    } finally {
      server.process.kill("SIGTERM");
      await server.exited;
      rmSync(settings.MEMCUBE_DATA_DIR, { recursive: true, force: true });
    }
  });

  test("one process: a SIGHUP that arrives while the server is starting is not lost", async () => {
    const file = path.join(folder, "starting.json");
    const first = (await keys(file, "add", "alice")).stdout.trim();
    const settings = env(file);
    const gate = embeddings.hold(); // the embedder's probe at start-up waits: the keys file has been read
    const server = await spawnServer(settings);
    try {
      await gate.arrived;
      const second = (await keys(file, "add", "alice")).stdout.trim();
      await keys(file, "revoke", first);
      server.process.kill("SIGHUP");
      gate.release();
      await untilServing(server);
      await until("the reload", async () => server.log.some((line) => line.includes("SIGHUP: API keys reloaded")));
      assert.equal(await statusOf(server.url, "/product/search", first, search), 401, "the key revoked during start-up is refused");
      assert.equal(await statusOf(server.url, "/product/search", second, search), 200);
    } finally {
      gate.release();
      server.process.kill("SIGTERM");
      await server.exited;
      rmSync(settings.MEMCUBE_DATA_DIR, { recursive: true, force: true });
    }
  });

  test("serve --workers 2: a worker still starting at the SIGHUP reloads once it serves", async () => {
    const file = path.join(folder, "workers-starting.json");
    const first = (await keys(file, "add", "alice")).stdout.trim();
    const settings = env(file);
    const gate = embeddings.hold(1); // the first worker's probe passes; the second worker's waits
    const server = await spawnServer(settings, ["--workers", "2"]);
    try {
      await untilServing(server);
      await gate.arrived;
      const second = (await keys(file, "add", "bob")).stdout.trim();
      await keys(file, "revoke", first);
      server.process.kill("SIGHUP");
      await until("the serving worker reloaded", async () => server.log.some((line) => line.includes("SIGHUP: API keys reloaded")));
      gate.release();
      await until("both workers", async () => server.log.filter((line) => line.includes('"msg":"worker serving"')).length === 2);
      await until("both workers reloaded", async () => server.log.filter((line) => line.includes("SIGHUP: API keys reloaded")).length === 2);
      // Each request on a connection of its own: the primary spreads them over both workers.
      const revoked = await Promise.all(Array.from({ length: 8 }, () => statusOf(server.url, "/product/search", first, search)));
      assert.deepEqual(revoked, Array(8).fill(401), "the revoked key is refused by every worker");
      const added = await Promise.all(Array.from({ length: 8 }, () => statusOf(server.url, "/product/search", second, { user_id: "bob", query: "hi" })));
      assert.deepEqual(added, Array(8).fill(200));
    } finally {
      gate.release();
      server.process.kill("SIGTERM");
      await server.exited;
      rmSync(settings.MEMCUBE_DATA_DIR, { recursive: true, force: true });
    }
  });

  test("serve --workers 2: the primary passes SIGHUP on to every worker", async () => {
    const file = path.join(folder, "workers.json");
    const first = (await keys(file, "add", "alice")).stdout.trim();
    const settings = env(file);
    const server = await serve(settings, ["--workers", "2"]);
    try {
      // Both workers serve (the first answers /health before the second has started).
      await until("both workers", async () => server.log.filter((line) => line.includes('"msg":"worker serving"')).length === 2);
      const second = (await keys(file, "add", "bob")).stdout.trim();
      server.process.kill("SIGHUP");
      await until("both workers reloaded", async () => server.log.filter((line) => line.includes("SIGHUP: API keys reloaded")).length === 2);
      // Each request on a connection of its own: the primary spreads them over both workers.
      const statuses = await Promise.all(Array.from({ length: 8 }, () => statusOf(server.url, "/product/search", second, { user_id: "bob", query: "hi" })));
      assert.deepEqual(statuses, Array(8).fill(200));
      assert.equal(await statusOf(server.url, "/product/search", first, search), 200);
    } finally {
      server.process.kill("SIGTERM");
      await server.exited;
      rmSync(settings.MEMCUBE_DATA_DIR, { recursive: true, force: true });
    }
  });
});
