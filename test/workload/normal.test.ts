import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../../src/workload/normal.js';

// Reference values: scipy.stats.norm.cdf / norm.ppf in double precision (which agree with R's
// pnorm/qnorm and the tables of Abramowitz & Stegun 26.2 to the digits those show).
const CDF: [number, number][] = [
  [-8, 6.22096057427174e-16],
  [-5, 2.866515718791933e-7],
  [-3, 0.0013498980316300933],
  [-1, 0.15865525393145707],
  [0, 0.5],
  [0.3, 0.6179114221889526],
  [1, 0.8413447460685429],
  [1.959963984540054, 0.975],
  [3, 0.9986501019683699],
  [6, 0.9999999990134123],
];

describe('normalCdf', () => {
  it.each(CDF)('Phi(%d) = %d', (x, p) => {
    expect(Math.abs(normalCdf(x) - p)).toBeLessThan(1e-14 + 1e-8 * p);
  });

  it('is symmetric and saturates', () => {
    for (const x of [0.1, 0.7, 2.2, 5.5, 8]) expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(-40)).toBe(0);
  });
});

describe('normalQuantile', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.5, 0],
    [0.001, -3.090232306167813],
    [1 / 3, -0.43072729929545756],
    [1e-10, -6.361340902404056],
    [0.99999, 4.264890793923841],
  ])('Phi^-1(%d) = %d', (p, x) => {
    expect(Math.abs(normalQuantile(p) - x)).toBeLessThan(1e-9 * Math.max(1, Math.abs(x)));
  });

  it('inverts normalCdf across (0, 1)', () => {
    for (let p = 0.0005; p < 1; p += 0.0137) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 13);
  });

  it('handles the ends and refuses p outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(1.5)).toThrow(/p in \[0, 1\]/);
    expect(() => normalQuantile(NaN)).toThrow();
  });
});
