/**
 * The test helper that installs onnxruntime-node for the ONNX embedder's tests (test/support/onnxruntime.ts):
 * what a fresh CI machine, a killed run or a developer's own folder leave behind must not break it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { isCompleteInstall, ONNXRUNTIME_TEST_VERSION, onnxRuntimeForTests } from "../support/onnxruntime.js";

/** A process id that is not running any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  assert.ok(child.pid);
  return child.pid;
}

/** Runs `body` with TMPDIR (what os.tmpdir() reads) and MEMCUBE_TEST_ONNXRUNTIME_PATH set as given. */
async function withEnv<T>(env: { TMPDIR?: string; MEMCUBE_TEST_ONNXRUNTIME_PATH?: string }, body: () => Promise<T>): Promise<T> {
  const saved = { TMPDIR: process.env.TMPDIR, MEMCUBE_TEST_ONNXRUNTIME_PATH: process.env.MEMCUBE_TEST_ONNXRUNTIME_PATH };
  const set = (name: keyof typeof saved, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  set("TMPDIR", env.TMPDIR ?? saved.TMPDIR);
  set("MEMCUBE_TEST_ONNXRUNTIME_PATH", env.MEMCUBE_TEST_ONNXRUNTIME_PATH);
  try {
    return await body();
  } finally {
    set("TMPDIR", saved.TMPDIR);
    set("MEMCUBE_TEST_ONNXRUNTIME_PATH", saved.MEMCUBE_TEST_ONNXRUNTIME_PATH);
  }
}

describe("installing onnxruntime-node for the tests", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "memcube-ort-install-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("MEMCUBE_TEST_ONNXRUNTIME_PATH without the package: skipped, saying so, and the folder is left as it was", async () => {
    const own = path.join(scratch, "my-ort");
    mkdirSync(own);
    writeFileSync(path.join(own, "keep.txt"), "mine");
    const runtime = await withEnv({ MEMCUBE_TEST_ONNXRUNTIME_PATH: own }, onnxRuntimeForTests);
    assert.equal(runtime.path, undefined);
    assert.match(String(runtime.skip), /MEMCUBE_TEST_ONNXRUNTIME_PATH=.*my-ort/);
    assert.deepEqual(readdirSync(own), ["keep.txt"]);
    assert.deepEqual(
      readdirSync(scratch).filter((name) => name.startsWith("my-ort")),
      ["my-ort"],
    );
  });

  test("a cached folder with its marker but not the package (a cleaner thinned it) is installed again; dead runs' leftovers go", async () => {
    const temp = path.join(scratch, "tmp");
    const cached = path.join(temp, `memcube-onnxruntime-node-${ONNXRUNTIME_TEST_VERSION}`);
    mkdirSync(cached, { recursive: true });
    writeFileSync(path.join(cached, ".installed"), "2026-01-01T00:00:00.000Z");
    const abandoned = `${cached}.partial-${deadPid()}`;
    mkdirSync(abandoned);
    writeFileSync(path.join(abandoned, "half.tgz"), "…");

    const runtime = await withEnv({ TMPDIR: temp }, onnxRuntimeForTests);
    assert.ok(!existsSync(abandoned), "the leftover of a killed run is removed");
    if (runtime.skip) {
      console.log(`could not check the reinstall: ${runtime.skip}`);
      assert.match(runtime.skip, /could not be installed/);
      return;
    }
    assert.equal(runtime.path, cached);
    assert.ok(isCompleteInstall(cached), "the folder handed out holds a loadable package");
    assert.deepEqual(readdirSync(temp), [path.basename(cached)], "nothing else is left in the temporary folder");
  });
});
