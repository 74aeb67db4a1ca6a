import { describe, expect, it } from 'vitest';
import { designRank, fitLinear, fitStats } from '../../src/profiles/fit-linear.js';

describe('fitLinear', () => {
  it('matches a hand-computed regression line and its R^2', () => {
    // x = 1,2,3; y = 1,2,2: slope = Sxy/Sxx = 1/2, intercept = 5/3 - 2*(1/2) = 2/3.
    // Residuals -1/6, 1/3, -1/6: SSres = 1/6; SStot = 2/3; R^2 = 1 - (1/6)/(2/3) = 0.75.
    // Uncentered: 1 - (1/6)/(1+4+4) = 1 - 1/54.
    const f = fitLinear([[1, 1], [1, 2], [1, 3]], [1, 2, 2]);
    expect(f.coefficients[0]).toBeCloseTo(2 / 3, 12);
    expect(f.coefficients[1]).toBeCloseTo(0.5, 12);
    expect(f.r2Centered).toBeCloseTo(0.75, 12);
    expect(f.r2Uncentered).toBeCloseTo(1 - 1 / 54, 12);
    expect(f.rmse).toBeCloseTo(Math.sqrt(1 / 18), 12);
    // |residual|/y: 1/6, 1/6, 1/12 -> mean 5/36 = 13.89%, max 16.67%
    expect(f.mape).toBeCloseTo((500 / 36), 9);
    expect(f.maxApe).toBeCloseTo(100 / 6, 9);
    expect(f.medianApe).toBeCloseTo(100 / 6, 9); // sorted 8.33, 16.67, 16.67
    expect(f.points).toBe(3);
  });

  it('reports the median absolute percentage error next to the mean (even and odd counts)', () => {
    // Fitted 1, 2, 3, 4 against y = 1.1, 2, 2.4, 5: |y - fitted|/y = 1/11, 0, 1/4, 1/5.
    const even = fitStats([[1], [2], [3], [4]], [1.1, 2, 2.4, 5], [1]);
    expect(even.mape).toBeCloseTo(((100 / 11 + 0 + 25 + 20) / 4), 9); // 13.52%
    expect(even.medianApe).toBeCloseTo((100 / 11 + 20) / 2, 9); // middle two of 0, 9.09, 20, 25: 14.55%
    expect(even.maxApe).toBeCloseTo(25, 9);
    // One more point, fitted 5 against 10 (50%): the median is now the middle one, 20%, while the mean moves to 20.8%.
    const odd = fitStats([[1], [2], [3], [4], [5]], [1.1, 2, 2.4, 5, 10], [1]);
    expect(odd.medianApe).toBeCloseTo(20, 9);
    expect(odd.mape).toBeCloseTo((100 / 11 + 0 + 25 + 20 + 50) / 5, 9);
  });

  it('recovers exact quadratic coefficients from noiseless data', () => {
    const xs = [128, 512, 1024, 4096, 16384];
    const f = fitLinear(xs.map((t) => [1, t, t * t]), xs.map((t) => 0.02 + 1e-4 * t + 2e-9 * t * t), { weights: xs.map(() => 1), nonNegative: true });
    expect(f.coefficients[0]).toBeCloseTo(0.02, 10);
    expect(f.coefficients[1]! / 1e-4).toBeCloseTo(1, 8);
    expect(f.coefficients[2]! / 2e-9).toBeCloseTo(1, 6);
    expect(f.r2Centered).toBeCloseTo(1, 12);
  });

  it('weights change the solution toward the heavily weighted points', () => {
    // Fit a constant to y = 1, 3: unweighted mean 2; weights 3 and 1 minimise 9(c-1)^2 + (c-3)^2 -> c = 1.2.
    expect(fitLinear([[1], [1]], [1, 3]).coefficients[0]).toBeCloseTo(2, 12);
    expect(fitLinear([[1], [1]], [1, 3], { weights: [3, 1] }).coefficients[0]).toBeCloseTo(1.2, 12);
  });

  it('with nonNegative, returns the best fit with coefficients >= 0', () => {
    // y = 3,2,1 at x = 1,2,3: the free fit has slope -1. Supports: {intercept} -> c = 2, SSres 2;
    // {slope} -> c = 10/14, SSres 336/49 = 6.86. The constrained optimum is intercept 2, slope 0.
    const free = fitLinear([[1, 1], [1, 2], [1, 3]], [3, 2, 1]);
    expect(free.coefficients[1]).toBeCloseTo(-1, 12);
    const nn = fitLinear([[1, 1], [1, 2], [1, 3]], [3, 2, 1], { nonNegative: true });
    expect(nn.coefficients[0]).toBeCloseTo(2, 12);
    expect(nn.coefficients[1]).toBe(0);
  });

  it('reports the residual standard deviation and relative residuals (hand-computed)', () => {
    // Same data as the first test: SSres = 1/6 with n - k = 1, so residual std = sqrt(1/6).
    // Fitted 2/3 + x/2 = 7/6, 5/3, 13/6 -> y/fitted - 1 = -1/7, 1/5, -1/13.
    const f = fitLinear([[1, 1], [1, 2], [1, 3]], [1, 2, 2]);
    expect(f.residualStd).toBeCloseTo(Math.sqrt(1 / 6), 12);
    [-1 / 7, 1 / 5, -1 / 13].forEach((r, i) => expect(f.relativeResiduals[i]).toBeCloseTo(r, 12));
  });

  it('finds the rank of a design, independent of column scale, and refuses singular ones', () => {
    // tin*tout is 50*tin when tout is always 50: rank 2 of 3, whatever the magnitudes.
    const x = [100, 200, 300, 400].map((tin) => [tin, 50, tin * 50]);
    expect(designRank(x)).toBe(2);
    expect(designRank([[1, 1e6], [1, 2e6], [1, 4e6]])).toBe(2);
    expect(() => fitLinear(x, [1, 2, 3, 4])).toThrow(/singular design \(rank 2 of 3 terms\)/);
  });

  it('rejects shapes that cannot determine the coefficients', () => {
    expect(() => fitLinear([[1, 2]], [1])).toThrow(/cannot determine/);
    expect(() => fitLinear([], [])).toThrow();
  });
});
