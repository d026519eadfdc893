/** memcube as a child process (as users run it): for crash tests, and so its memory can be read on its own. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface ServerProcess {
  url: string;
  pid: number;
  /** Resident memory of the server process, in MB. */
  rssMb(): number;
  stop(): Promise<void>;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface ServedChild {
  child: ChildProcess;
  url: string;
  /** Settles when the process exits (with its exit code). */
  exited: Promise<unknown>;
}

/** `node bin/memcube.mjs serve` on a free port, once it answers /health (killed if it never does). */
export async function serveChild(env: Record<string, string>, stderr: "ignore" | "inherit" = "ignore", nodeArgs: readonly string[] = []): Promise<ServedChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, "bin/memcube.mjs", "serve", "--port", String(port)], {
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "ignore", stderr],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`memcube exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/health`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return { child, url, exited };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error("memcube did not start within 30 s");
}

/** `nodeArgs`: options for node itself (e.g. `--cpu-prof`, which NODE_OPTIONS may not carry). */
export async function startServerProcess(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  const { child, url, exited } = await serveChild({ LOG_LEVEL: "warn", ...env }, "inherit", nodeArgs);
  const pid = child.pid as number;
  return {
    url,
    pid,
    rssMb: () => {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
      return Math.round(kb / 1024);
    },
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}
