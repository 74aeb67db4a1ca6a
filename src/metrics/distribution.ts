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
 * Copies them into a Float64Array and sorts it natively, or for many values selects only the ranks
 * the percentiles read (selectRanks).
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
  if (count < SELECT_FROM) sorted.sort();
  else {
    // Only the ranks the percentiles read need their sorted values: select them, don't sort all.
    const ranks = [count - 1];
    for (const p of PERCENTILES) {
      const at = (count - 1) * p; // as percentileSorted indexes
      ranks.push(Math.floor(at), Math.ceil(at));
    }
    selectRanks(sorted, ranks);
  }
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

const PERCENTILES = [0.5, 0.9, 0.95, 0.99];

/**
 * From this many values selecting beats the native sort (C++): at 1M values about 3x, while below
 * ~100k the sort wins, the selection's JavaScript being barely compiled yet.
 */
const SELECT_FROM = 200_000;

/** Below this many values a range is sorted outright. */
const SMALL = 32;

/**
 * Moves the values of the given ranks to the places a full ascending sort would put them (every
 * other value lands on its side of them), by quickselect on all ranks at once: O(n) on average
 * against sort's O(n log n), same values at those ranks. Finite values only (no NaN). Ranges that
 * partition badly (over 2 log2 n levels deep) are sorted natively, which bounds the worst case.
 */
export function selectRanks(a: Float64Array, ranks: readonly number[]): void {
  const ks = [...new Set(ranks)].filter((k) => k >= 0 && k < a.length).sort((x, y) => x - y);
  if (ks.length === 0) return;
  const limit = 2 * Math.ceil(Math.log2(a.length + 1));
  // Work list of [lo, hi] (inclusive) ranges holding ranks ks[kLo..kHi], with their depth.
  const stack: number[] = [0, a.length - 1, 0, ks.length - 1, 0];
  while (stack.length > 0) {
    const depth = stack.pop()!, kHi = stack.pop()!, kLo = stack.pop()!, hi = stack.pop()!, lo = stack.pop()!;
    if (hi - lo < SMALL || depth > limit) {
      a.subarray(lo, hi + 1).sort();
      continue;
    }
    // Median of three as pivot, then Hoare partition: [lo, j] <= pivot <= [j + 1, hi].
    const mid = lo + ((hi - lo) >> 1);
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo - 1, j = hi + 1;
    for (;;) {
      do i++;
      while (a[i]! < pivot);
      do j--;
      while (a[j]! > pivot);
      if (i >= j) break;
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    // Ranks at or below j are in the left part, the others in the right one.
    let split = kLo;
    while (split <= kHi && ks[split]! <= j) split++;
    if (split > kLo) stack.push(lo, j, kLo, split - 1, depth + 1);
    if (split <= kHi) stack.push(j + 1, hi, split, kHi, depth + 1);
  }
}
