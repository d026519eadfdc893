/**
 * onnxruntime-node for the ONNX embedder's tests. It is not a dependency of memcube (~290 MB), so
 * the tests install it once into a folder under the system's temporary directory, keyed by
 * version, and reuse it on later runs (a warm run costs nothing; a cold install takes seconds with
 * a warm npm cache). Without network or npm, tests that need it are skipped, saying why.
 *
 *   const runtime = await onnxRuntimeForTests();
 *   describe("…", { skip: runtime.skip }, () => { … MEMCUBE_ONNXRUNTIME_PATH: runtime.path … });
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/** Pinned so that the cached folder and the tests agree; any 1.x works for memcube. */
export const ONNXRUNTIME_TEST_VERSION = "1.30.0";
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export type TestRuntime = { path: string; skip: false } | { path: undefined; skip: string };

export async function onnxRuntimeForTests(): Promise<TestRuntime> {
  const folder = process.env.MEMCUBE_TEST_ONNXRUNTIME_PATH ?? path.join(tmpdir(), `memcube-onnxruntime-node-${ONNXRUNTIME_TEST_VERSION}`);
  const ready = path.join(folder, ".installed");
  if (existsSync(ready)) return { path: folder, skip: false };
  // Installed beside, then moved into place: a run interrupted half-way leaves no broken folder.
  const partial = `${folder}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    await promisify(execFile)(
      "npm",
      ["install", "--prefix", partial, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", `onnxruntime-node@${ONNXRUNTIME_TEST_VERSION}`],
      { env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" }, timeout: INSTALL_TIMEOUT_MS },
    );
    writeFileSync(path.join(partial, ".installed"), new Date().toISOString());
    if (existsSync(ready)) {
      rmSync(partial, { recursive: true, force: true }); // another test process finished first
    } else {
      rmSync(folder, { recursive: true, force: true }); // a stale folder without the marker
      renameSync(partial, folder);
    }
    return { path: folder, skip: false };
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (existsSync(ready)) return { path: folder, skip: false }; // another test process won the race
    // npm's own last error line says more (ECONNREFUSED, ENOTFOUND…) than "Command failed".
    const stderr = typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr) : "";
    const npmSays = stderr.split("\n").filter((line) => /npm (error|ERR!)/.test(line)).slice(0, 2).join("; ");
    const reason = npmSays || (error instanceof Error ? error.message.split("\n")[0] : String(error));
    return { path: undefined, skip: `onnxruntime-node@${ONNXRUNTIME_TEST_VERSION} could not be installed (${reason})` };
  }
}
