/**
 * Installs onnxruntime-node for the ONNX embedder's tests, outside the repository: it is not a
 * dependency of memcube (~290 MB), and the tests never install it themselves (a test run downloads
 * nothing). `.ci/run` calls this before `npm test` and hands the folder to the tests through
 * MEMCUBE_TEST_ONNXRUNTIME_PATH; a developer runs it once, and the tests find the default folder.
 *
 *   node --import tsx scripts/install-onnxruntime-for-tests.ts [folder]   # prints the folder
 *
 * Default folder: $XDG_CACHE_HOME/memcube (else ~/.cache/memcube)/onnxruntime-node-<version>. A
 * complete install there is reused (costs nothing); one cut short, or thinned by a cleaner, is
 * installed again. Exits non-zero, saying why, when it cannot install.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { defaultOnnxRuntimeFolder, INSTALLED_MARKER, isCompleteInstall, ONNXRUNTIME_TEST_VERSION } from "../test/support/onnxruntime.js";

const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** A network that drops packets fails the install in minutes, not in npm's default 5 min per try. */
const NPM_NETWORK_FLAGS = ["--fetch-timeout=120000", "--fetch-retries=1"];

/** Installs into `folder` unless a complete install is there already; returns the folder. */
export async function installOnnxRuntimeForTests(folder: string = defaultOnnxRuntimeFolder()): Promise<string> {
  folder = path.resolve(folder);
  if (existsSync(path.join(folder, INSTALLED_MARKER)) && isCompleteInstall(folder)) return folder;
  removeAbandonedInstalls(folder);
  // Installed beside, then moved into place: a run interrupted half-way leaves no broken folder.
  const partial = `${folder}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    await promisify(execFile)(
      "npm",
      [
        "install",
        "--prefix",
        partial,
        "--no-audit",
        "--no-fund",
        "--no-save",
        "--loglevel=error",
        ...NPM_NETWORK_FLAGS,
        `onnxruntime-node@${ONNXRUNTIME_TEST_VERSION}`,
      ],
      { env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" }, timeout: INSTALL_TIMEOUT_MS },
    );
    if (!isCompleteInstall(partial)) throw new Error("npm finished but onnxruntime-node has no native binding for this machine");
    writeFileSync(path.join(partial, INSTALLED_MARKER), new Date().toISOString());
    placeInstall(partial, folder);
    return folder;
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (existsSync(path.join(folder, INSTALLED_MARKER)) && isCompleteInstall(folder)) return folder; // another run won the race
    throw new Error(`onnxruntime-node@${ONNXRUNTIME_TEST_VERSION} could not be installed into ${folder} (${installFailure(error)})`);
  }
}

/**
 * Moves a finished install to `folder`. A complete folder already there (another run finished
 * first, and a test may be using it) is kept; an incomplete one is moved aside before it is
 * deleted, so that the rename below can only fail when another run has just placed its own.
 */
function placeInstall(partial: string, folder: string): void {
  if (existsSync(path.join(folder, INSTALLED_MARKER)) && isCompleteInstall(folder)) {
    rmSync(partial, { recursive: true, force: true });
    return;
  }
  if (existsSync(folder)) {
    const stale = `${folder}.stale-${process.pid}`;
    try {
      renameSync(folder, stale);
      rmSync(stale, { recursive: true, force: true });
    } catch {
      // Gone already, or replaced by another run: the rename below decides.
    }
  }
  try {
    renameSync(partial, folder);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!(existsSync(path.join(folder, INSTALLED_MARKER)) && isCompleteInstall(folder))) throw error;
  }
}

/** `<folder>.partial-<pid>` and `.stale-<pid>` of runs that died mid-install (~290 MB each). */
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

/** npm's own error lines say more (ECONNREFUSED, ENOTFOUND, ENOTCACHED…) than "Command failed". */
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${await installOnnxRuntimeForTests(process.argv[2])}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
