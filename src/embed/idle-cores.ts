import { readFileSync } from "node:fs";

/**
 * How many of the machine's cores sat idle lately, from /proc/stat (Linux): what tells whether a
 * burst encoder thread would get a core of its own or only take CPU from the request thread and
 * from other programs. Measured on two cores with real-chat text: with a core idle, a burst thread
 * made an import 1.7× faster (164–172 against 97 messages/s); on a machine busy with other work,
 * 10–25 % slower.
 */
export interface CpuTimes {
  /** Jiffies idle (idle + iowait), summed over all cores. */
  idle: number;
  /** Jiffies in total, summed over all cores. */
  total: number;
}

/** The aggregate `cpu` line of /proc/stat, or undefined when it cannot be read. */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith("cpu "));
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 5 || fields.some((value) => !Number.isFinite(value))) return undefined;
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total };
}

/** Cores' worth of idle time between two readings (`cores` = the machine's). */
export function idleCoresBetween(before: CpuTimes, after: CpuTimes, cores: number): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return ((after.idle - before.idle) / total) * cores;
}

/** Readings closer together than this say too little (the kernel counts in 10 ms ticks). */
const MIN_WINDOW_MS = 500;

/**
 * A gauge of the idle cores over the last window of at least MIN_WINDOW_MS: each call reads
 * /proc/stat at most once per window and answers from the last complete one. Undefined until a
 * window is complete, or where /proc/stat cannot be read.
 */
export function idleCoresGauge(cores: number, read: () => string | undefined = readProcStat, now: () => number = Date.now): () => number | undefined {
  let start: { at: number; times: CpuTimes } | undefined;
  let last: number | undefined;
  return () => {
    const at = now();
    if (start && at - start.at < MIN_WINDOW_MS) return last;
    const text = read();
    const times = text === undefined ? undefined : parseProcStat(text);
    if (!times) return undefined;
    if (start) last = idleCoresBetween(start.times, times, cores);
    start = { at, times };
    return last;
  };
}

function readProcStat(): string | undefined {
  try {
    return readFileSync("/proc/stat", "utf8");
  } catch {
    return undefined;
  }
}
