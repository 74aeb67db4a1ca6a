import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/util/validate.js';
import { buildWorkload, workloadSchema, type WorkloadInput } from '../../src/workload/index.js';
import { normalCdf } from '../../src/workload/normal.js';
import { generateArrivals, streamArrivals } from '../../src/workload/arrivals.js';
import { generateSynthetic, streamSynthetic } from '../../src/workload/synthetic.js';
import { createStream } from '../../src/util/rng.js';
import type { Request } from '../../src/workload/request.js';
import { cv, mean, variance } from './stats.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('empirical');

type SyntheticInput = NonNullable<WorkloadInput['synthetic']>;
const BASE: SyntheticInput = {
  count: 1000,
  arrival: { process: 'poisson', rateRps: 5 },
  prompt: { dist: 'fixed', tokens: 100 },
  output: { dist: 'fixed', tokens: 10 },
};

function synth(synthetic: Partial<SyntheticInput>, seed = 1, extra: Partial<WorkloadInput> = {}): Request[] {
  const spec = validate(workloadSchema, { synthetic: { ...BASE, ...synthetic }, ...extra });
  return buildWorkload(spec, { baseDir: '/', seed });
}

function gaps(reqs: readonly Request[]): Float64Array {
  const g = new Float64Array(reqs.length);
  let prev = 0;
  reqs.forEach((r, i) => {
    g[i] = r.arrivalS - prev;
    prev = r.arrivalS;
  });
  return g;
}

const within = (x: number, truth: number, se: number) => expect(Math.abs(x - truth), `${x} vs ${truth} (se ${se})`).toBeLessThan(4.5 * se);

describe('arrival processes', () => {
  it('Poisson: counts per unit time have mean = variance = rate; the total is Poisson(rate * T)', () => {
    const rate = 5;
    const T = 20_000;
    const r = synth({ count: undefined, durationS: T, arrival: { process: 'poisson', rateRps: rate } });
    within(r.length, rate * T, Math.sqrt(rate * T));
    expect(r.at(-1)!.arrivalS).toBeLessThan(T);
    const counts = new Float64Array(T);
    for (const x of r) counts[Math.floor(x.arrivalS)]!++;
    within(mean(counts), rate, Math.sqrt(rate / T));
    // Poisson: mu4 = rate(1 + 3 rate), so Var(s^2) ~ (rate + 2 rate^2) / n.
    within(variance(counts), rate, Math.sqrt((rate + 2 * rate * rate) / T));
    // Exponential gaps: mean 1/rate and CV 1 (se of the CV for CV c: c sqrt((1 + c^2) / 2n)).
    const g = gaps(r);
    within(mean(g), 1 / rate, 1 / rate / Math.sqrt(g.length));
    within(cv(g), 1, Math.sqrt(1 / g.length));
  });

  it.each([0.5, 2, 4])('Gamma renewal: gap mean 1/rate and CV %d', (c) => {
    const n = 200_000;
    const r = synth({ count: n, arrival: { process: 'gamma', rateRps: 3, cv: c } });
    const g = gaps(r);
    within(mean(g), 1 / 3, c / 3 / Math.sqrt(n));
    // Delta method for Gamma gaps (skewness 2c, excess kurtosis 6c^2): Var(CV-hat) = c^2 (1 + c^2) / 2n.
    within(cv(g), c, c * Math.sqrt((1 + c * c) / (2 * n)));
  });

  it('deterministic: arrivals at k / rate, the first one gap after 0', () => {
    const r = synth({ count: 50, arrival: { process: 'deterministic', rateRps: 4 } });
    r.forEach((x, k) => expect(x.arrivalS).toBeCloseTo((k + 1) / 4, 12));
    expect(synth({ count: undefined, durationS: 10, arrival: { process: 'deterministic', rateRps: 4 } })).toHaveLength(39);
  });

  it('a duration too short for any arrival is an InputError', () => {
    expect(() => synth({ count: undefined, durationS: 0.1, arrival: { process: 'deterministic', rateRps: 1 } })).toThrow(
      'workload.synthetic.durationS: expected a duration long enough for one arrival, found none in 0.1 s at 1 req/s',
    );
  });
});

describe('length distributions', () => {
  const N = 100_000;

  it('uniform: integers in [min, max], both ends hit, mean (min + max) / 2', () => {
    const r = synth({ count: N, prompt: { dist: 'uniform', min: 10, max: 20 } });
    const p = r.map((x) => x.promptTokens);
    expect(p.every((v) => Number.isInteger(v) && v >= 10 && v <= 20)).toBe(true);
    expect(p.includes(10) && p.includes(20)).toBe(true);
    // Discrete uniform on 11 values: variance (11^2 - 1) / 12 = 10.
    within(mean(p), 15, Math.sqrt(10 / N));
  });

  it('lognormal: median and log-sd as specified; clamps give P(X >= max) of the tail', () => {
    const r = synth({ count: N, prompt: { dist: 'lognormal', median: 1000, sigma: 0.8, max: 4000 } });
    const p = Float64Array.from(r, (x) => x.promptTokens).sort();
    expect(p.every((v) => Number.isInteger(v) && v >= 1 && v <= 4000)).toBe(true);
    // se of the sample median: 1 / (2 f(m) sqrt n), f(m) = 1 / (m sigma sqrt(2 pi)); +-1 for rounding.
    const seMedian = (1000 * 0.8 * Math.sqrt(2 * Math.PI)) / (2 * Math.sqrt(N));
    expect(Math.abs(p[N / 2]! - 1000)).toBeLessThan(4.5 * seMedian + 1);
    // round(X) = max exactly when X >= max - 0.5.
    const tail = 1 - normalCdf(Math.log(3999.5 / 1000) / 0.8);
    within(p.filter((v) => v === 4000).length / N, tail, Math.sqrt((tail * (1 - tail)) / N));
    // Below the clamp the log-length is N(log 1000, 0.8^2): check the sd on the middle 80%, where
    // a truncated normal's sd is known: for |Z| < 1.2816, sd = sqrt(1 - 2 * 1.2816 phi(1.2816) / 0.8).
    const mid = p.slice(N * 0.1, N * 0.9).map(Math.log);
    const z = 1.2815515655446004;
    const phi = Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    expect(Math.sqrt(variance(mid))).toBeCloseTo(0.8 * Math.sqrt(1 - (2 * z * phi) / 0.8), 2);
  });

  it('lognormal never goes below min (default 1)', () => {
    const r = synth({ count: 10_000, output: { dist: 'lognormal', median: 2, sigma: 2 } });
    expect(r.every((x) => x.outputTokens >= 1)).toBe(true);
    const clamped = synth({ count: 10_000, output: { dist: 'lognormal', median: 2, sigma: 2, min: 5 } });
    expect(Math.min(...clamped.map((x) => x.outputTokens))).toBe(5);
  });

  it('uncertainty-lognormal: log-length regresses on u with intercept a and slope b', () => {
    const a = Math.log(300);
    const b = 1.5;
    const r = synth({ count: N, uncertainty: { dist: 'beta', a: 2, b: 5 }, output: { dist: 'uncertainty-lognormal', logMeanBase: a, logMeanPerU: b, sigma: 0.4 } });
    const u = r.map((x) => x.uncertainty!);
    const y = r.map((x) => Math.log(x.outputTokens));
    within(mean(u), 2 / 7, Math.sqrt(10 / 392 / N));
    const mu = mean(u);
    const my = mean(y);
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < N; i++) {
      sxy += (u[i]! - mu) * (y[i]! - my);
      sxx += (u[i]! - mu) ** 2;
    }
    const slope = sxy / sxx;
    // OLS slope se = sigma / (sd(u) sqrt n); rounding to integers adds ~1/(12 * 300^2) variance: negligible.
    within(slope, b, 0.4 / Math.sqrt(sxx));
    within(my - slope * mu, a, 0.4 * Math.sqrt(1 / N + (mu * mu) / sxx));
  });

  it('empirical: samples the column of a trace file with replacement, equal frequencies', () => {
    writeFileSync(join(dir, 'lengths.csv'), 'arrival_s,prompt_tokens,output_tokens\n0,7,10\n1,7,20\n2,7,30\n3,7,40\n');
    const spec = validate(workloadSchema, {
      synthetic: { ...BASE, count: 40_000, prompt: { dist: 'empirical', path: 'lengths.csv', column: 'output' }, output: { dist: 'empirical', path: 'lengths.csv' } },
    });
    const r = buildWorkload(spec, { baseDir: dir, seed: 3 });
    for (const key of ['promptTokens', 'outputTokens'] as const) {
      const counts = new Map<number, number>();
      for (const x of r) counts.set(x[key], (counts.get(x[key]) ?? 0) + 1);
      expect([...counts.keys()].sort((p, q) => p - q)).toEqual([10, 20, 30, 40]);
      // Chi-square with 3 dof, 99.9th percentile 16.27.
      const chi2 = [...counts.values()].reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
      expect(chi2).toBeLessThan(16.27);
    }
  });
});

describe('determinism and named streams', () => {
  const spec: Partial<SyntheticInput> = {
    count: 5000,
    prompt: { dist: 'lognormal', median: 500, sigma: 1 },
    output: { dist: 'uncertainty-lognormal', logMeanBase: 4, logMeanPerU: 2, sigma: 0.5 },
    uncertainty: { dist: 'beta', a: 2, b: 2 },
  };

  it('the same seed gives identical requests; another seed different ones', () => {
    expect(synth(spec, 11)).toEqual(synth(spec, 11));
    const other = synth(spec, 12);
    expect(other.map((x) => x.arrivalS)).not.toEqual(synth(spec, 11).map((x) => x.arrivalS));
    expect(other.map((x) => x.promptTokens)).not.toEqual(synth(spec, 11).map((x) => x.promptTokens));
  });

  it('changing the output spec leaves arrivals, prompts and uncertainty unchanged', () => {
    const a = synth(spec, 5);
    const b = synth({ ...spec, output: { dist: 'uniform', min: 1, max: 50 } }, 5);
    expect(b.map((x) => x.arrivalS)).toEqual(a.map((x) => x.arrivalS));
    expect(b.map((x) => x.promptTokens)).toEqual(a.map((x) => x.promptTokens));
    expect(b.map((x) => x.uncertainty)).toEqual(a.map((x) => x.uncertainty));
    expect(b.map((x) => x.outputTokens)).not.toEqual(a.map((x) => x.outputTokens));
  });

  it('changing the arrival process leaves every length unchanged, and vice versa', () => {
    const a = synth(spec, 5);
    const b = synth({ ...spec, arrival: { process: 'gamma', rateRps: 9, cv: 3 } }, 5);
    expect(b.map((x) => [x.promptTokens, x.outputTokens])).toEqual(a.map((x) => [x.promptTokens, x.outputTokens]));
    const c = synth({ ...spec, prompt: { dist: 'fixed', tokens: 3 } }, 5);
    expect(c.map((x) => x.arrivalS)).toEqual(a.map((x) => x.arrivalS));
    expect(c.map((x) => x.outputTokens)).toEqual(a.map((x) => x.outputTokens));
  });

  it('ids are 0..n-1 and model names apply to every request', () => {
    const r = synth({ count: 20, model: 'llama-2-7b' });
    expect(r.map((x) => x.id)).toEqual([...Array(20).keys()]);
    expect(r.every((x) => x.model === 'llama-2-7b')).toBe(true);
  });
});

describe('in-memory generation against the streamed generator', () => {
  // generateSynthetic and generateArrivals are loops of their own (no closure per step); the streamed
  // versions pull the same draws one at a time. Every field of every request must be the same.
  const specs: Partial<SyntheticInput>[] = [
    { count: 3000, prompt: { dist: 'lognormal', median: 200, sigma: 0.7, max: 2048 }, output: { dist: 'lognormal', median: 100, sigma: 0.7, max: 1024 } },
    { count: 2000, durationS: 700, arrival: { process: 'gamma', rateRps: 3, cv: 2 }, uncertainty: { dist: 'beta', a: 2, b: 5 }, output: { dist: 'uncertainty-lognormal', logMeanBase: 4, logMeanPerU: 1.5, sigma: 0.5 }, model: 'm' },
    { count: undefined, durationS: 300, arrival: { process: 'poisson', rateRps: 7 }, prompt: { dist: 'uniform', min: 1, max: 900 } },
    { count: undefined, durationS: 50, arrival: { process: 'deterministic', rateRps: 4 } },
    { count: 500, arrival: { process: 'gamma', rateRps: 2, cv: 0.5 }, prompt: { dist: 'shared-prefix', groups: 3, usersPerGroup: 4, systemTokens: 50, questionTokens: 9, order: 'random' } },
  ];
  it.each(specs.map((s, i) => [i, s] as const))('spec %i: the same requests, field for field', (_, s) => {
    const spec = validate(workloadSchema, { synthetic: { ...BASE, ...s } }).synthetic!;
    const load = () => {
      throw new Error('no empirical lengths here');
    };
    const streamed = [];
    const next = streamSynthetic(spec, 9, load);
    for (let d = next(); d !== undefined; d = next()) streamed.push(d);
    expect(streamed.length).toBeGreaterThan(10);
    expect(generateSynthetic(spec, 9, load)).toEqual(streamed);
    const times = [];
    const arrivals = streamArrivals(spec.arrival, () => createStream(9, 'arrivals'), spec.count, spec.durationS);
    for (let t = arrivals(); t !== undefined; t = arrivals()) times.push(t);
    expect([...generateArrivals(spec.arrival, () => createStream(9, 'arrivals'), spec.count, spec.durationS)]).toEqual(times);
  });
});
