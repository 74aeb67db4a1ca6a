import type { RandomStream } from '../util/rng.js';
import type { ArrivalSpec } from './dist-schema.js';

/**
 * A sampler of inter-arrival gaps (seconds) with mean 1/rateRps: exponential (Poisson process),
 * Gamma with shape 1/cv^2 (so the gaps' coefficient of variation is cv), or constant.
 */
export function makeGapSampler(spec: ArrivalSpec, rng: RandomStream): () => number {
  const rate = spec.rateRps;
  switch (spec.process) {
    case 'poisson':
      return () => rng.exponential(rate);
    case 'gamma': {
      const shape = 1 / (spec.cv * spec.cv);
      const scale = 1 / (rate * shape);
      return () => rng.gamma(shape, scale);
    }
    case 'deterministic': {
      const gap = 1 / rate;
      return () => gap;
    }
  }
}

/**
 * Arrival times of a renewal process started at 0: the partial sums of the gaps, so the first
 * arrival is one gap after 0 (for Poisson, exactly the process whose count in [0, T) is
 * Poisson(rate * T)). Either `count` arrivals, or all arrivals before `durationS`, or both:
 * `count` arrivals whose count + 1 gaps are rescaled to sum to `durationS` (for Poisson, exactly
 * the process conditioned on `count` arrivals in [0, durationS): sorted uniform times; how
 * inference-perf spreads a stage's requests over the stage).
 */
export function generateArrivals(spec: ArrivalSpec, rng: RandomStream, count: number | undefined, durationS: number | undefined): Float64Array {
  const gap = makeGapSampler(spec, rng);
  let t = 0;
  if (count !== undefined && durationS !== undefined) {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = t += gap();
    const scale = durationS / (t + gap());
    for (let i = 0; i < count; i++) out[i]! *= scale;
    return out;
  }
  if (count !== undefined) {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = t += gap();
    return out;
  }
  if (durationS === undefined) throw new Error('generateArrivals needs count or durationS');
  // Size for the expected count plus slack; grow by doubling if the process runs hot.
  let out = new Float64Array(Math.ceil(durationS * spec.rateRps * 1.1) + 16);
  let n = 0;
  for (;;) {
    t += gap();
    if (t >= durationS) break;
    if (n === out.length) {
      const bigger = new Float64Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[n++] = t;
  }
  return out.subarray(0, n);
}
