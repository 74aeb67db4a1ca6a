import { describe, expect, it } from 'vitest';
import { mean, meanConfidenceInterval, pairedComparison, pairedDifferences, sampleStd } from '../../src/metrics/stats.js';
import { regularizedBeta, studentTCdf, studentTQuantile } from '../../src/metrics/student-t.js';

describe('studentTQuantile', () => {
  it('matches printed t tables (two-sided 95% and 99% critical values)', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.303, 3);
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.182, 3);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776, 3);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262, 3);
    expect(studentTQuantile(0.995, 9)).toBeCloseTo(3.25, 3);
    expect(studentTQuantile(0.95, 30)).toBeCloseTo(1.697, 3);
    expect(studentTQuantile(0.975, 120)).toBeCloseTo(1.98, 3);
  });

  // 1e-11, not tighter: near p = 1 both sides inherit the rounding of p itself, magnified.
  it('matches the closed forms for 1 and 2 degrees of freedom to 1e-11', () => {
    for (const p of [0.6, 0.9, 0.975, 0.995, 0.9999]) {
      expect(studentTQuantile(p, 1) / Math.tan(Math.PI * (p - 0.5))).toBeCloseTo(1, 11); // Cauchy
      expect(studentTQuantile(p, 2) / ((2 * p - 1) / Math.sqrt(2 * p * (1 - p)))).toBeCloseTo(1, 11);
    }
  });

  it('approaches the normal quantile 1.959964 for large df', () => {
    // Cornish-Fisher: t = z + (z^3 + z) / (4 df) + O(df^-2)
    const z = 1.959963984540054;
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(z + (z ** 3 + z) / 4e6, 9);
  });

  it('is antisymmetric around p = 0.5 and handles fractional df', () => {
    // Not bit-exact: 1 - 0.975 is 0.025000000000000022 in binary.
    expect(studentTQuantile(0.025, 7)).toBeCloseTo(-studentTQuantile(0.975, 7), 12);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    const t = studentTQuantile(0.975, 4.5);
    expect(t).toBeLessThan(studentTQuantile(0.975, 4));
    expect(t).toBeGreaterThan(studentTQuantile(0.975, 5));
  });

  it('rejects p outside (0, 1) and non-positive df', () => {
    expect(() => studentTQuantile(1, 3)).toThrow();
    expect(() => studentTQuantile(0.9, 0)).toThrow();
  });
});

describe('studentTCdf and regularizedBeta', () => {
  it('match closed forms', () => {
    for (const t of [-20, -1, 0, 0.3, 2, 50]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 14); // Cauchy
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 14);
    }
    // I_x(a, 1) = x^a and I_x(1, b) = 1 - (1 - x)^b
    expect(regularizedBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 14);
    expect(regularizedBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 14);
    expect(studentTCdf(Infinity, 3)).toBe(1);
    expect(studentTCdf(-Infinity, 3)).toBe(0);
  });
});

describe('mean and sampleStd', () => {
  it('match textbook examples', () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 14); // population std 2
    // Wikipedia "Algorithms for calculating variance": shifted by 1e9, the variance is still 30.
    expect(sampleStd([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16])).toBeCloseTo(Math.sqrt(30), 9);
  });

  it('are NaN where undefined', () => {
    expect(mean([])).toBeNaN();
    expect(sampleStd([3])).toBeNaN();
  });
});

describe('meanConfidenceInterval', () => {
  it('computes mean +- t s / sqrt(n)', () => {
    // mean 14, s = sqrt(40 / 4) = sqrt(10), half width = 2.776445 * sqrt(10) / sqrt(5) = 2.776445 * sqrt(2) = 3.926486
    const ci = meanConfidenceInterval([10, 12, 14, 16, 18], 0.95);
    expect(ci.n).toBe(5);
    expect(ci.mean).toBe(14);
    expect(ci.std).toBeCloseTo(Math.sqrt(10), 14);
    expect(ci.halfWidth).toBeCloseTo(2.776445 * Math.SQRT2, 5);
    expect(ci.low).toBeCloseTo(14 - 3.926486, 5);
    expect(ci.high).toBeCloseTo(14 + 3.926486, 5);
    expect(ci.level).toBe(0.95);
  });

  it('widens with the confidence level', () => {
    const xs = [1, 2, 3, 4];
    expect(meanConfidenceInterval(xs, 0.99).halfWidth).toBeGreaterThan(meanConfidenceInterval(xs, 0.9).halfWidth);
  });

  it('has no interval for one replication', () => {
    const ci = meanConfidenceInterval([5]);
    expect(ci.mean).toBe(5);
    expect(ci.halfWidth).toBeNaN();
  });

  it('rejects a level outside (0, 1)', () => {
    expect(() => meanConfidenceInterval([1, 2], 95)).toThrow(/level/);
  });
});

describe('paired comparison', () => {
  it('works on per-seed differences', () => {
    expect([...pairedDifferences([10, 12, 11, 13], [9, 11, 11, 12])]).toEqual([1, 1, 0, 1]);
    // differences mean 0.75, s = 0.5, half width = t(0.975, 3) * 0.5 / 2 = 3.182446 / 4
    const ci = pairedComparison([10, 12, 11, 13], [9, 11, 11, 12]);
    expect(ci.mean).toBe(0.75);
    expect(ci.std).toBeCloseTo(0.5, 14);
    expect(ci.halfWidth).toBeCloseTo(3.182446 / 4, 6);
  });

  it('refuses unpaired inputs', () => {
    expect(() => pairedDifferences([1, 2], [1])).toThrow(/2 values vs 1/);
  });
});
