import { z } from 'zod';
import { definePolicy } from './policy.js';
import { groupFilter, groupsParam, leastLoaded } from './routing.js';

/** Baseline: join-the-shortest-queue routing (fewest queued + running requests), FCFS queues. */
export const leastLoadedPolicy = definePolicy({
  name: 'least-loaded',
  description: 'Join-the-shortest-queue routing (fewest queued + running; ties to the lower index); FCFS queues',
  params: z.strictObject({ groups: groupsParam }),
  create(params, env) {
    const filter = groupFilter(params.groups, env.cluster);
    return { route: (_request, eligible, cluster) => leastLoaded(filter(eligible), cluster) };
  },
});
