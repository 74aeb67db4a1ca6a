import { MAX_TOKENS } from '../limits.js';
import type { RandomStream } from '../util/rng.js';
import type { LengthSpec } from './dist-schema.js';

/** Draws one length in tokens (an integer >= 1); `u` is the request's uncertainty score, if any. */
export type LengthSampler = (u: number) => number;

/** Loads the values of an empirical distribution (the trace file's prompt or output column). */
export type EmpiricalLoader = (path: string, format: Extract<LengthSpec, { dist: 'empirical' }>['format'], column: 'prompt' | 'output') => Int32Array;

/**
 * Builds a sampler for a length spec. Continuous draws are rounded to the nearest integer and
 * clamped to [min, max] (min >= 1, so every length is a valid token count); `column` is what the
 * sampler generates, the default column for empirical draws.
 */
export function makeLengthSampler(spec: LengthSpec, rng: RandomStream, column: 'prompt' | 'output', load: EmpiricalLoader): LengthSampler {
  switch (spec.dist) {
    case 'fixed': {
      const n = spec.tokens;
      return () => n;
    }
    case 'uniform': {
      const { min, max } = spec;
      return () => rng.int(min, max);
    }
    case 'lognormal': {
      const mu = Math.log(spec.median);
      const { sigma, min } = spec;
      const max = spec.max ?? MAX_TOKENS;
      return () => clampRound(rng.lognormal(mu, sigma), min, max);
    }
    case 'uncertainty-lognormal': {
      const { logMeanBase, logMeanPerU, sigma, min } = spec;
      const max = spec.max ?? MAX_TOKENS;
      return (u) => clampRound(rng.lognormal(logMeanBase + logMeanPerU * u, sigma), min, max);
    }
    case 'empirical': {
      const values = load(spec.path, spec.format, spec.column ?? column);
      const last = values.length - 1;
      return () => values[rng.int(0, last)]!;
    }
  }
}

function clampRound(x: number, min: number, max: number): number {
  const r = Math.round(x);
  // NaN cannot occur (finite inputs); Infinity from exp overflow lands on max.
  return r < min ? min : r > max ? max : r;
}
