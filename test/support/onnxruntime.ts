/**
 * onnxruntime-node for the ONNX embedder's tests. It is not a dependency of memcube (~290 MB), and a
 * test run never installs it: `scripts/install-onnxruntime-for-tests.ts` does, outside the
 * repository (`.ci/run` calls it before `npm test`). The tests use the folder named by
 * MEMCUBE_TEST_ONNXRUNTIME_PATH (as it is: never installed into, never deleted), else the script's
 * default folder; without a complete install there, the tests that need it are skipped, saying how
 * to install it.
 *
 *   const runtime = onnxRuntimeForTests();
 *   describe("…", { skip: runtime.skip }, () => { … MEMCUBE_ONNXRUNTIME_PATH: runtime.path … });
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import path from "node:path";

/** Pinned so that the cached folder and the tests agree; any 1.x works for memcube. */
export const ONNXRUNTIME_TEST_VERSION = "1.30.0";
/** Written last by the install script: a folder without it was cut short. */
export const INSTALLED_MARKER = ".installed";
export const INSTALL_COMMAND = "node --import tsx scripts/install-onnxruntime-for-tests.ts";

export type TestRuntime = { path: string; skip: false } | { path: undefined; skip: string };

/** Where the install script puts it unless told otherwise: a per-user cache, outside the repository. */
export function defaultOnnxRuntimeFolder(): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(cache, "memcube", `onnxruntime-node-${ONNXRUNTIME_TEST_VERSION}`);
}

/**
 * The package resolves from `folder` and its native binding for this machine is there: a folder
 * whose install was cut short, or that a cleaner thinned out, is not.
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

export function onnxRuntimeForTests(): TestRuntime {
  const given = process.env.MEMCUBE_TEST_ONNXRUNTIME_PATH;
  if (given) {
    const folder = path.resolve(given);
    return isCompleteInstall(folder)
      ? { path: folder, skip: false }
      : {
          path: undefined,
          skip: `MEMCUBE_TEST_ONNXRUNTIME_PATH=${folder} holds no usable onnxruntime-node (install it there with \`${INSTALL_COMMAND} ${folder}\`)`,
        };
  }
  const folder = defaultOnnxRuntimeFolder();
  if (existsSync(path.join(folder, INSTALLED_MARKER)) && isCompleteInstall(folder)) return { path: folder, skip: false };
  return {
    path: undefined,
    skip: `onnxruntime-node@${ONNXRUNTIME_TEST_VERSION} is not installed for the tests (not a dependency: ~290 MB, and tests download nothing); install it with \`${INSTALL_COMMAND}\` (into ${folder}) or set MEMCUBE_TEST_ONNXRUNTIME_PATH to a folder where it is`,
  };
}
