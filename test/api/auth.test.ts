import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { checkExposure, isLoopbackHost } from "../../src/api/auth/exposure.js";
import { KeyRing } from "../../src/api/auth/key-ring.js";
import { ConfigError, parseApiKeys, parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/logger.js";
import { startServer } from "../../src/server.js";
import { startTestServer, tempDataDir, type TestServer } from "../support/server.js";

const KEYS = {
  "sk-alice-5f1d0c9e7a2b4c68": "alice",
  "sk-bob-0b8e6f3a9c1d2e47a": "bob",
  "sk-admin-7c2e9b4f1a6d3e80": "*",
};
const ALICE = { authorization: "Bearer sk-alice-5f1d0c9e7a2b4c68" };
const BOB = { authorization: "Bearer sk-bob-0b8e6f3a9c1d2e47a" };
const ADMIN = { authorization: "Bearer sk-admin-7c2e9b4f1a6d3e80" };

/** Every log line the server writes, for checking that no key ever appears in one. */
function logCapture() {
  const lines: string[] = [];
  return { lines, logger: createLogger("trace", { write: (line: string) => void lines.push(line) }) };
}

let server: TestServer;
const logs = logCapture();
before(async () => {
  server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) }, tempDataDir(), logs.logger);
});
after(() => server.cleanup());

describe("API keys", () => {
  test("/health, /openapi.json, /docs and its assets need no key", async () => {
    for (const route of ["/health", "/openapi.json", "/docs", "/docs/assets/swagger-ui.css"]) {
      assert.equal((await server.get(route)).status, 200, route);
    }
  });

  test("no key, another scheme or an unknown key → 401 with the envelope, on every other route", async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ["none", {}, /^authorization: missing API key/],
      ["basic", { authorization: "Basic c2stYWxpY2U6" }, /^authorization: unknown API key$/],
      ["unknown", { authorization: "Bearer sk-alice-5f1d0c9e7a2b4c69" }, /^authorization: unknown API key$/],
      ["prefix of a key", { authorization: "Bearer sk-alice-5f1d0c9e7a2b4c6" }, /^authorization: unknown API key$/],
      ["empty bearer", { authorization: "Bearer " }, /^authorization: unknown API key$/],
    ];
    for (const [name, headers, message] of cases) {
      const add = await server.post("/product/add", { user_id: "alice", messages: "should not be stored" }, headers);
      assert.equal(add.status, 401, name);
      assert.deepEqual({ code: add.body.code, data: add.body.data }, { code: 401, data: null });
      assert.match(add.body.message, message);
      assert.match(add.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.equal((await server.get("/product/models", headers)).status, 401, name);
      assert.equal((await server.get("/product/scheduler/status?user_id=alice", headers)).status, 401, name);
      assert.equal((await server.post("/product/no-such-route", {}, headers)).status, 401, name);
    }
    const listed = await server.post("/product/get_all", { user_id: "alice" }, ALICE);
    assert.equal(listed.body.data[0].total_nodes, 0, "nothing was stored");
  });

  test("a key acts as its user only: another user_id, owner_id or user_name → 403", async () => {
    const refused = [
      await server.post("/product/add", { user_id: "bob", messages: "alice pretending to be bob" }, ALICE),
      await server.post("/product/search", { user_id: "bob", query: "anything" }, ALICE),
      await server.post("/product/create_cube", { owner_id: "bob", cube_name: "x", cube_id: "bobs-new" }, ALICE),
      await server.post("/product/exist_mem_cube_id", { user_id: "bob", mem_cube_id: "bob" }, ALICE),
      await server.get("/product/scheduler/status?user_id=bob", ALICE),
      await server.post("/product/scheduler/wait?user_name=bob&timeout_seconds=0", {}, ALICE),
      await server.get(`/product/get_memory/${crypto.randomUUID()}?user_id=bob`, ALICE),
    ];
    for (const response of refused) {
      assert.equal(response.status, 403, JSON.stringify(response.body));
      assert.deepEqual(response.body, { code: 403, message: "this API key may not act as user 'bob'", data: null });
    }
    const own = await server.post("/product/add", { user_id: "alice", messages: "I grow tomatoes" }, ALICE);
    assert.equal(own.status, 200);
    assert.equal((await server.post("/product/exist_mem_cube_id", { user_id: "bob", mem_cube_id: "bobs-new" }, BOB)).body.data["bobs-new"], false);
  });

  test("the admin key may act as any user", async () => {
    const added = await server.post("/product/add", { user_id: "carol", messages: "Carol likes jazz" }, ADMIN);
    assert.equal(added.status, 200);
    assert.equal(added.body.data[0].cube_id, "carol");
    const found = await server.post("/product/search", { user_id: "alice", query: "tomatoes" }, ADMIN);
    assert.equal(found.body.data.text_mem[0].memories[0].memory, "I grow tomatoes");
    // Acting as carol, the admin key still obeys carol's cube rules.
    assert.equal((await server.post("/product/search", { user_id: "carol", readable_cube_ids: ["alice"], query: "tomatoes" }, ADMIN)).status, 403);
  });

  test("paths dressed up as public routes still need a key", async () => {
    const body = JSON.stringify({ user_id: "victim", messages: "pwned" });
    const port = Number(new URL(server.url).port);
    for (const path of [
      "/docs/../product/add",
      "/docs/%2e%2e/product/add",
      "/health/../product/add",
      "/docs%2F..%2Fproduct%2Fadd",
      "/docs/..%2Fproduct%2Fadd",
      "//product/add",
    ]) {
      // Raw, because fetch would normalise the path before sending it.
      const head = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () =>
          socket.write(
            `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          ),
        );
        let received = "";
        socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
        socket.on("end", () => resolve(received.split("\r\n")[0] ?? ""));
        socket.on("error", reject);
      });
      assert.match(head, /^HTTP\/1\.1 (401|404) /, path);
    }
    assert.equal((await server.post("/product/exist_mem_cube_id", { user_id: "alice", mem_cube_id: "victim" }, ALICE)).body.data.victim, false);
  });

  test("the bearer scheme is case-insensitive and surrounding spaces are ignored", async () => {
    const response = await server.post("/product/get_all", { user_id: "alice" }, { authorization: "bearer   sk-alice-5f1d0c9e7a2b4c68  " });
    assert.equal(response.status, 200);
  });

  test("each key user's default cube exists from start-up and stays theirs, even after they delete it", async () => {
    assert.equal((await server.post("/product/exist_mem_cube_id", { user_id: "bob", mem_cube_id: "bob" }, BOB)).body.data.bob, true);
    // The admin key acting as someone else is that user: no exception for the reserved cube.
    assert.equal((await server.post("/product/add", { user_id: "mallory", writable_cube_ids: ["bob"], messages: "x" }, ADMIN)).status, 403);
    assert.equal((await server.post("/product/delete_cube", { user_id: "bob", cube_id: "bob" }, BOB)).status, 200);
    const takeOver = [
      await server.post("/product/add", { user_id: "alice", writable_cube_ids: ["bob"], messages: "mine now" }, ALICE),
      await server.post("/product/create_cube", { owner_id: "alice", cube_name: "taken", cube_id: "bob" }, ALICE),
      await server.post("/product/chat/complete", { user_id: "alice", query: "hi", writable_cube_ids: ["bob"] }, ALICE),
    ];
    for (const response of takeOver) assert.equal(response.status, 403, JSON.stringify(response.body));
    assert.equal((await server.post("/product/exist_mem_cube_id", { user_id: "bob", mem_cube_id: "bob" }, BOB)).body.data.bob, false);
    // Its user writes it again (creating it), as anyone's first write does.
    assert.equal((await server.post("/product/add", { user_id: "bob", messages: "back again" }, BOB)).status, 200);
  });

  test("keys never reach the logs, even at trace level", () => {
    assert.ok(logs.lines.length > 10);
    const text = logs.lines.join("");
    for (const key of Object.keys(KEYS)) assert.ok(!text.includes(key) && !text.includes(key.slice(3, 15)), "a key was logged");
    assert.match(text, /"msg":"API keys required"/);
  });
});

describe("the key ring", () => {
  test("identifies keys by digest; unknown and near-miss keys are undefined", () => {
    const ring = new KeyRing(parseApiKeys("MEMCUBE_API_KEYS", JSON.stringify(KEYS)));
    assert.deepEqual(ring.identify("sk-alice-5f1d0c9e7a2b4c68"), { kind: "user", userId: "alice" });
    assert.deepEqual(ring.identify("sk-admin-7c2e9b4f1a6d3e80"), { kind: "admin" });
    assert.equal(ring.identify("sk-alice-5f1d0c9e7a2b4c68 "), undefined);
    assert.equal(ring.identify(""), undefined);
    assert.equal(ring.identify("x".repeat(10_000)), undefined);
    assert.deepEqual(ring.users(), ["alice", "bob"]);
  });
});

describe("open mode", () => {
  test("loopback hosts", () => {
    for (const host of ["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", "128.0.0.1", "::2", "fe80::1"]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  test("without keys a non-loopback HOST is refused unless --insecure-open; with keys it is fine", () => {
    assert.throws(
      () => checkExposure({ apiKeys: undefined, host: "0.0.0.0", insecureOpen: false }),
      (error: Error) => {
        return error instanceof ConfigError && /^HOST: 0\.0\.0\.0 is not a loopback address .*--insecure-open/.test(error.message);
      },
    );
    assert.match(checkExposure({ apiKeys: undefined, host: "0.0.0.0", insecureOpen: true }) ?? "", /no authentication/);
    assert.equal(checkExposure({ apiKeys: [{ digest: "0".repeat(64), actor: "a", access: "write" }], host: "0.0.0.0", insecureOpen: false }), undefined);
    assert.equal(checkExposure({ apiKeys: undefined, host: "127.0.0.1", insecureOpen: false }), undefined);
  });

  test("`memcube serve --host 0.0.0.0` without keys exits with one line saying what to do", async () => {
    const dataDir = tempDataDir();
    try {
      const run = promisify(execFile)(process.execPath, ["bin/memcube.mjs", "serve", "--host", "0.0.0.0", "--port", "0"], {
        env: { ...process.env, MEMCUBE_DATA_DIR: dataDir, MEMCUBE_API_KEYS: "", MEMCUBE_API_KEYS_FILE: "" },
      });
      await assert.rejects(run, (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr, /^memcube: configuration error: HOST: 0\.0\.0\.0 is not a loopback address.*MEMCUBE_API_KEYS.*--insecure-open/);
        return true;
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("with --insecure-open it serves, and warns", async () => {
    const dataDir = tempDataDir();
    const capture = logCapture();
    const config = parseConfig({ MEMCUBE_DATA_DIR: dataDir, PORT: "0", HOST: "0.0.0.0", MEMCUBE_INSECURE_OPEN: "true" });
    const running = await startServer(config, capture.logger);
    try {
      // Only ever contacted over loopback.
      const health = await fetch(`http://127.0.0.1:${running.port}/health`);
      assert.equal(health.status, 200);
      const warning = capture.lines.map((line) => JSON.parse(line) as { level: number; msg: string }).find((line) => line.level === 40);
      assert.match(warning?.msg ?? "", /open mode on 0\.0\.0\.0 \(--insecure-open\): there is no authentication/);
    } finally {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("keys added to a data folder used in open mode", () => {
  test("a key user's default cube created by someone else stays theirs, with a warning", async () => {
    const dataDir = tempDataDir();
    const open = await startTestServer({}, dataDir);
    await open.post("/product/add", { user_id: "mallory", writable_cube_ids: ["alice"], messages: "squatting" });
    await open.stop();
    const capture = logCapture();
    const keyed = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) }, dataDir, capture.logger);
    try {
      assert.ok(capture.lines.some((line) => /cube 'alice' is the default cube of an API key's user but was created by 'mallory'/.test(line)));
      assert.equal((await keyed.post("/product/search", { user_id: "alice", query: "squatting" }, ALICE)).status, 403);
    } finally {
      await keyed.cleanup();
    }
  });
});
