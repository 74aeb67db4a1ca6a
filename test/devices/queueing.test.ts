import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { simulate } from '../../src/simulation/simulate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import type { Request } from '../../src/workload/request.js';
import { slotsGroup, tokenTimeCost } from '../support/models.js';

// Service time is carried as outputTokens micro-seconds (cost = tokens * 1e-6 s), so any service
// distribution can be fed through the real slots device; rounding to 1 us is negligible here.
const US = 1e-6;
const T_0995_29 = 2.756; // Student t quantile, 0.995, 29 degrees of freedom (textbook table)

function poissonWorkload(n: number, lambda: number, service: (u: () => number) => number, seed: string): Request[] {
  const rng = seedrandom.alea(seed);
  const requests: Request[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += -Math.log(1 - rng()) / lambda;
    requests.push({ id: i, arrivalS: t, promptTokens: 1, outputTokens: Math.max(1, Math.round(service(rng) / US)) });
  }
  return requests;
}

/** Mean wait in queue with a 99% batch-means confidence interval (30 batches, 10% warm-up dropped). */
function meanWait(requests: Request[], slots: number): { mean: number; half: number } {
  const res = simulate({ requests, cluster: [slotsGroup(tokenTimeCost(US), slots)], policy: fifoPolicy, policyParams: {}, seed: 1 });
  const start = Math.floor(requests.length / 10);
  const batches = 30;
  const size = Math.floor((requests.length - start) / batches);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let sum = 0;
    for (let i = start + b * size; i < start + (b + 1) * size; i++) sum += res.records.startS[i]! - requests[i]!.arrivalS;
    means.push(sum / size);
  }
  const mean = means.reduce((a, b) => a + b, 0) / batches;
  const sd = Math.sqrt(means.reduce((a, m) => a + (m - mean) ** 2, 0) / (batches - 1));
  return { mean, half: (T_0995_29 * sd) / Math.sqrt(batches) };
}

/** Erlang C: probability of waiting in M/M/c with offered load a = lambda/mu. */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a));
  return top / (sum + top);
}

const exponential = (mean: number) => (u: () => number) => -mean * Math.log(1 - u());

describe('slots device against queueing theory (mean waiting time Wq)', () => {
  const N = 300_000;

  it('M/M/1, rho = 0.7: Wq = rho / (mu - lambda)', () => {
    const w = meanWait(poissonWorkload(N, 0.7, exponential(1), 'mm1'), 1);
    const theory = 0.7 / (1 - 0.7);
    expect(Math.abs(w.mean - theory)).toBeLessThanOrEqual(w.half);
    expect(w.half / theory).toBeLessThan(0.1); // the interval is tight enough to mean something
  });

  it('M/M/3, rho = 0.8: Wq = C(c, a) / (c mu - lambda) (Erlang C)', () => {
    const lambda = 2.4;
    const w = meanWait(poissonWorkload(2 * N, lambda, exponential(1), 'mmc'), 3); // rho = 0.8 mixes slower
    const theory = erlangC(3, lambda) / (3 - lambda);
    expect(theory).toBeCloseTo(1.0787, 3); // textbook value for c=3, a=2.4
    expect(Math.abs(w.mean - theory)).toBeLessThanOrEqual(w.half);
    expect(w.half / theory).toBeLessThan(0.1);
  });

  it('M/D/1, rho = 0.7: Wq = rho / (2 mu (1 - rho))', () => {
    const w = meanWait(poissonWorkload(N, 0.7, () => 1, 'md1'), 1);
    const theory = 0.7 / (2 * (1 - 0.7));
    expect(Math.abs(w.mean - theory)).toBeLessThanOrEqual(w.half);
    expect(w.half / theory).toBeLessThan(0.1);
  });

  it('M/G/1 with uniform service on [0.2, 1.8], rho = 0.7: Pollaczek-Khinchine', () => {
    const w = meanWait(poissonWorkload(N, 0.7, (u) => 0.2 + 1.6 * u(), 'mg1u'), 1);
    const es2 = 1 + 1.6 ** 2 / 12; // E[S^2] = Var + E[S]^2
    const theory = (0.7 * es2) / (2 * (1 - 0.7));
    expect(Math.abs(w.mean - theory)).toBeLessThanOrEqual(w.half);
    expect(w.half / theory).toBeLessThan(0.1);
  });

  it('M/G/1 with log-normal service (mean 1, sigma 1), rho = 0.5: Pollaczek-Khinchine', () => {
    const sigma = 1;
    const mu = -(sigma * sigma) / 2; // E[S] = exp(mu + sigma^2/2) = 1
    const lognormal = (u: () => number) => Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
    const w = meanWait(poissonWorkload(N, 0.5, lognormal, 'mg1ln'), 1);
    const es2 = Math.exp(2 * mu + 2 * sigma * sigma);
    const theory = (0.5 * es2) / (2 * (1 - 0.5));
    expect(Math.abs(w.mean - theory)).toBeLessThanOrEqual(w.half);
    expect(w.half / theory).toBeLessThan(0.15);
  });
});
