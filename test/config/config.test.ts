import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { ConfigError, loadConfig, parseConfig, sha256Hex } from "../../src/config/index.js";
import { freePort } from "../support/process.js";

describe("parseConfig", () => {
  test("defaults: 127.0.0.1:8001, ./data, sqlite, local embedder, 8 MB bodies, no models", () => {
    const config = parseConfig({});
    assert.equal(config.port, 8001);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.dataDir, path.resolve("data"));
    assert.equal(config.store, "sqlite");
    assert.deepEqual(config.embedder, { backend: "local", workers: "auto", burstWorkers: "auto" });
    assert.equal(config.limits.bodyBytes, 8 * 1024 * 1024);
    assert.equal(config.limits.messagesPerAdd, 1000);
    assert.deepEqual(config.chatModels, []);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: "eighty" }, /^PORT: /],
    [{ PORT: "70000" }, /^PORT: /],
    [{ MEMCUBE_BODY_LIMIT: "lots" }, /^MEMCUBE_BODY_LIMIT: expected a size/],
    [{ MOS_EMBEDDER_BACKEND: "magic" }, /^MOS_EMBEDDER_BACKEND: /],
    [{ MEMCUBE_EMBED_WORKERS: "many" }, /^MEMCUBE_EMBED_WORKERS: expected auto or a whole number from 1 to 16/],
    [{ MEMCUBE_EMBED_WORKERS: "0" }, /^MEMCUBE_EMBED_WORKERS: /],
    [{ MEMCUBE_EMBED_BURST_WORKERS: "-1" }, /^MEMCUBE_EMBED_BURST_WORKERS: /],
    [{ MOS_EMBEDDER_BACKEND: "universal_api" }, /^MOS_EMBEDDER_API_BASE: required/],
    [{ MOS_EMBEDDER_BACKEND: "universal_api", MOS_EMBEDDER_API_BASE: "http://x/v1" }, /^MOS_EMBEDDER_MODEL: required/],
    [{ MEMCUBE_STORE: "postgres" }, /^DATABASE_URL: required when MEMCUBE_STORE=postgres/],
    [{ MEMCUBE_STORE: "mysql" }, /^MEMCUBE_STORE: /],
    [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL: /],
    [{ CHAT_MODEL_LIST: "[{]" }, /^CHAT_MODEL_LIST: /],
    [{ MEMCUBE_API_KEYS: '{"k": "alice"}' }, /^MEMCUBE_API_KEYS: entry 1: a key must be 16-512 characters/],
    [{ MEMCUBE_API_KEYS: '{"sk-0123456789abcdef-secret": "bad id!"}' }, /^MEMCUBE_API_KEYS: entry 1: the value must be a user id/],
    [{ MEMCUBE_API_KEYS: '{"sk-0123456789abcdef-secret": ' }, /^MEMCUBE_API_KEYS: malformed JSON/],
    [{ MEMCUBE_API_KEYS: '["sk-0123456789abcdef-secret"]' }, /^MEMCUBE_API_KEYS: expected a JSON object/],
    [{ MEMCUBE_API_KEYS: "{}" }, /^MEMCUBE_API_KEYS: names no key/],
    // One key twice with two meanings (here read-write as itself, read-only as its digest): refused.
    [
      {
        MEMCUBE_API_KEYS: JSON.stringify({
          "sk-0123456789abcdef-twice": "alice",
          [`sha256:${sha256Hex("sk-0123456789abcdef-twice")}`]: { user: "alice", access: "read" },
        }),
      },
      /^MEMCUBE_API_KEYS: entry 2 is the same key as entry 1 with another user or access; keep one of them$/,
    ],
    [{ MEMCUBE_API_KEYS_FILE: "/nonexistent/keys.json" }, /^MEMCUBE_API_KEYS_FILE: cannot read "\/nonexistent\/keys.json" \(ENOENT\)/],
    [{ MEMCUBE_API_KEYS: '{"sk-0123456789abcdef-one": "a"}', MEMCUBE_API_KEYS_FILE: "/x.json" }, /^MEMCUBE_API_KEYS_FILE: set either/],
    [{ MEMCUBE_INSECURE_OPEN: "perhaps" }, /^MEMCUBE_INSECURE_OPEN: /],
    [{ MEMCUBE_SOFT_DELETE_RETENTION: "2w" }, /^MEMCUBE_SOFT_DELETE_RETENTION: expected a duration from 1s to 3650d/],
    [{ MEMCUBE_SOFT_DELETE_RETENTION: "0s" }, /^MEMCUBE_SOFT_DELETE_RETENTION: expected a duration/],
  ];
  for (const [env, message] of bad) {
    test(`a bad ${Object.keys(env).join("+")} is one line naming the variable`, () => {
      assert.throws(
        () => parseConfig(env),
        (error: Error) =>
          error instanceof ConfigError && message.test(error.message) && !error.message.includes("\n") && !/sk-0123456789abcdef/.test(error.message),
      );
    });
  }

  test("API keys: inline JSON or a file; each maps to a user id or * (admin)", () => {
    const grants = { "sk-alice-0123456789abcdef": "alice", "sk-admin-0123456789abcdef": "*" };
    // Only each key's SHA-256 is kept.
    assert.deepEqual(parseConfig({ MEMCUBE_API_KEYS: JSON.stringify(grants) }).apiKeys, [
      { digest: sha256Hex("sk-alice-0123456789abcdef"), actor: "alice", access: "write" },
      { digest: sha256Hex("sk-admin-0123456789abcdef"), actor: "*", access: "write" },
    ]);
    const folder = mkdtempSync(path.join(tmpdir(), "memcube-keys-"));
    try {
      const file = path.join(folder, "keys.json");
      writeFileSync(file, JSON.stringify(grants, null, 2));
      assert.equal(parseConfig({ MEMCUBE_API_KEYS_FILE: file }).apiKeys?.length, 2);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    // The same key twice with the same meaning is fine (e.g. while moving a file to digests).
    const twice = { "sk-alice-0123456789abcdef": "alice", [`sha256:${sha256Hex("sk-alice-0123456789abcdef")}`]: { user: "alice" } };
    assert.equal(parseConfig({ MEMCUBE_API_KEYS: JSON.stringify(twice) }).apiKeys?.length, 2);
    assert.equal(parseConfig({}).apiKeys, undefined);
    assert.equal(parseConfig({}).insecureOpen, false);
    assert.equal(parseConfig({ MEMCUBE_INSECURE_OPEN: "true" }).insecureOpen, true);
  });

  test("postgres: DATABASE_URL must be a postgres:// URL, and its password is never echoed", () => {
    const config = parseConfig({ MEMCUBE_STORE: "postgres", DATABASE_URL: "postgres://memcube:hunter2@db:5432/memcube" });
    assert.equal(config.store, "postgres");
    assert.equal(config.databaseUrl, "postgres://memcube:hunter2@db:5432/memcube");
    assert.equal(parseConfig({ DATABASE_URL: "postgres://x@y/z" }).databaseUrl, undefined, "ignored for sqlite");
    for (const url of ["mysql://memcube:hunter2@db/memcube", "not a url hunter2", "postgres://memcube:hunter2@/memcube"]) {
      assert.throws(
        () => parseConfig({ MEMCUBE_STORE: "postgres", DATABASE_URL: url }),
        (error: Error) => error instanceof ConfigError && /^DATABASE_URL: /.test(error.message) && !error.message.includes("hunter2"),
        url,
      );
    }
  });

  test("the soft-delete retention: 30 days unless set, in s, m, h, d or seconds", () => {
    assert.equal(parseConfig({}).softDeleteRetentionMs, 30 * 86_400_000);
    assert.equal(parseConfig({ MEMCUBE_SOFT_DELETE_RETENTION: "12h" }).softDeleteRetentionMs, 12 * 3_600_000);
    assert.equal(parseConfig({ MEMCUBE_SOFT_DELETE_RETENTION: "90m" }).softDeleteRetentionMs, 90 * 60_000);
    assert.equal(parseConfig({ MEMCUBE_SOFT_DELETE_RETENTION: "7D" }).softDeleteRetentionMs, 7 * 86_400_000);
    assert.equal(parseConfig({ MEMCUBE_SOFT_DELETE_RETENTION: "2.5" }).softDeleteRetentionMs, 2500);
  });

  test("sizes accept units", () => {
    assert.equal(parseConfig({ MEMCUBE_BODY_LIMIT: "512kb" }).limits.bodyBytes, 512 * 1024);
    assert.equal(parseConfig({ MEMCUBE_BODY_LIMIT: "1048576" }).limits.bodyBytes, 1048576);
  });

  test("the environment wins over .env, which fills the rest", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "memcube-env-"));
    const envFile = path.join(folder, ".env");
    writeFileSync(envFile, "PORT=9100\nHOST=0.0.0.0\n# a comment\nMEMCUBE_CORS_ORIGINS=http://a.test, http://b.test\n");
    try {
      const saved = process.env.PORT;
      process.env.PORT = "9200";
      try {
        const config = loadConfig({}, envFile);
        assert.equal(config.port, 9200);
        assert.equal(config.host, "0.0.0.0");
        assert.deepEqual(config.corsOrigins, ["http://a.test", "http://b.test"]);
      } finally {
        if (saved === undefined) delete process.env.PORT;
        else process.env.PORT = saved;
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("the memcube command", () => {
  test("a bad value stops start-up with one line naming the variable", async () => {
    const run = promisify(execFile)(process.execPath, ["bin/memcube.mjs", "serve"], { env: { ...process.env, PORT: "not-a-port" } });
    await assert.rejects(run, (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.equal(error.stderr.trim().split("\n").length, 1);
      assert.match(error.stderr, /^memcube: configuration error: PORT: /);
      return true;
    });
  });

  test("serve answers /health, and stops cleanly on SIGTERM", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "memcube-cli-"));
    const port = await freePort();
    const child = spawn(process.execPath, ["bin/memcube.mjs", "serve", "--port", String(port)], {
      env: { ...process.env, MEMCUBE_DATA_DIR: dataDir, LOG_LEVEL: "silent" },
      stdio: "ignore",
    });
    try {
      let health: unknown;
      for (let attempt = 0; attempt < 200 && health === undefined; attempt += 1) {
        health = await fetch(`http://127.0.0.1:${port}/health`).then(
          (response) => response.json(),
          () => undefined,
        );
        if (health === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal((health as { status: string }).status, "healthy");
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
