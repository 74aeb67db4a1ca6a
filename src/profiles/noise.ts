/**
 * Residual noise: multiplicative factors (measured/fitted) sampled from a seeded stream, so the
 * same seed always gives the same noisy run. A factor has mean 1, so noise adds spread, not bias.
 */
import type { RandomStream } from '../util/rng.js';
import type { Noise } from './schema.js';

/** Draws noise factors for one fitted quantity. */
export interface NoiseSampler {
  /** Standard deviation of one factor. */
  readonly relStd: number;
  /** One factor, mean 1. */
  factor(): number;
  /**
   * The factor of a sum of `k` independently noisy terms, total = sum w_i f_i, as a multiple of
   * sum w_i. Mean 1, variance relStd^2 * sum w_i^2 / (sum w_i)^2: the exact mean and variance of
   * the sum. For k <= EXACT_TERMS the k factors are drawn (exact distribution); beyond, one
   * log-normal factor with that mean and variance (the sum is then close to normal, CLT).
   * `weight(i)` gives w_i, i in [0, k).
   */
  sumFactor(k: number, weight: (i: number) => number): number;
}

/** Runs up to this many terms are drawn term by term; longer ones take one moment-matched draw. */
export const EXACT_TERMS = 16;

/** A sampler for a profile's `noise` entry: residual resampling if the fit stored them, else log-normal. */
export function createNoiseSampler(noise: Noise, stream: RandomStream): NoiseSampler {
  const factors = noise.residuals ? normalizedFactors(noise.residuals) : undefined;
  const relStd = factors ? std(factors) : noise.relStd;
  const one = factors
    ? () => factors[stream.int(0, factors.length - 1)]!
    : lognormalFactor(relStd, stream);
  return {
    relStd,
    factor: one,
    sumFactor(k, weight) {
      if (k <= 0) return 1;
      if (k === 1) return one();
      if (k <= EXACT_TERMS) {
        let sum = 0, wsum = 0;
        for (let i = 0; i < k; i++) {
          const w = weight(i);
          sum += w * one();
          wsum += w;
        }
        return wsum > 0 ? sum / wsum : 1;
      }
      // Var of the weighted mean = relStd^2 * sum w^2 / (sum w)^2; w is linear in i for the
      // iteration form, so sum w^2 and sum w follow from the first and last term in O(1).
      const w0 = weight(0), w1 = weight(k - 1);
      const ratio = linearSquareRatio(w0, w1, k);
      return lognormalDraw(relStd * Math.sqrt(ratio), stream);
    },
  };
}

/**
 * sum w_i^2 / (sum w_i)^2 for w_i linear from w0 (i = 0) to w1 (i = k-1): with d = (w1-w0)/(k-1),
 * sum w = k*w0 + d*k(k-1)/2 and sum w^2 = k*w0^2 + 2*w0*d*k(k-1)/2 + d^2*(k-1)k(2k-1)/6.
 */
export function linearSquareRatio(w0: number, w1: number, k: number): number {
  const d = k > 1 ? (w1 - w0) / (k - 1) : 0;
  const s1 = k * w0 + (d * k * (k - 1)) / 2;
  const s2 = k * w0 * w0 + w0 * d * k * (k - 1) + (d * d * (k - 1) * k * (2 * k - 1)) / 6;
  return s1 > 0 ? s2 / (s1 * s1) : 1 / k;
}

/** Factors 1 + r rescaled to mean exactly 1 (a fit weighted by 1/y leaves a small bias). */
function normalizedFactors(residuals: readonly number[]): number[] {
  const f = residuals.map((r) => 1 + r);
  const mean = f.reduce((a, b) => a + b, 0) / f.length;
  return f.map((x) => x / mean);
}

function std(xs: readonly number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
}

function lognormalFactor(relStd: number, stream: RandomStream): () => number {
  return () => lognormalDraw(relStd, stream);
}

/** Log-normal with mean 1 and standard deviation `sd`: sigma^2 = ln(1 + sd^2), mu = -sigma^2/2. */
function lognormalDraw(sd: number, stream: RandomStream): number {
  if (sd === 0) return 1;
  const s2 = Math.log1p(sd * sd);
  return stream.lognormal(-s2 / 2, Math.sqrt(s2));
}
