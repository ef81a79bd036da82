export { seededRandom } from '../scripts/generate-registry';

/**
 * The harness's arithmetic: percentiles of latency samples, median/min/max over runs, the least-squares
 * slope for memory per open unit, and Poisson arrival schedules. Pure functions, no I/O.
 */

/** Median, minimum and maximum of a figure over runs, with the runs themselves. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** Median/min/max of `values`. @throws RangeError on an empty list (a figure without runs is a bug). */
export function spread(values: number[]): Spread {
  if (values.length === 0) throw new RangeError('no runs');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values };
}

/** Nearest-rank percentile (`p` in 0–100) of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencySummary {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** p50/p95/p99/max/mean of latency samples in ms. */
export function summarizeLatency(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean,
  };
}

/** Least-squares slope of y over x; NaN with fewer than two distinct x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  return sxx === 0 ? NaN : sxy / sxx;
}

/** Offsets in ms of `n` Poisson arrivals at `ratePerSecond` (exponential gaps), starting at 0. */
export function poissonOffsets(n: number, ratePerSecond: number, random: () => number): number[] {
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    out.push(t);
    t += (-Math.log(1 - random()) / ratePerSecond) * 1000;
  }
  return out;
}

/** Offsets in ms of `n` arrivals spread uniformly at random over `windowMs` (a burst), ascending. */
export function burstOffsets(n: number, windowMs: number, random: () => number): number[] {
  return Array.from({ length: n }, () => random() * windowMs).sort((a, b) => a - b);
}

/** Outcome of an open-loop drive: latencies of the requests that succeeded, and what went wrong. */
export interface OpenLoopResult {
  latencies: number[];
  errors: string[];
  /** Most a request started after its scheduled time: large values mean the driver itself fell behind. */
  maxLatenessMs: number;
  durationMs: number;
}

/**
 * Fires `fire(i)` at each offset without waiting for earlier requests (open loop, so a slow system meets
 * the same arrivals instead of slowing the client down), and collects the latency each call returns.
 */
export async function openLoop(offsets: number[], fire: (i: number) => Promise<number>): Promise<OpenLoopResult> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let maxLatenessMs = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < offsets.length; i++) {
    const wait = start + offsets[i] - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    maxLatenessMs = Math.max(maxLatenessMs, performance.now() - (start + offsets[i]));
    inFlight.push(
      fire(i).then(
        (ms) => void latencies.push(ms),
        (err: unknown) => void errors.push(err instanceof Error ? err.message : String(err)),
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies, errors, maxLatenessMs, durationMs: performance.now() - start };
}
