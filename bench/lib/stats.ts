/** Percentiles and summaries for benchmark samples (milliseconds unless said otherwise). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface Summary {
  p50: number;
  p95: number;
  min: number;
  max: number;
  n: number;
}

export function summarise(samples: readonly number[]): Summary {
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    n: samples.length,
  };
}

/** Summaries of repeated runs: the spread of each run's p50 and p95. */
export function acrossRuns(runs: readonly Summary[]): { p50: { min: number; max: number }; p95: { min: number; max: number } } {
  const p50s = runs.map((run) => run.p50);
  const p95s = runs.map((run) => run.p95);
  return { p50: { min: Math.min(...p50s), max: Math.max(...p50s) }, p95: { min: Math.min(...p95s), max: Math.max(...p95s) } };
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
