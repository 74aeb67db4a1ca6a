import { z } from 'zod';
import { definePolicy } from './policy.js';
import { groupFilter, groupsParam, leastLoaded, levelParam, modelSplitter, roundRobin } from './routing.js';

/** Baseline: cyclic routing, FCFS queues (the Wilkins et al. "round-robin" baseline at level model). */
export const roundRobinPolicy = definePolicy({
  name: 'round-robin',
  description: 'Cyclic routing (over replicas, or over models then the least-loaded replica of each); FCFS queues',
  params: z.strictObject({ level: levelParam, groups: groupsParam }),
  create(params, env) {
    const filter = groupFilter(params.groups, env.cluster);
    const split = modelSplitter(env.cluster);
    const next = roundRobin();
    const nextModel = new Map<readonly (readonly number[])[], number>();
    return {
      route(_request, eligible, cluster) {
        const candidates = filter(eligible);
        if (params.level === 'replica') return next(candidates);
        const models = split(candidates);
        const c = nextModel.get(models) ?? 0;
        nextModel.set(models, (c + 1) % models.length);
        return leastLoaded(models[c]!, cluster);
      },
    };
  },
});
