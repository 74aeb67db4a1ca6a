// Alea alone (seedrandom.alea): the package's index also loads five other generators and node:crypto.
import alea from 'seedrandom/lib/alea.js';

/**
 * A seeded stream of random numbers with fast samplers. Every sampler is allocation-free; the
 * only state is the generator's and one cached normal deviate.
 */
export interface RandomStream {
  /** Uniform in [0, 1), 32-bit resolution. */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** Normal with mean and standard deviation (Marsaglia polar method). */
  normal(mean?: number, sd?: number): number;
  /** Log-normal: exp(N(mu, sigma^2)); the median is exp(mu). */
  lognormal(mu: number, sigma: number): number;
  /** Gamma with shape k > 0 and scale theta (mean k*theta), Marsaglia-Tsang. */
  gamma(shape: number, scale?: number): number;
  /** Beta(a, b) in [0, 1], as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number;
}

/**
 * Derives the independent stream `name` from a scenario seed. The generator is seedrandom's Alea,
 * pinned by name (not seedrandom's default) so a library upgrade cannot change results; it is
 * seeded with `${seed}:${name}`, so each named stream (arrivals, prompt, output, ...) is fixed by
 * the seed alone and changing how one stream is consumed never reshuffles another
 * (common random numbers across policies and scenario variants).
 */
export function createStream(seed: number | string, name: string): RandomStream {
  const prng = alea(`${String(seed)}:${name}`);
  // The polar method makes deviates in pairs; the second is kept for the next call.
  let spare = 0;
  let hasSpare = false;

  function standardNormal(): number {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * prng() - 1;
      v = 2 * prng() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    hasSpare = true;
    return u * f;
  }

  function gamma(shape: number, scale = 1): number {
    if (!(shape > 0) || !(scale > 0)) throw new Error(`gamma needs shape > 0 and scale > 0, got ${shape}, ${scale}`);
    // Shape < 1: Gamma(k) = Gamma(k + 1) * U^(1/k) (Marsaglia-Tsang, section 6).
    const boost = shape < 1 ? Math.pow(1 - prng(), 1 / shape) : 1;
    const d = (shape < 1 ? shape + 1 : shape) - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = standardNormal();
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = prng();
      const x2 = x * x;
      // Cheap squeeze first; the log test only runs for ~2% of draws.
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * boost * scale;
    }
  }

  return {
    next: () => prng(),
    uniform: (lo, hi) => lo + (hi - lo) * prng(),
    int: (lo, hi) => lo + Math.floor(prng() * (hi - lo + 1)),
    // 1 - U lies in (0, 1], so the log is finite.
    exponential: (rate) => -Math.log(1 - prng()) / rate,
    normal: (mean = 0, sd = 1) => mean + sd * standardNormal(),
    lognormal: (mu, sigma) => Math.exp(mu + sigma * standardNormal()),
    gamma,
    beta(a, b) {
      const x = gamma(a);
      const y = gamma(b);
      // Both can underflow to 0 for tiny shapes; the mass then sits at the ends in ratio a : b.
      return x + y > 0 ? x / (x + y) : prng() * (a + b) < a ? 1 : 0;
    },
  };
}
