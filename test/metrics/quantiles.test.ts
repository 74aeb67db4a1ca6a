import { describe, expect, it } from 'vitest';
import { QuantileAccumulator, SKETCH_RELATIVE_ERROR } from '../../src/metrics/quantiles.js';

// Deterministic values: xorshift32 uniforms, lognormal through Box-Muller.
function values(n: number, seed: number, shape: 'lognormal' | 'mixed'): number[] {
  let x = seed;
  const u = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) + 0.5) / 4294967296;
  };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    const v = Math.exp(0.2 + 1.3 * z);
    // mixed: a fifth exact zeros (queueing delay of requests served at once) and a far tail.
    out.push(shape === 'mixed' ? (i % 5 === 0 ? 0 : i % 97 === 0 ? v * 1000 : v) : v);
  }
  return out;
}

// Type 7 by hand: the value at fractional rank (n - 1) p of the sorted values.
function exactQuantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? 0) - sorted[lo]!);
}

describe('QuantileAccumulator', () => {
  it('is exact below its limit (hand-computed)', () => {
    const q = new QuantileAccumulator(100);
    for (const v of [4, 1, NaN, 3, 2, Infinity, 5]) q.add(v); // non-finite values are skipped
    // sorted 1..5: p50 = 3, p90 at rank 3.6 = 4.6, p95 at 3.8 = 4.8, p99 at 3.96 = 4.96
    expect(q.distribution()).toEqual({ count: 5, mean: 3, p50: 3, p90: 4.6, p95: 4.8, p99: 4.96, max: 5 });
    expect(q.sketched).toBe(false);
  });

  for (const shape of ['lognormal', 'mixed'] as const) {
    it(`past its limit, percentiles are within ${SKETCH_RELATIVE_ERROR * 100}% of the exact ones (${shape})`, () => {
      const xs = values(300_000, 2463534242, shape);
      const q = new QuantileAccumulator(10_000);
      for (const v of xs) q.add(v);
      expect(q.sketched).toBe(true);
      const d = q.distribution();
      const sorted = [...xs].sort((a, b) => a - b);
      expect(d.count).toBe(xs.length);
      const max = sorted[sorted.length - 1]!;
      expect(Math.abs(d.max! - max) / max).toBeLessThan(1e-5); // exact but for the summary's 6-digit rounding
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(Math.abs(d.mean! - mean) / mean).toBeLessThan(1e-5); // exact but for the summary's 6-digit rounding
      for (const [p, key] of [[0.5, 'p50'], [0.9, 'p90'], [0.95, 'p95'], [0.99, 'p99']] as const) {
        const exact = exactQuantile(sorted, p);
        const got = d[key]!;
        if (exact === 0) expect(got).toBe(0);
        else expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(SKETCH_RELATIVE_ERROR);
      }
    });
  }

  it('is deterministic: the same values give the same sketched distribution', () => {
    const run = () => {
      const q = new QuantileAccumulator(1000);
      for (const v of values(50_000, 7, 'mixed')) q.add(v);
      return q.distribution();
    };
    expect(run()).toEqual(run());
  });
});

describe('QuantileAccumulator capacity', () => {
  it('gives the same exact distribution whatever room it starts with (hand-computed, then grown past it)', () => {
    const xs = [5, 1, 4, 2, 3, NaN, 6, 7, 8, 9, 10];
    for (const capacity of [0, 1, 3, 11, 1000]) {
      const q = new QuantileAccumulator(100, capacity);
      for (const v of xs) q.add(v);
      // sorted 1..10: p50 at rank 4.5 = 5.5, p90 at 8.1 = 9.1, p95 at 8.55 = 9.55, p99 at 8.91 = 9.91
      expect(q.distribution()).toEqual({ count: 10, mean: 5.5, p50: 5.5, p90: 9.1, p95: 9.55, p99: 9.91, max: 10 });
    }
  });

  it('keeps values in a JS array when sized up front and a Float64Array when grown: the same distributions, exact and sketched', () => {
    // 300,000 values: past BUCKET_MIN, so the percentiles take the bucket path on both kinds.
    const xs = values(300_000, 99, 'mixed');
    const sized = new QuantileAccumulator(1_000_000, xs.length);
    const grown = new QuantileAccumulator(1_000_000);
    for (const v of xs) {
      sized.add(v);
      grown.add(v);
    }
    expect(sized.distribution()).toEqual(grown.distribution());
    const sorted = [...xs].sort((a, b) => a - b);
    const round = (v: number) => Number(v.toPrecision(6));
    expect(sized.distribution().p99).toBe(round(exactQuantile(sorted, 0.99)));
    // Past the limit both move their values into the sketch in the same order.
    const sizedSketch = new QuantileAccumulator(10_000, 10_000);
    const grownSketch = new QuantileAccumulator(10_000);
    for (const v of xs.slice(0, 50_000)) {
      sizedSketch.add(v);
      grownSketch.add(v);
    }
    expect(sizedSketch.sketched && grownSketch.sketched).toBe(true);
    expect(sizedSketch.distribution()).toEqual(grownSketch.distribution());
  });
});
