import { quantileSorted } from 'simple-statistics';
import { roundOrNull } from './round.js';
import { doubleArray } from '../util/double-array.js';

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

/** The distinct ranks placePercentileRanks places for `count` values, ascending. */
function reportedRanks(count: number): number[] {
  return [...new Set(percentileRanks(count, PERCENTILES))].filter((r) => r >= 0 && r < count).sort((a, b) => a - b);
}

/**
 * Puts `values[r]` at its sorted place for every rank r of the percentiles a Distribution reports
 * (and the max at the end), so that percentileSorted reads the same values from it as from the
 * sorted array: a multi-rank quickselect, O(n) against the O(n log n) of a full sort, which took
 * most of a summary's time at a million requests. Three-way partitions around a median of three
 * (runs of equal values, e.g. zero queueing delays, cost nothing extra); a segment that recursed
 * too deep, or a small one, is sorted instead, so the worst case stays O(n log n). Deterministic.
 */
export function placePercentileRanks(values: Float64Array): void {
  placeRanks(values, reportedRanks(values.length));
}

// Places values[r] for every r of `ranks` (ascending, distinct, in range) at its sorted place.
function placeRanks(values: Float64Array, ranks: readonly number[]): void {
  selectRanks(values, 0, values.length - 1, ranks, 0, ranks.length, 2 * Math.ceil(Math.log2(values.length + 1)) + 8);
}

// Places values[ranks[r]] for r in [r0, r1) (all within [lo, hi]) at their sorted places. The
// scan over the elements is partition3's, a function of its own: optimized with every branch's
// type feedback, where an optimized loop inside this function (on-stack replacement during the
// first, million-element scan) was deoptimized at each new path it reached after the loop.
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
    partition3(a, lo, hi, pivot);
    const lt = partLt;
    const gt = partGt;
    let m = r0;
    while (m < r1 && ranks[m]! < lt) m++;
    let e = m;
    while (e < r1 && ranks[e]! <= gt) e++;
    if (m > r0) selectRanks(a, lo, lt - 1, ranks, r0, m, depth);
    r0 = e;
    lo = gt + 1;
  }
}

// partition3's results: [lo, partLt) < pivot, [partLt, partGt] == pivot, (partGt, hi] > pivot.
let partLt = 0;
let partGt = 0;

function partition3(a: Float64Array, lo: number, hi: number, pivot: number): void {
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
  partLt = lt;
  partGt = gt;
}

/**
 * From this many values, percentiles go through bucket counts first (rankValues). Below it the
 * quickselect alone is faster, even cold (the bucket pass has 2^16 buckets to scan whatever the
 * count): measured on log-uniform values (e^(5U)), first call / warm, 100k: 20 / 2 ms against 12 / 3;
 * 300k: 28 / 6 against 25 / 6; 1M: 36 / 8 against 43 / 34 (wall, load average ~5).
 */
export const BUCKET_MIN = 1 << 18;
/** Buckets of the first pass: the top 16 bits of a double's order-preserving key (sign, exponent, 4 mantissa bits). */
const BUCKETS = 1 << 16;
/** The high 32 bits of a double are element 1 of its Int32Array view on little-endian machines. */
const HIGH = new Int32Array(new Float64Array([1]).buffer)[1] === 0x3ff00000 ? 1 : 0;

// Bucket of a double from its high word `h`: the top 16 bits of its order-preserving key (sign bit
// flipped for positives, every bit flipped for negatives), so bucket order is value order.
function bucketOf(h: number): number {
  return h < 0 ? ~h >>> 16 : (h >>> 16) | 0x8000;
}

/**
 * The values at `ranks` (ascending, distinct, within range) of `values` (finite) in sorted order,
 * as percentileSorted would read them from the sorted array. Reorders a Float64Array `values`
 * (an array is left as it was). Below `bucketMin` values, a quickselect of the ranks (placeRanks).
 * From it, one pass counts the values per bucket (BUCKETS buckets, in value order), which tells
 * the bucket each rank falls in and its rank there; a second pass copies the values of those few
 * buckets, and the quickselect runs on the copy only (a few percent of the values for latencies
 * spread over several octaves; all of them at worst).
 */
export function rankValues(values: Float64Array | readonly number[], ranks: readonly number[], bucketMin = BUCKET_MIN): Float64Array {
  const n = values.length;
  const out = new Float64Array(ranks.length);
  if (n < bucketMin) {
    const a = values instanceof Float64Array ? values : Float64Array.from(values);
    placeRanks(a, ranks);
    for (let k = 0; k < ranks.length; k++) out[k] = a[ranks[k]!]!;
    return out;
  }
  const counts = countBuckets(values);
  // For each bucket holding a rank: where its values start in the copy (else -1).
  const start = bucketStart.fill(-1);
  const local = new Array<number>(ranks.length); // each rank's rank in the copy
  const copied = locateRanks(counts, ranks, start, local);
  const picked = gatherBuckets(values, start, copied);
  placeRanks(picked, local);
  for (let j = 0; j < ranks.length; j++) out[j] = picked[local[j]!]!;
  return out;
}

// Marks the buckets the ranks fall in (`start`: where each one's values begin in the copy) and sets
// `local` to the ranks in the copy, which holds those buckets' values in bucket order; returns its size.
function locateRanks(counts: Int32Array, ranks: readonly number[], start: Int32Array, local: number[]): number {
  let copied = 0;
  let below = 0;
  let k = 0;
  for (let b = 0; b < BUCKETS && k < ranks.length; b++) {
    const c = counts[b]!;
    if (ranks[k]! < below + c) {
      start[b] = copied;
      while (k < ranks.length && ranks[k]! < below + c) {
        local[k] = copied + ranks[k]! - below;
        k++;
      }
      copied += c;
    }
    below += c;
  }
  return copied;
}

// A double's high 32 bits, through a one-element view (values may be a plain array of doubles).
const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);
function bucketOfValue(v: number): number {
  scratch[0] = v;
  return bucketOf(scratchWords[HIGH]!);
}

// The bucket passes' three tables, made once (not 768 kB of typed arrays per percentile pass: see
// QuantileAccumulator's values for why typed-array memory is kept down).
const bucketCounts = new Int32Array(BUCKETS);
const bucketStart = new Int32Array(BUCKETS);
const bucketNext = new Int32Array(BUCKETS);

// A Float64Array's values are read as words through a view of its own buffer (value i's high word
// is word 2i + HIGH), not one by one through the scratch view; each loop also sees one kind of
// array only, so its element loads stay monomorphic. (The summary of stream-slots' million requests
// spent about a tenth of its run in these two passes.)
function countBuckets(values: Float64Array | readonly number[]): Int32Array {
  const counts = bucketCounts.fill(0);
  if (values instanceof Float64Array) {
    const words = new Int32Array(values.buffer, values.byteOffset, 2 * values.length);
    for (let w = HIGH; w < words.length; w += 2) counts[bucketOf(words[w]!)]++;
  } else for (let i = 0; i < values.length; i++) counts[bucketOfValue(values[i]!)]++;
  return counts;
}

// The values whose bucket has a start, each bucket's together from its start (in array order within it).
function gatherBuckets(values: Float64Array | readonly number[], start: Int32Array, size: number): Float64Array {
  const picked = new Float64Array(size);
  const next = bucketNext;
  next.set(start);
  if (!(values instanceof Float64Array)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const b = bucketOfValue(v);
      const at = next[b]!;
      if (at >= 0) {
        picked[at] = v;
        next[b] = at + 1;
      }
    }
    return picked;
  }
  const words = new Int32Array(values.buffer, values.byteOffset, 2 * values.length);
  for (let i = 0; i < values.length; i++) {
    const b = bucketOf(words[2 * i + HIGH]!);
    const at = next[b]!;
    if (at >= 0) {
      picked[at] = values[i]!;
      next[b] = at + 1;
    }
  }
  return picked;
}

/**
 * The Distribution of `values` (finite, in any order; a Float64Array is reordered), whose sum (added in the caller's
 * order: the mean depends on it) and max the caller kept. Percentiles as percentileSorted reads
 * them from the sorted values, the values at their ranks found by rankValues.
 */
export function distributionOf(values: Float64Array | readonly number[], sum: number, max: number): Distribution {
  const count = values.length;
  if (count === 0) return { count, mean: null, p50: null, p90: null, p95: null, p99: null, max: null };
  const ranks = reportedRanks(count);
  const at = rankValues(values, ranks);
  // An array-like holding the sorted order's values at those ranks: all quantileSorted reads.
  const sorted: { length: number; [rank: number]: number } = { length: count };
  for (let k = 0; k < ranks.length; k++) sorted[ranks[k]!] = at[k]!;
  const percentile = (p: number) => roundOrNull(quantileSorted(sorted as unknown as number[], p));
  return {
    count,
    mean: roundOrNull(sum / count),
    p50: percentile(PERCENTILES[0]),
    p90: percentile(PERCENTILES[1]),
    p95: percentile(PERCENTILES[2]),
    p99: percentile(PERCENTILES[3]),
    max: roundOrNull(max),
  };
}

/** Summarizes the finite entries of `values` (NaN = not defined for that request, skipped); `values` is left as it was. */
export function distribution(values: Float64Array): Distribution {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  // In the heap, as an in-memory summary's QuantileAccumulator keeps them: rankValues sees one kind.
  const finite = doubleArray(count);
  let sum = 0;
  let max = -Infinity;
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    finite[k++] = v;
    sum += v;
    if (v > max) max = v;
  }
  return distributionOf(finite, sum, max);
}
