import { quantileSorted } from 'simple-statistics';
import { roundOrNull } from './round.js';

/** Count, mean, percentiles and max of one latency metric, rounded; null where there are no values. */
export interface Distribution {
  readonly count: number;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * Percentile definition: linear interpolation between closest ranks on the sorted values, i.e.
 * the value at fractional index (n - 1) * p (Hyndman & Fan type 7; numpy's and R's default, and
 * what simple-statistics' quantileSorted implements). p0 = min, p100 = max.
 */
export function percentileSorted(sorted: Float64Array, p: number): number {
  // quantileSorted only indexes and reads .length, so a typed array works as is.
  return quantileSorted(sorted as unknown as number[], p);
}

/**
 * Summarizes the finite entries of `values` (NaN = not defined for that request, skipped).
 * Copies them into a Float64Array and sorts that natively: numeric and fast for millions.
 */
export function distribution(values: Float64Array): Distribution {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  const sorted = new Float64Array(count);
  let sum = 0;
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    sorted[k++] = v;
    sum += v;
  }
  if (count === 0) return { count, mean: null, p50: null, p90: null, p95: null, p99: null, max: null };
  sorted.sort();
  return {
    count,
    mean: roundOrNull(sum / count),
    p50: roundOrNull(percentileSorted(sorted, 0.5)),
    p90: roundOrNull(percentileSorted(sorted, 0.9)),
    p95: roundOrNull(percentileSorted(sorted, 0.95)),
    p99: roundOrNull(percentileSorted(sorted, 0.99)),
    max: roundOrNull(sorted[count - 1]),
  };
}
