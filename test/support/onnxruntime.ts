/**
 * onnxruntime-node for the ONNX embedder's tests. It is not a dependency of memcube (~290 MB), so
 * the tests install it once into a folder under the system's temporary directory, keyed by
 * version, and reuse it on later runs (a warm run costs nothing; a cold install takes about 2 s
 * with a warm npm cache). Without network or npm, tests that need it are skipped, saying why.
 * MEMCUBE_TEST_ONNXRUNTIME_PATH names a folder where it is already installed (used as it is: never
 * installed into, never deleted).
 *
 *   const runtime = await onnxRuntimeForTests();
 *   describe("…", { skip: runtime.skip }, () => { … MEMCUBE_ONNXRUNTIME_PATH: runtime.path … });
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/** Pinned so that the cached folder and the tests agree; any 1.x works for memcube. */
export const ONNXRUNTIME_TEST_VERSION = "1.30.0";
const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** A network that drops packets fails the install in minutes, not in npm's default 5 min per try. */
const NPM_NETWORK_FLAGS = ["--fetch-timeout=120000", "--fetch-retries=1"];

export type TestRuntime = { path: string; skip: false } | { path: undefined; skip: string };

/**
 * The package resolves from `folder` and its native binding for this machine is there: a folder
 * whose install was cut short, or that a temporary-files cleaner thinned out, is not.
 */
export function isCompleteInstall(folder: string): boolean {
  let entry: string;
  try {
    entry = createRequire(path.join(folder, "package.json")).resolve("onnxruntime-node");
  } catch {
    return false;
  }
  const bin = path.join(entry.slice(0, entry.lastIndexOf(`${path.sep}onnxruntime-node${path.sep}`)), "onnxruntime-node", "bin");
  if (!existsSync(bin)) return false;
  return readdirSync(bin).some((napi) => existsSync(path.join(bin, napi, process.platform, process.arch, "onnxruntime_binding.node")));
}

export async function onnxRuntimeForTests(): Promise<TestRuntime> {
  const given = process.env.MEMCUBE_TEST_ONNXRUNTIME_PATH;
  if (given) {
    const folder = path.resolve(given);
    return isCompleteInstall(folder)
      ? { path: folder, skip: false }
      : { path: undefined, skip: `MEMCUBE_TEST_ONNXRUNTIME_PATH=${folder} holds no usable onnxruntime-node` };
  }
  const folder = path.join(tmpdir(), `memcube-onnxruntime-node-${ONNXRUNTIME_TEST_VERSION}`);
  const ready = path.join(folder, ".installed");
  if (existsSync(ready) && isCompleteInstall(folder)) return { path: folder, skip: false };
  removeAbandonedInstalls(folder);
  // Installed beside, then moved into place: a run interrupted half-way leaves no broken folder.
  const partial = `${folder}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    await promisify(execFile)(
      "npm",
      ["install", "--prefix", partial, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", ...NPM_NETWORK_FLAGS, `onnxruntime-node@${ONNXRUNTIME_TEST_VERSION}`],
      { env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" }, timeout: INSTALL_TIMEOUT_MS },
    );
    if (!isCompleteInstall(partial)) throw new Error("npm finished but onnxruntime-node has no native binding for this machine");
    writeFileSync(path.join(partial, ".installed"), new Date().toISOString());
    placeInstall(partial, folder);
    return { path: folder, skip: false };
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (existsSync(ready) && isCompleteInstall(folder)) return { path: folder, skip: false }; // another test process won the race
    return { path: undefined, skip: `onnxruntime-node@${ONNXRUNTIME_TEST_VERSION} could not be installed (${installFailure(error)}); set MEMCUBE_TEST_ONNXRUNTIME_PATH to a folder where it is` };
  }
}

/**
 * Moves a finished install to `folder`. A complete folder already there (another test process
 * finished first, and may be using it) is kept; an incomplete one is moved aside before it is
 * deleted, so that the rename below can only fail when another process has just placed its own.
 */
function placeInstall(partial: string, folder: string): void {
  if (existsSync(path.join(folder, ".installed")) && isCompleteInstall(folder)) {
    rmSync(partial, { recursive: true, force: true });
    return;
  }
  if (existsSync(folder)) {
    const stale = `${folder}.stale-${process.pid}`;
    try {
      renameSync(folder, stale);
      rmSync(stale, { recursive: true, force: true });
    } catch {
      // Gone already, or replaced by another process: the rename below decides.
    }
  }
  try {
    renameSync(partial, folder);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!(existsSync(path.join(folder, ".installed")) && isCompleteInstall(folder))) throw error;
  }
}

/** `<folder>.partial-<pid>` and `.stale-<pid>` of test processes that died mid-install (~290 MB each). */
function removeAbandonedInstalls(folder: string): void {
  const parent = path.dirname(folder);
  const prefix = `${path.basename(folder)}.`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^(?:partial|stale)-(\d+)$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : "");
    if (match && !isAlive(Number(match[1]))) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** npm's own error lines say more (ECONNREFUSED, ENOTFOUND…) than "Command failed". */
function installFailure(error: unknown): string {
  if (typeof error === "object" && error !== null && "killed" in error && error.killed) return `npm did not finish within ${INSTALL_TIMEOUT_MS / 1000} s`;
  const stderr = typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr) : "";
  const npmSays = stderr
    .split("\n")
    .filter((line) => /npm (error|ERR!)/.test(line))
    .slice(0, 2)
    .join("; ");
  return npmSays || (error instanceof Error ? error.message.split("\n")[0] : String(error)) || "unknown error";
}
