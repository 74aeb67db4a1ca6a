import { z } from 'zod';
import { definePolicy } from './policy.js';
import { groupFilter, groupsParam, leastLoaded } from './routing.js';

/**
 * Energy- or carbon-aware routing (docs/fleet.md): among eligible replicas with room (queued +
 * running below `maxLoad` x capacity), the one whose profile estimates the least energy for the
 * request (served alone, with `assumedOutputTokens` output tokens: no true length is read), or,
 * with `objective: carbon`, the least energy x its group's grid carbon intensity now
 * (`fleet.carbon`). Ties, and replicas without an estimate, go by least load, then lower index;
 * when no replica has room, least-loaded over all. FCFS queues.
 */
export const carbonAwarePolicy = definePolicy({
  name: 'carbon-aware',
  description: "Route to the replica with room whose profile estimates the least energy (objective: energy) or energy x its group's grid carbon intensity now (objective: carbon); else least-loaded",
  params: z.strictObject({
    objective: z.enum(['energy', 'carbon']).default('carbon').describe('What to minimize: estimated J, or estimated J x gCO2/kWh of the replica group now'),
    maxLoad: z.number().positive().max(1e3).default(1).describe('A replica has room while queued + running < maxLoad x capacity'),
    assumedOutputTokens: z.number().int().min(1).max(1e7).default(200).describe('Output length the estimate assumes (the true one is not known at routing)'),
    groups: groupsParam,
  }),
  create(params, env) {
    const filter = groupFilter(params.groups, env.cluster);
    return {
      route(request, eligible, cluster) {
        const pool = filter(eligible);
        let best = -1, bestScore = Infinity, bestLoad = Infinity;
        for (const i of pool) {
          const d = cluster.devices[i]!;
          const load = d.queued() + d.running();
          if (!(load < params.maxLoad * d.capacity)) continue;
          const joules = d.estimate?.energyJ(request.promptTokens, params.assumedOutputTokens) ?? NaN;
          const intensity = params.objective === 'carbon' ? (cluster.gco2PerKwh?.(i) ?? NaN) : 1;
          let score = joules * intensity;
          if (Number.isNaN(score)) score = Infinity; // unknown: only load decides
          if (score < bestScore || (score === bestScore && load < bestLoad)) {
            best = i;
            bestScore = score;
            bestLoad = load;
          }
        }
        return best >= 0 ? best : leastLoaded(pool, cluster);
      },
    };
  },
});
