import { z } from 'zod';
import { definePolicy } from './policy.js';
import { groupFilter, groupsParam, leastLoaded, roundRobin } from './routing.js';

/** First come, first served on every replica; routing round-robin or least-loaded. */
export const fifoPolicy = definePolicy({
  name: 'fifo',
  description: 'FCFS on every replica; routes round-robin or to the least-loaded replica',
  params: z.strictObject({
    routing: z.enum(['round-robin', 'least-loaded']).default('round-robin').describe('How arriving requests pick a replica'),
    groups: groupsParam,
  }),
  create(params, env) {
    const next = roundRobin();
    const filter = groupFilter(params.groups, env.cluster);
    return {
      route: params.routing === 'round-robin' ? (_r, eligible) => next(filter(eligible)) : (_r, eligible, cluster) => leastLoaded(filter(eligible), cluster),
    };
  },
});
