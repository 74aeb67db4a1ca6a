import type { RandomStream } from '../util/rng.js';
import type { ArrivalSpec } from './dist-schema.js';
import { doubleArray } from '../util/double-array.js';

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
 * inference-perf spreads a stage's requests over the stage). `open` gives the `arrivals` stream
 * from its start (called twice for count and duration: once for the sum, once for the times).
 */
export function generateArrivals(spec: ArrivalSpec, open: () => RandomStream, count: number | undefined, durationS: number | undefined): number[] {
  if (count === undefined && durationS === undefined) throw new Error('generateArrivals needs count or durationS');
  // streamArrivals' arithmetic as one loop: the running time stays a local (a closure's would be
  // boxed at every step, a heap object per arrival). test/workload/synthetic.test.ts keeps the two
  // equal. In the heap, not a Float64Array: see doubleArray.
  let gap = makeGapSampler(spec, open());
  if (count !== undefined) {
    const out = doubleArray(count);
    let scale = 1;
    if (durationS !== undefined) {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += gap();
      scale = durationS / (sum + gap());
      gap = makeGapSampler(spec, open());
    }
    let t = 0;
    for (let i = 0; i < count; i++) {
      t += gap();
      out[i] = durationS !== undefined ? t * scale : t;
    }
    return out;
  }
  const end = durationS!;
  const out: number[] = [];
  for (let t = gap(); t < end; t += gap()) out.push(t);
  return out;
}

/** `generateArrivals` one time at a time (undefined after the last), in constant memory: what streamed runs pull. */
export function streamArrivals(spec: ArrivalSpec, open: () => RandomStream, count: number | undefined, durationS: number | undefined): () => number | undefined {
  if (count === undefined && durationS === undefined) throw new Error('generateArrivals needs count or durationS');
  let gap = makeGapSampler(spec, open());
  let scale = 1;
  if (count !== undefined && durationS !== undefined) {
    // The sum of count + 1 gaps first; then the same gaps again from the stream's start.
    let t = 0;
    for (let i = 0; i < count; i++) t += gap();
    scale = durationS / (t + gap());
    gap = makeGapSampler(spec, open());
  }
  let t = 0;
  let i = 0;
  return () => {
    if (count !== undefined) {
      if (i >= count) return undefined;
      i++;
      t += gap();
      return durationS !== undefined ? t * scale : t;
    }
    if (t >= durationS!) return undefined;
    t += gap();
    return t < durationS! ? t : undefined;
  };
}
