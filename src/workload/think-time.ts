import { z } from 'zod';
import { MAX_TIME_S } from '../limits.js';
import type { RandomStream } from '../util/rng.js';

/** A distribution of think times: seconds a user takes between an answer and the next message. */
export const thinkTimeSchema = z.discriminatedUnion('dist', [
  z.strictObject({
    dist: z.literal('fixed').describe('The same think time every turn'),
    valueS: z.number().min(0).max(MAX_TIME_S).describe('Think time, seconds'),
  }),
  z.strictObject({
    dist: z.literal('exponential').describe('Exponential think times (memoryless users)'),
    meanS: z.number().positive().max(MAX_TIME_S).describe('Mean think time, seconds'),
  }),
  z.strictObject({
    dist: z.literal('lognormal').describe('medianS * exp(sigma * Z)'),
    medianS: z.number().positive().max(MAX_TIME_S).describe('Median think time, seconds'),
    sigma: z.number().min(0).max(20).describe('Standard deviation of the log think time'),
  }),
]);
/** A validated think-time distribution. */
export type ThinkTimeSpec = z.output<typeof thinkTimeSchema>;

/** Draws think times in seconds (>= 0 and finite) from `rng`. */
export function makeThinkSampler(spec: ThinkTimeSpec, rng: RandomStream): () => number {
  switch (spec.dist) {
    case 'fixed': {
      const s = spec.valueS;
      return () => s;
    }
    case 'exponential': {
      const rate = 1 / spec.meanS;
      return () => finite(rng.exponential(rate));
    }
    case 'lognormal': {
      const mu = Math.log(spec.medianS);
      const { sigma } = spec;
      return () => finite(rng.lognormal(mu, sigma));
    }
  }
}

// A huge draw (or one overflowing to Infinity, which the simulation refuses) is clamped to simulated time.
const finite = (s: number) => (s < MAX_TIME_S ? s : MAX_TIME_S);
