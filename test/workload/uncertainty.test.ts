import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createStream } from '../../src/util/rng.js';
import { validate } from '../../src/util/validate.js';
import type { DraftRequest } from '../../src/workload/draft.js';
import { buildWorkload, loadTrace, workloadSchema } from '../../src/workload/index.js';
import { normalQuantile } from '../../src/workload/normal.js';
import { deriveUncertainty, outputNormalScores } from '../../src/workload/uncertainty.js';
import { pearson, spearman } from './stats.js';

const TRACES = fileURLToPath(new URL('../../traces/', import.meta.url));

/** n requests whose output lengths are a shuffled 1..n (no ties). */
function untied(n: number): DraftRequest[] {
  const rng = createStream(99, 'shuffle');
  const lengths = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [lengths[i], lengths[j]] = [lengths[j]!, lengths[i]!];
  }
  return lengths.map((o, i) => ({ id: i, arrivalS: i, promptTokens: 1, outputTokens: o }));
}

describe('outputNormalScores', () => {
  it('uses average ranks for ties: lengths [5, 10, 5] have ranks 1.5, 3, 1.5', () => {
    const z = outputNormalScores([5, 10, 5].map((o, i) => ({ id: i, arrivalS: 0, promptTokens: 1, outputTokens: o })));
    // Phi^-1((1.5 - 0.5) / 3) = Phi^-1(1/3) = -0.430727..., Phi^-1(2.5 / 3) = +0.967421...
    expect(z[0]).toBeCloseTo(-0.43072729929545756, 12);
    expect(z[2]).toBe(z[0]);
    expect(z[1]).toBeCloseTo(0.9674215661017008, 12);
  });
});

describe('deriveUncertainty (Gaussian copula)', () => {
  const n = 40_000;
  // Under a bivariate normal, the se of Pearson's r is ~(1 - rho^2)/sqrt(n) and of Spearman's
  // below 1/sqrt(n - 1) = 0.005; 0.02 is four of those.
  it.each([0, 0.3, 0.5, 0.8, 0.95, -0.6])('rho = %d: Pearson of normal scores ~ rho, Spearman ~ (6/pi) asin(rho/2)', (rho) => {
    const drafts = untied(n);
    deriveUncertainty(drafts, rho, createStream(1, 'uncertainty-signal'));
    const u = drafts.map((d) => d.uncertainty!);
    const len = drafts.map((d) => d.outputTokens);
    expect(u.every((x) => x >= 0 && x <= 1)).toBe(true);
    const zLen = len.map((o) => normalQuantile((o - 0.5) / n));
    expect(Math.abs(pearson(u.map(normalQuantile), zLen) - rho)).toBeLessThan(0.02);
    expect(Math.abs(spearman(u, len) - (6 / Math.PI) * Math.asin(rho / 2))).toBeLessThan(0.02);
  });

  it('rho = 1 is a perfect oracle: u is monotone in output length, equal for equal lengths', () => {
    const drafts = loadTrace(TRACES + 'azure-llm-2023-conv.csv').map((r) => ({ ...r }));
    deriveUncertainty(drafts, 1, createStream(1, 'uncertainty-signal'));
    const sorted = [...drafts].sort((a, b) => a.outputTokens - b.outputTokens);
    const bad = sorted.findIndex((d, i) => i > 0 && (d.uncertainty! < sorted[i - 1]!.uncertainty! || (d.outputTokens === sorted[i - 1]!.outputTokens && d.uncertainty !== sorted[i - 1]!.uncertainty)));
    expect(bad).toBe(-1);
    expect(spearman(drafts.map((d) => d.uncertainty!), drafts.map((d) => d.outputTokens))).toBeCloseTo(1, 12);
  });

  it('the noise does not depend on rho, so sweeps over rho share it (common random numbers)', () => {
    const a = untied(100);
    const b = untied(100);
    deriveUncertainty(a, 0, createStream(4, 'uncertainty-signal'));
    deriveUncertainty(b, 0.5, createStream(4, 'uncertainty-signal'));
    // With rho = 0, Phi^-1(u) is eps itself; at rho = 0.5 it is 0.5 z + sqrt(0.75) eps.
    const z = outputNormalScores(a);
    a.forEach((d, i) => expect(normalQuantile(b[i]!.uncertainty!)).toBeCloseTo(0.5 * z[i]! + Math.sqrt(0.75) * normalQuantile(d.uncertainty!), 9));
  });
});

describe('uncertainty in buildWorkload', () => {
  const trace = { path: 'example-native.csv' };

  it('a trace that carries uncertainty keeps it unless rho is given', () => {
    const kept = buildWorkload(validate(workloadSchema, { trace }), { baseDir: TRACES, seed: 1 });
    expect(kept.map((r) => r.uncertainty)).toEqual([0.2, 0.45, 0.05, 0.1, 0.9, undefined, 0.15, 0.7, 0.35, 0.95, 0.25, 0.55]);
    const derived = buildWorkload(validate(workloadSchema, { trace, uncertainty: { rho: 1 } }), { baseDir: TRACES, seed: 1 });
    // rho = 1: u = Phi(z) = (rank - 0.5) / n. The longest output (900, row 10) has rank 12 of 12.
    expect(derived[9]!.uncertainty).toBeCloseTo(11.5 / 12, 12);
    expect(derived[2]!.uncertainty).toBeCloseTo(0.5 / 12, 12);
  });

  it('synthetic beta scores are replaced when rho is given; arrivals and lengths stay', () => {
    const synthetic = { count: 2000, arrival: { process: 'poisson', rateRps: 2 }, prompt: { dist: 'fixed', tokens: 5 }, output: { dist: 'uncertainty-lognormal', logMeanBase: 3, logMeanPerU: 2, sigma: 0.3 }, uncertainty: { dist: 'beta', a: 2, b: 5 } };
    const a = buildWorkload(validate(workloadSchema, { synthetic }), { baseDir: '/', seed: 8 });
    const b = buildWorkload(validate(workloadSchema, { synthetic, uncertainty: { rho: 0.2 } }), { baseDir: '/', seed: 8 });
    expect(b.map((r) => [r.arrivalS, r.outputTokens])).toEqual(a.map((r) => [r.arrivalS, r.outputTokens]));
    expect(b.map((r) => r.uncertainty)).not.toEqual(a.map((r) => r.uncertainty));
  });
});
