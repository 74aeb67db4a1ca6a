import { describe, expect, it } from 'vitest';
import { distribution, percentileSorted, selectRanks } from '../../src/metrics/distribution.js';

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

describe('selectRanks (the percentiles read only a few ranks)', () => {
  // xorshift32: fixed inputs, no Math.random
  const rng = (seed: number) => () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const inputs: [string, Float64Array][] = [];
  const next = rng(2463534242);
  for (const n of [1, 2, 3, 31, 32, 33, 100, 1000, 20_000]) {
    inputs.push([`${n} uniform`, Float64Array.from({ length: n }, () => next())]);
    inputs.push([`${n} with many ties`, Float64Array.from({ length: n }, () => Math.floor(next() * 4))]);
    inputs.push([`${n} ascending`, Float64Array.from({ length: n }, (_v, i) => i)]);
    inputs.push([`${n} descending`, Float64Array.from({ length: n }, (_v, i) => n - i)]);
    inputs.push([`${n} all equal`, new Float64Array(n).fill(7)]);
    inputs.push([`${n} organ pipe`, Float64Array.from({ length: n }, (_v, i) => Math.min(i, n - i))]);
  }

  it.each(inputs)('puts the same values at the asked ranks as a full sort, and keeps every value (%s)', (_name, values) => {
    const n = values.length;
    const ranks = [0, n - 1, Math.floor(n / 2), Math.floor((n - 1) * 0.9), Math.ceil((n - 1) * 0.99), Math.floor(n / 3)];
    const selected = values.slice();
    selectRanks(selected, ranks);
    const sorted = values.slice().sort();
    for (const k of ranks) expect(selected[k]).toBe(sorted[k]);
    // A permutation of the input: the same multiset of values.
    expect(selected.slice().sort()).toEqual(sorted);
    // Each asked rank splits the values: nothing larger before it, nothing smaller after it.
    for (const k of ranks) {
      let misplaced = 0;
      for (let i = 0; i < n; i++) if ((i < k && selected[i]! > selected[k]!) || (i > k && selected[i]! < selected[k]!)) misplaced++;
      expect(misplaced).toBe(0);
    }
  });

  it('gives distribution() the percentiles of the fully sorted values', () => {
    const values = Float64Array.from({ length: 250_001 }, () => next() * 10); // past the size where it selects
    const sorted = values.slice().sort();
    const d = distribution(values);
    expect(d.p50).toBe(Number(percentileSorted(sorted, 0.5).toPrecision(6)));
    expect(d.p99).toBe(Number(percentileSorted(sorted, 0.99).toPrecision(6)));
    expect(d.max).toBe(Number(sorted[sorted.length - 1]!.toPrecision(6)));
  });
});
