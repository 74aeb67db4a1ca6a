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

/** The ranks (0-based, in sorted order) that percentileSorted reads for p in `ps`, and the last (the max). */
function percentileRanks(count: number, ps: readonly number[]): number[] {
  const ranks = [count - 1];
  for (const p of ps) {
    const h = (count - 1) * p;
    ranks.push(Math.floor(h), Math.ceil(h));
  }
  return ranks;
}

/** The percentiles a Distribution reports. */
const PERCENTILES = [0.5, 0.9, 0.95, 0.99] as const;

/**
 * Puts `values[r]` at its sorted place for every rank r of the percentiles a Distribution reports
 * (and the max at the end), so that percentileSorted reads the same values from it as from the
 * sorted array: a multi-rank quickselect, O(n) against the O(n log n) of a full sort, which took
 * most of a summary's time at a million requests. Three-way partitions around a median of three
 * (runs of equal values, e.g. zero queueing delays, cost nothing extra); a segment that recursed
 * too deep, or a small one, is sorted instead, so the worst case stays O(n log n). Deterministic.
 */
export function placePercentileRanks(values: Float64Array): void {
  const ranks = [...new Set(percentileRanks(values.length, PERCENTILES))].filter((r) => r >= 0 && r < values.length).sort((a, b) => a - b);
  selectRanks(values, 0, values.length - 1, ranks, 0, ranks.length, 2 * Math.ceil(Math.log2(values.length + 1)) + 8);
}

// Places values[ranks[r]] for r in [r0, r1) (all within [lo, hi]) at their sorted places.
function selectRanks(a: Float64Array, lo: number, hi: number, ranks: readonly number[], r0: number, r1: number, depth: number): void {
  while (r0 < r1) {
    if (hi - lo < 32 || depth-- <= 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const x = a[lo]!;
    const y = a[lo + ((hi - lo) >> 1)]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        a[i++] = a[lt]!;
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    let m = r0;
    while (m < r1 && ranks[m]! < lt) m++;
    let e = m;
    while (e < r1 && ranks[e]! <= gt) e++;
    if (m > r0) selectRanks(a, lo, lt - 1, ranks, r0, m, depth);
    r0 = e;
    lo = gt + 1;
  }
}

/**
 * Summarizes the finite entries of `values` (NaN = not defined for that request, skipped).
 * Copies them into a Float64Array and places the percentiles' ranks (placePercentileRanks).
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
  placePercentileRanks(sorted);
  return {
    count,
    mean: roundOrNull(sum / count),
    p50: roundOrNull(percentileSorted(sorted, PERCENTILES[0])),
    p90: roundOrNull(percentileSorted(sorted, PERCENTILES[1])),
    p95: roundOrNull(percentileSorted(sorted, PERCENTILES[2])),
    p99: roundOrNull(percentileSorted(sorted, PERCENTILES[3])),
    max: roundOrNull(sorted[count - 1]),
  };
}
