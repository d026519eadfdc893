/**
 * `npm start` as a user (or a process manager) runs it: a signal to the npm process stops the
 * server. npm runs the script through `sh -c` and passes SIGTERM/SIGINT on to its child only: a shell
 * between npm and node would die of it and leave node serving, an orphan.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { connect } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/process.js";
import { tempDataDir } from "../support/server.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Every process below `pid`, children first. */
function descendants(pid: number): number[] {
  const table = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const below = (parent: number): number[] => table.filter(([, ppid]) => ppid === parent).flatMap(([child]) => [child, ...below(child)]);
  return below(pid);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("every dependency's install script is reviewed in allowScripts: `npm ci` prints no install-scripts warning", (t) => {
  let listed: string;
  try {
    listed = execFileSync("npm", ["install-scripts", "ls"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    t.skip("this npm has no `install-scripts` command (npm < 11.16 ignores allowScripts and warns of nothing)");
    return;
  }
  assert.match(listed, /^No packages with unreviewed install scripts/);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal} to \`npm start\` stops the server: the port closes, no process it started survives, npm exits`, async () => {
    const port = await freePort();
    const npm = spawn("npm", ["start", "--silent"], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "silent", MEMCUBE_DATA_DIR: tempDataDir(), MEMCUBE_API_KEYS: "" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
    let started: number[] = [];
    try {
      await until(
        () =>
          fetch(`http://127.0.0.1:${port}/health`).then(
            (response) => response.ok,
            () => false,
          ),
        "the server answers /health",
        60_000,
      );
      started = descendants(npm.pid as number);
      assert.ok(started.length > 0);
      npm.kill(signal);
      assert.equal(await exited, 0); // the server stopped cleanly, and npm reports its exit code
      await until(async () => !(await portOpen(port)), "the port is closed", 5_000);
      await until(() => started.every((pid) => !alive(pid)), `every process npm started has exited (${started.join(", ")})`, 5_000);
    } finally {
      for (const pid of [npm.pid as number, ...started]) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });
}
