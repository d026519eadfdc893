/**
 * How the ONNX embedder's tests get onnxruntime-node: scripts/install-onnxruntime-for-tests.ts
 * installs it (CI calls it before `npm test`), test/support/onnxruntime.ts only looks for it. What a
 * fresh machine, a killed install or a developer's own folder leave behind must not break either,
 * and a test run never downloads it.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";
import { isCompleteInstall, ONNXRUNTIME_TEST_VERSION, onnxRuntimeForTests } from "../support/onnxruntime.js";

const SCRIPT = path.join(import.meta.dirname, "../../scripts/install-onnxruntime-for-tests.ts");

/** A process id that is not running any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  assert.ok(child.pid);
  return child.pid;
}

type Env = { XDG_CACHE_HOME?: string; MEMCUBE_TEST_ONNXRUNTIME_PATH?: string };

/** Runs `body` with XDG_CACHE_HOME (where the default folder is) and MEMCUBE_TEST_ONNXRUNTIME_PATH set as given. */
function withEnv<T>(env: Env, body: () => T): T {
  const saved: Env = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, MEMCUBE_TEST_ONNXRUNTIME_PATH: process.env.MEMCUBE_TEST_ONNXRUNTIME_PATH };
  const set = (name: keyof Env, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  set("XDG_CACHE_HOME", env.XDG_CACHE_HOME ?? saved.XDG_CACHE_HOME);
  set("MEMCUBE_TEST_ONNXRUNTIME_PATH", env.MEMCUBE_TEST_ONNXRUNTIME_PATH);
  try {
    return body();
  } finally {
    set("XDG_CACHE_HOME", saved.XDG_CACHE_HOME);
    set("MEMCUBE_TEST_ONNXRUNTIME_PATH", saved.MEMCUBE_TEST_ONNXRUNTIME_PATH);
  }
}

describe("onnxruntime-node for the tests", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "memcube-ort-install-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("MEMCUBE_TEST_ONNXRUNTIME_PATH without the package: skipped, saying so, and the folder is left as it was", () => {
    const own = path.join(scratch, "my-ort");
    mkdirSync(own);
    writeFileSync(path.join(own, "keep.txt"), "mine");
    const runtime = withEnv({ MEMCUBE_TEST_ONNXRUNTIME_PATH: own }, onnxRuntimeForTests);
    assert.equal(runtime.path, undefined);
    assert.match(String(runtime.skip), /MEMCUBE_TEST_ONNXRUNTIME_PATH=.*my-ort/);
    assert.deepEqual(readdirSync(own), ["keep.txt"]);
    assert.deepEqual(
      readdirSync(scratch).filter((name) => name.startsWith("my-ort")),
      ["my-ort"],
    );
  });

  test("a cached folder with its marker but not the package (a cleaner thinned it): skipped, naming the install script, and nothing is downloaded", () => {
    const cache = path.join(scratch, "thinned-cache");
    const cached = path.join(cache, "memcube", `onnxruntime-node-${ONNXRUNTIME_TEST_VERSION}`);
    mkdirSync(cached, { recursive: true });
    writeFileSync(path.join(cached, ".installed"), "2026-01-01T00:00:00.000Z");
    const runtime = withEnv({ XDG_CACHE_HOME: cache }, onnxRuntimeForTests);
    assert.equal(runtime.path, undefined);
    assert.match(String(runtime.skip), /not installed for the tests.*scripts\/install-onnxruntime-for-tests\.ts/);
    assert.deepEqual(readdirSync(cached), [".installed"], "the tests install nothing");
  });

  test("the install script installs a thinned folder again and removes dead runs' leftovers (from npm's cache, offline)", async (t) => {
    const parent = path.join(scratch, "installs");
    const cached = path.join(parent, `onnxruntime-node-${ONNXRUNTIME_TEST_VERSION}`);
    mkdirSync(cached, { recursive: true });
    writeFileSync(path.join(cached, ".installed"), "2026-01-01T00:00:00.000Z");
    const abandoned = `${cached}.partial-${deadPid()}`;
    mkdirSync(abandoned);
    writeFileSync(path.join(abandoned, "half.tgz"), "…");

    // Offline: the package comes from npm's cache, where `.ci/run`'s install (or a developer's) put it.
    const run = await promisify(execFile)(process.execPath, ["--import", "tsx", SCRIPT, cached], {
      env: { ...process.env, npm_config_offline: "true" },
    }).then(
      ({ stdout }) => ({ stdout, stderr: undefined }),
      (error: { stderr?: string }) => ({ stdout: undefined, stderr: String(error.stderr) }),
    );
    assert.ok(!existsSync(abandoned), "the leftover of a killed run is removed");
    if (run.stdout === undefined) {
      assert.match(run.stderr, /could not be installed into .*onnxruntime-node-/);
      return t.skip(`onnxruntime-node@${ONNXRUNTIME_TEST_VERSION} is not in npm's cache here: ${run.stderr.trim()}`);
    }
    assert.equal(run.stdout.trim(), cached, "the script prints the folder it installed into");
    assert.ok(isCompleteInstall(cached), "the folder holds a loadable package");
    assert.deepEqual(readdirSync(parent), [path.basename(cached)], "nothing else is left beside it");
  });
});
