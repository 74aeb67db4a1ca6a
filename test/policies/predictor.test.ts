import { describe, expect, it } from 'vitest';
import { createLengthPredictor, predictorParams, solve2 } from '../../src/policies/predictor.js';
import { request } from './views.js';

const params = (o: Record<string, unknown> = {}) => predictorParams.parse({ minSamples: 3, refitEvery: 5, ...o });

describe('output-length predictor', () => {
  it('predicts the prior until minSamples completions, then recovers an exact linear law', () => {
    const p = createLengthPredictor(params({ priorOutputTokens: 77 }));
    const law = (u: number, prompt: number) => 50 + 200 * u + 0.03 * prompt; // 30 tokens per 1000 prompt tokens
    const data = [[0.1, 100], [0.9, 2000], [0.5, 700], [0.3, 1500], [0.7, 300]] as const;
    data.slice(0, 2).forEach(([u, pr], i) => p.observe(request(i, 0, pr, law(u, pr), { uncertainty: u })));
    expect(p.predict(request(9, 0, 500, 1, { uncertainty: 0.4 }))).toBe(77);
    expect(p.coefficients()).toEqual([]);
    p.observe(request(2, 0, data[2][1], law(data[2][0], data[2][1]), { uncertainty: data[2][0] }));
    const [b0, b1, b2] = p.coefficients();
    expect(b0).toBeCloseTo(50, 6);
    expect(b1).toBeCloseTo(200, 6);
    expect(b2).toBeCloseTo(30, 6);
    expect(p.predict(request(9, 0, 500, 1, { uncertainty: 0.4 }))).toBeCloseTo(law(0.4, 500), 6);
  });

  it('refits only every refitEvery completions', () => {
    const p = createLengthPredictor(params());
    for (let i = 0; i < 3; i++) p.observe(request(i, 0, 100, 10, { uncertainty: i / 2 })); // fit at 3: constant 10
    expect(p.predict(request(9, 0, 100, 1, { uncertainty: 0.5 }))).toBeCloseTo(10, 9);
    for (let i = 3; i < 7; i++) p.observe(request(i, 0, 100, 110, { uncertainty: 0.5 })); // 4 more: no refit yet
    expect(p.predict(request(9, 0, 100, 1, { uncertainty: 0.5 }))).toBeCloseTo(10, 9);
    p.observe(request(7, 0, 100, 110, { uncertainty: 0.5 })); // 5th since the fit: refit
    // Data: (u 0, 10), (0.5, 10), (1, 10), 5 x (0.5, 110): mean 72.5, and the fit goes through it at u = 0.5.
    expect(p.predict(request(9, 0, 100, 1, { uncertainty: 0.5 }))).toBeCloseTo(72.5, 9);
  });

  it('gives unused and constant features slope 0 and never predicts below one token', () => {
    const p = createLengthPredictor(params({ usePrompt: false }));
    for (let i = 0; i < 3; i++) p.observe(request(i, 0, 100 * (i + 1), 10 + 100 * i, { uncertainty: 0.2 }));
    // u constant (0.2), prompt unused: the mean, whatever the prompt.
    expect(p.coefficients()).toEqual([110, 0, 0]);
    expect(p.predict(request(9, 0, 99999, 1, { uncertainty: 0.9 }))).toBe(110);
    const falling = createLengthPredictor(params({ useUncertainty: false }));
    for (let i = 0; i < 3; i++) falling.observe(request(i, 0, 1000 * (i + 1), 300 - 100 * i));
    expect(falling.predict(request(9, 0, 10000, 1))).toBe(1); // the line is below 1 there
  });

  it('solves a 2x2 covariance system and handles degenerate ones', () => {
    expect(solve2(2, 1, 3, 5, 10)).toEqual([1, 3]); // [[2,1],[1,3]] [1,3] = [5,10]
    expect(solve2(0, 0, 4, 0, 8)).toEqual([0, 2]);
    expect(solve2(1, 1, 1, 2, 2)).toEqual([2, 0]); // perfectly correlated: the first feature alone
    expect(solve2(0, 0, 0, 0, 0)).toEqual([0, 0]);
  });
});
