import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulation/simulate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { EXACT_TERMS, createNoiseSampler, linearSquareRatio } from '../../src/profiles/noise.js';
import { withIterationNoise, withRequestNoise } from '../../src/profiles/noisy.js';
import { createStream } from '../../src/util/rng.js';
import { cbGroup, req, testIterationModel } from '../support/models.js';

const base = testIterationModel({ prefill: [0.02, 1e-4], decode: [0.03, 3e-4, 1e-7], kvTokens: 1e9 });

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) };
}

describe('noise sampler', () => {
  it('log-normal factors have mean 1 and the profile relStd', () => {
    const s = createNoiseSampler({ relStd: 0.1 }, createStream(1, 'noise'));
    const { mean, variance } = moments(Array.from({ length: 40000 }, () => s.factor()));
    // Standard error of the mean: 0.1/sqrt(40000) = 0.0005; allow 4 SE.
    expect(Math.abs(mean - 1)).toBeLessThan(0.002);
    expect(Math.sqrt(variance)).toBeGreaterThan(0.097);
    expect(Math.sqrt(variance)).toBeLessThan(0.103);
  });

  it('resamples stored residuals, rescaled to mean 1', () => {
    // residuals -0.1, 0, 0.3 -> factors 0.9, 1, 1.3 with mean 16/15 -> 0.84375, 0.9375, 1.21875
    const s = createNoiseSampler({ relStd: 0, residuals: [-0.1, 0, 0.3] }, createStream(2, 'noise'));
    const seen = new Set(Array.from({ length: 300 }, () => s.factor()));
    expect([...seen].sort()).toEqual([0.84375, 0.9375, 1.21875]);
    // population sd of those factors: sqrt(((-0.15625)^2 + (-0.0625)^2 + 0.21875^2)/3)
    expect(s.relStd).toBeCloseTo(Math.sqrt((0.15625 ** 2 + 0.0625 ** 2 + 0.21875 ** 2) / 3), 12);
  });

  it('linearSquareRatio equals sum w^2 / (sum w)^2 by brute force', () => {
    for (const [w0, w1, k] of [[1, 1, 5], [0.03, 0.09, 40], [2, 0.5, 17], [1, 3, 2]] as const) {
      const ws = Array.from({ length: k }, (_, i) => w0 + ((w1 - w0) * i) / (k - 1));
      const s1 = ws.reduce((a, b) => a + b, 0);
      const s2 = ws.reduce((a, b) => a + b * b, 0);
      expect(linearSquareRatio(w0, w1, k)).toBeCloseTo(s2 / (s1 * s1), 12);
    }
  });
});

describe('noisy iteration model', () => {
  const noise = { prefill: { relStd: 0.1 }, decode: { relStd: 0.1 } };

  it.each([[8], [200]])('a run of %i steps has the mean and variance of the sum of its noisy steps', (k) => {
    // Theory: sum_i step_i*f_i with f_i iid, mean 1, sd 0.1: mean = sum step_i, var = 0.01 * sum step_i^2.
    // k = 8 is drawn step by step (k <= EXACT_TERMS), k = 200 as one moment-matched factor.
    expect(k <= EXACT_TERMS).toBe(k === 8);
    const noisy = withIterationNoise(base, noise, createStream(3, 'noise'));
    const b = 16;
    const runs: number[] = [];
    // A new context per run, so each call is a new run (repeated calls of one run reuse its factor).
    for (let r = 0; r < 20000; r++) runs.push(noisy.decodeRunS(b, 10000 + r * 7, k) / base.decodeRunS(b, 10000 + r * 7, k));
    let s1 = 0, s2 = 0;
    for (let i = 0; i < k; i++) { const w = base.decodeStepS(b, 10000 + i * b); s1 += w; s2 += w * w; }
    const expectedSd = 0.1 * Math.sqrt(s2) / s1;
    const { mean, variance } = moments(runs);
    expect(Math.abs(mean - 1)).toBeLessThan((4 * expectedSd) / Math.sqrt(20000));
    // The sample sd of 20000 draws is within 3% of the true sd (its SE is ~0.5% for near-normal draws).
    expect(Math.sqrt(variance) / expectedSd).toBeGreaterThan(0.97);
    expect(Math.sqrt(variance) / expectedSd).toBeLessThan(1.03);
  });

  it('answers repeated questions about one run consistently (the device searches its prefixes)', () => {
    const noisy = withIterationNoise(base, noise, createStream(4, 'noise'));
    const full = noisy.decodeRunS(8, 5000, 100);
    const f = full / base.decodeRunS(8, 5000, 100);
    expect(f).not.toBe(1);
    let prev = 0;
    for (const k of [1, 2, 10, 50, 99, 100]) {
      const v = noisy.decodeRunS(8, 5000, k);
      expect(v).toBeCloseTo(f * base.decodeRunS(8, 5000, k), 12);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
  });

  it('is the deterministic model without a noise block, and keeps power and memory', () => {
    expect(withIterationNoise(base, undefined, createStream(1, 'x'))).toBe(base);
    const noisy = withIterationNoise(base, noise, createStream(1, 'x'));
    expect(noisy.kvCapacityTokens).toBe(base.kvCapacityTokens);
    expect(noisy.busyPowerW(3)).toBe(base.busyPowerW(3));
  });

  it('drives the continuous-batching device: same seed same result, and the mean stays the noiseless one', () => {
    const requests = Array.from({ length: 400 }, (_, i) => req(i, i * 0.5, 200 + (i % 7) * 50, 50 + (i % 5) * 40));
    const runWith = (seed: number | undefined) => {
      const model = seed === undefined ? base : withIterationNoise(base, noise, createStream(seed, 'noise/gpu/0'));
      const r = simulate({ requests, cluster: [cbGroup(model, { maxBatchSize: 8 })], policy: fifoPolicy, policyParams: {}, seed: 1 });
      return requests.map((q) => r.records.finishS[q.id]! - q.arrivalS);
    };
    const clean = runWith(undefined);
    const a = runWith(11);
    expect(runWith(11)).toEqual(a);
    expect(runWith(12)).not.toEqual(a);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    // Light load (one arrival per 0.5 s, each needing ~5 s of decode in small batches): queueing is
    // mild, so mean-1 noise moves the mean latency by little; 10% noise on ~400 runs averages out to
    // well under 3%.
    expect(Math.abs(mean(a) / mean(clean) - 1)).toBeLessThan(0.03);
    expect(a.some((x, i) => Math.abs(x - clean[i]!) > 1e-9)).toBe(true);
  });

  it('request-level noise multiplies service time and energy by their own factors', () => {
    const cost = { serviceS: (_i: number, o: number) => o, energyJ: (_i: number, o: number) => 10 * o, clamped: () => false, idlePowerW: 0 };
    const noisy = withRequestNoise(cost, { runtime: { relStd: 0.2 } }, createStream(5, 'noise'));
    const draws = Array.from({ length: 20000 }, () => noisy.serviceS(1, 2) / 2);
    const { mean, variance } = moments(draws);
    expect(Math.abs(mean - 1)).toBeLessThan(0.006); // 4 SE = 4 * 0.2 / sqrt(20000)
    expect(Math.sqrt(variance)).toBeCloseTo(0.2, 2);
    expect(noisy.energyJ(1, 2)).toBe(20); // no energy noise given
  });
});
