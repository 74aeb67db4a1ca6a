import { describe, expect, it } from 'vitest';
import { BUCKET_MIN, distribution, percentileSorted, placePercentileRanks, rankValues } from '../../src/metrics/distribution.js';

const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort();

describe('percentileSorted (linear interpolation between closest ranks, numpy default)', () => {
  it('matches published worked examples', () => {
    // Wikipedia "Percentile", linear interpolation between closest ranks (C = 1): 40th of {15,20,35,40,50} is 29.
    expect(percentileSorted(sorted([15, 20, 35, 40, 50]), 0.4)).toBeCloseTo(29, 12);
    // numpy.percentile([1, 2, 3, 4], 50) == 2.5; numpy.percentile(range(1, 11), 90) == 9.1
    expect(percentileSorted(sorted([1, 2, 3, 4]), 0.5)).toBe(2.5);
    expect(percentileSorted(sorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0.9)).toBeCloseTo(9.1, 12);
  });

  it('gives min at 0, max at 1, and the single value of a one-element sample', () => {
    const xs = sorted([3, 1, 2]);
    expect(percentileSorted(xs, 0)).toBe(1);
    expect(percentileSorted(xs, 1)).toBe(3);
    expect(percentileSorted(sorted([7]), 0.99)).toBe(7);
  });
});

describe('distribution', () => {
  it('summarizes the defined values only', () => {
    // values 0, 0, 1, 2 (NaN skipped): mean 0.75; p50 at index 1.5 -> 0.5; p90 at 2.7 -> 1.7;
    // p95 at 2.85 -> 1.85; p99 at 2.97 -> 1.97
    const d = distribution(Float64Array.from([1, NaN, 0, 2, 0, NaN]));
    expect(d).toEqual({ count: 4, mean: 0.75, p50: 0.5, p90: 1.7, p95: 1.85, p99: 1.97, max: 2 });
  });

  it('reports nulls, not zeros, when nothing is defined', () => {
    expect(distribution(Float64Array.from([NaN, NaN]))).toEqual({ count: 0, mean: null, p50: null, p90: null, p95: null, p99: null, max: null });
    expect(distribution(new Float64Array(0)).count).toBe(0);
  });

  it('sorts numerically, not as strings', () => {
    const d = distribution(Float64Array.from([10, 9, 100, 2]));
    expect(d.max).toBe(100);
    expect(d.p50).toBe(9.5);
  });

  it('rounds to 6 significant digits', () => {
    const d = distribution(Float64Array.from([1 / 3, 2 / 3]));
    expect(d.mean).toBe(0.5);
    expect(d.max).toBe(0.666667);
    expect(d.p90).toBe(0.633333); // 1/3 + 0.9/3 = 0.6333...
  });
});

describe('placePercentileRanks (quickselect of the reported ranks instead of a full sort)', () => {
  let x = 3;
  const r = () => ((x = (x * 1103515245 + 12345) >>> 0) / 4294967296);
  const shapes: Array<[string, (n: number) => number[]]> = [
    ['random', (n) => Array.from({ length: n }, () => r() * 100)],
    ['few distinct values', (n) => Array.from({ length: n }, () => Math.floor(r() * 3))],
    ['all equal', (n) => Array.from({ length: n }, () => 0)],
    ['sorted', (n) => Array.from({ length: n }, (_, i) => i)],
    ['reversed', (n) => Array.from({ length: n }, (_, i) => n - i)],
    ['organ pipe', (n) => Array.from({ length: n }, (_, i) => Math.min(i, n - i))],
    ['heavy tail', (n) => Array.from({ length: n }, () => 1 / (r() + 1e-9))],
  ];
  it.each(shapes)('reads the same percentiles and max as the fully sorted array: %s', (_name, make) => {
    for (const n of [1, 2, 3, 31, 32, 33, 100, 1001, 20_000]) {
      const values = make(n);
      const full = Float64Array.from(values).sort();
      const placed = Float64Array.from(values);
      placePercentileRanks(placed);
      for (const p of [0.5, 0.9, 0.95, 0.99]) expect(percentileSorted(placed, p)).toBe(percentileSorted(full, p));
      expect(placed[n - 1]).toBe(full[n - 1]);
      // A permutation: nothing lost or duplicated.
      expect(Float64Array.from(placed).sort()).toEqual(full);
    }
  });
});

describe('rankValues (bucket counts, then a quickselect of the buckets holding the ranks)', () => {
  let x = 11;
  const r = () => ((x = (x * 1103515245 + 12345) >>> 0) / 4294967296);
  // From `bucketMin` values the bucket path runs (4096 here, 2^18 by default); the shapes put ranks
  // in one bucket, many, or across the sign.
  const shapes: Array<[string, (n: number) => number[]]> = [
    ['lognormal latencies', (n) => Array.from({ length: n }, () => Math.exp(6 * r() - 3))],
    ['mostly exact zeros', (n) => Array.from({ length: n }, () => (r() < 0.9 ? 0 : r()))],
    ['both signs, and -0 with 0', (n) => Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -0 : i % 11 === 0 ? 0 : (r() - 0.5) * 1e3))],
    ['all negative', (n) => Array.from({ length: n }, () => -1 - r() * 100)],
    ['one bucket (values in [1, 1.0625))', (n) => Array.from({ length: n }, () => 1 + r() / 16)],
    ['all equal', (n) => Array.from({ length: n }, () => 2.5)],
    ['extremes', (n) => Array.from({ length: n }, (_, i) => [Number.MIN_VALUE, -Number.MAX_VALUE, Number.MAX_VALUE, 1e-300, -1e300][i % 5]! * (1 + r()))],
    ['sorted', (n) => Array.from({ length: n }, (_, i) => i / 8)],
    ['few distinct', (n) => Array.from({ length: n }, () => Math.floor(r() * 4) - 1)],
  ];
  it.each(shapes)('gives the values a full sort has at the ranks: %s', (_name, make) => {
    for (const n of [4095, 4096, 4097, 50_000]) {
      const values = make(n).filter(Number.isFinite);
      const full = Float64Array.from(values).sort();
      const ranks = [...new Set([0, 1, Math.floor(n / 2), n - 2, n - 1, Math.floor(r() * n), Math.floor(r() * n)])].filter((k) => k < values.length).sort((a, b) => a - b);
      const got = rankValues(Float64Array.from(values), ranks, 4096);
      // ===: -0 and 0 are the same value to the summary (both print 0); the quickselect may give either.
      ranks.forEach((k, j) => expect(got[j] === full[k], `rank ${k} of ${n}: ${got[j]} vs ${full[k]}`).toBe(true));
      // A view that does not start its buffer (the bucket passes read the values' words through it).
      const padded = new Float64Array(values.length + 3);
      padded.set(values, 3);
      const fromView = rankValues(padded.subarray(3), ranks, 4096);
      ranks.forEach((k, j) => expect(fromView[j] === full[k], `view, rank ${k} of ${n}: ${fromView[j]} vs ${full[k]}`).toBe(true));
      // A plain array of doubles (how QuantileAccumulator keeps them) takes the same paths and is left as it was.
      const kept = values.slice();
      const fromArray = rankValues(values, ranks, 4096);
      ranks.forEach((k, j) => expect(fromArray[j] === full[k], `array, rank ${k} of ${n}: ${fromArray[j]} vs ${full[k]}`).toBe(true));
      expect(values).toEqual(kept);
    }
  });

  it('lets distribution report what percentileSorted reads from the sorted values', () => {
    for (const n of [1, 5, 4096, 30_001, BUCKET_MIN + 1]) {
      const values = Array.from({ length: n }, () => Math.exp(4 * r()) * (r() < 0.2 ? 0 : 1));
      const full = Float64Array.from(values).sort();
      const round = (v: number) => Number(v.toPrecision(6));
      const d = distribution(Float64Array.from(values));
      expect(d.p50).toBe(round(percentileSorted(full, 0.5)));
      expect(d.p90).toBe(round(percentileSorted(full, 0.9)));
      expect(d.p95).toBe(round(percentileSorted(full, 0.95)));
      expect(d.p99).toBe(round(percentileSorted(full, 0.99)));
      expect(d.max).toBe(round(full[n - 1]!));
    }
  });
});
