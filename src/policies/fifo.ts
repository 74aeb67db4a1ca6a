import { z } from 'zod';
import { definePolicy } from './policy.js';
import { leastLoaded, roundRobin } from './routing.js';

/** First come, first served on every replica; routing round-robin or least-loaded. */
export const fifoPolicy = definePolicy({
  name: 'fifo',
  description: 'FCFS on every replica; routes round-robin or to the least-loaded replica',
  params: z.strictObject({
    routing: z.enum(['round-robin', 'least-loaded']).default('round-robin').describe('How arriving requests pick a replica'),
  }),
  create(params) {
    const next = roundRobin();
    return {
      route: params.routing === 'round-robin' ? (_r, eligible) => next(eligible) : (_r, eligible, cluster) => leastLoaded(eligible, cluster),
    };
  },
});
