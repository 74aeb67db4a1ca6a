import { z } from 'zod';
import { createStream } from '../util/rng.js';
import { definePolicy } from './policy.js';
import { groupFilter, groupsParam, leastLoaded, levelParam, modelSplitter, randomPick } from './routing.js';

/** Baseline: uniformly random routing, FCFS queues (the Wilkins et al. "random" baseline at level model). */
export const randomPolicy = definePolicy({
  name: 'random',
  description: 'Uniformly random routing (to a replica, or to a model then its least-loaded replica); FCFS queues',
  params: z.strictObject({ level: levelParam, groups: groupsParam }),
  create(params, env) {
    // A stream of its own: random routing never disturbs the workload's streams (common random numbers).
    const rng = createStream(env.seed, 'policy/random');
    const filter = groupFilter(params.groups, env.cluster);
    const split = modelSplitter(env.cluster);
    return {
      route(_request, eligible, cluster) {
        const candidates = filter(eligible);
        if (params.level === 'replica') return randomPick(candidates, rng);
        const models = split(candidates);
        return leastLoaded(models[rng.int(0, models.length - 1)]!, cluster);
      },
    };
  },
});
