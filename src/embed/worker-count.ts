import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/**
 * How many threads run the bundled encoder, chosen from the cores this process may really use.
 *
 * The request thread (HTTP, SQLite, ranking) needs a core of its own; every other core can run an
 * encoder thread. Measured on two shared cores with real-chat texts (~120 characters, paired runs
 * over HTTP, 2,000 messages each): a second encoder thread during an import made it slower, not
 * faster (51–72 against 68–80 messages/s), with 7–9 % more CPU per message and ~140 MB more
 * resident memory, because no core was free for it. So on two cores one thread embeds, as before;
 * larger machines get one per core beyond the first (at most 4: each holds its own copy of the
 * model), and a burst thread for imports only when a core is still left over.
 */
export interface WorkerPlan {
  /** Encoder threads running all the time. */
  workers: number;
  /** Encoder threads added while a large backlog waits. */
  burstWorkers: number;
  /** The cores this process counts as its own (after the CPU quota and `serve --workers`). */
  cores: number;
  /** Where the core count came from. */
  coresFrom: "cpus" | "cgroup-quota";
}

export interface WorkerSettings {
  workers: number | "auto";
  burstWorkers: number | "auto";
  /** Server processes sharing the machine (`serve --workers N`); each gets its share of the cores. */
  processes?: number;
}

/** Each always-running thread holds its own copy of the model (~110 MB): more gains little. */
export const MAX_AUTO_WORKERS = 4;

export function planWorkers(settings: WorkerSettings, available: { cores: number; from: WorkerPlan["coresFrom"] } = availableCores()): WorkerPlan {
  const cores = Math.max(1, Math.floor(available.cores / Math.max(1, settings.processes ?? 1)));
  const workers = settings.workers === "auto" ? Math.min(MAX_AUTO_WORKERS, Math.max(1, cores - 1)) : settings.workers;
  // One core for the request thread; a burst thread only on a core nothing else counts on.
  const burstWorkers = settings.burstWorkers === "auto" ? Math.max(0, Math.min(1, cores - 1 - workers)) : settings.burstWorkers;
  return { workers, burstWorkers, cores, coresFrom: available.from };
}

/**
 * The cores available to this process: `os.availableParallelism()` (CPU affinity), lowered by a
 * cgroup CPU quota when one is set (containers: `docker --cpus`, Kubernetes limits), rounded up.
 */
export function availableCores(readFile: (path: string) => string | undefined = readOptional): { cores: number; from: WorkerPlan["coresFrom"] } {
  const cpus = availableParallelism();
  const quota = cgroupQuota(readFile);
  if (quota !== undefined && Math.ceil(quota) < cpus) return { cores: Math.max(1, Math.ceil(quota)), from: "cgroup-quota" };
  return { cores: cpus, from: "cpus" };
}

/** Cores' worth of CPU time the cgroup allows, or undefined without a quota (cgroup v2, then v1). */
export function cgroupQuota(readFile: (path: string) => string | undefined): number | undefined {
  const v2 = readFile("/sys/fs/cgroup/cpu.max")?.trim().split(/\s+/);
  if (v2 && v2[0] !== undefined) {
    const [limit, period] = [Number(v2[0]), Number(v2[1] ?? 100_000)];
    return v2[0] !== "max" && limit > 0 && period > 0 ? limit / period : undefined;
  }
  const limit = Number(readFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")?.trim());
  const period = Number(readFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us")?.trim());
  return limit > 0 && period > 0 ? limit / period : undefined;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
