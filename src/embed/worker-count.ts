import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/**
 * How many threads run the bundled encoder, chosen from the cores this process may really use.
 *
 * The request thread (HTTP, SQLite, ranking) needs a core of its own; every other core runs an
 * always-running encoder thread (at most 4: each holds its own copy of the model). One more, a
 * burst thread, may join an import, but only while a core is idle (`idle-cores.ts`): measured on
 * two cores with real-chat text (~120 characters, HTTP, paired runs of 2,000 messages), the CPU a
 * text costs hardly changes with a second thread (+5–10 %), and a burst thread made an import
 * 1.7× faster when a core was free (164–172 against 97 messages/s) but 10–25 % slower when other
 * programs kept both cores busy (51–72 against 68–80).
 */
export interface WorkerPlan {
  /** Encoder threads running all the time. */
  workers: number;
  /** Encoder threads added while a large backlog waits. */
  burstWorkers: number;
  /** Whether a burst thread starts only while a core is idle (the automatic choice); else whenever a backlog waits. */
  burstWhenIdle: boolean;
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
  if (settings.burstWorkers !== "auto") return { workers, burstWorkers: settings.burstWorkers, burstWhenIdle: false, cores, coresFrom: available.from };
  const burstWorkers = cores >= 2 ? 1 : 0;
  return { workers, burstWorkers, burstWhenIdle: burstWorkers > 0, cores, coresFrom: available.from };
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
