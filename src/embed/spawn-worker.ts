import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A worker thread running the module `entry` (a name without extension, e.g. `local-worker`) that
 * sits beside `callerUrl` (the caller's `import.meta.url`). From TypeScript sources (run by tsx,
 * whose loader a worker does not inherit) the worker registers tsx first; from compiled
 * JavaScript it is started directly.
 */
export function spawnModuleWorker(callerUrl: string, entry: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith(".ts")) return new Worker(new URL(`./${entry}.js`, callerUrl), options);
  const source = new URL(`./${entry}.ts`, callerUrl).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)})` + `.then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
