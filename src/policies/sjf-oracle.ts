import { z } from 'zod';
import { estimatorOf } from './backlog.js';
import { definePolicy } from './policy.js';
import { groupFilter, groupsParam, leastLoaded, roundRobin } from './routing.js';

const NAME = 'sjf-oracle';

/**
 * Shortest job first with the TRUE output length: each replica serves the waiting request with the
 * smallest true service time first (or fewest true output tokens). It reads what no deployable
 * scheduler can, so it is the bound that shows how much a length predictor leaves on the table.
 * Non-preemptive and without aging: long requests can starve under sustained overload.
 */
export const sjfOraclePolicy = definePolicy({
  name: NAME,
  needsWorkload: true, // reads env.workload by request id
  description: 'Shortest job first with the true output length (a bound, not deployable); least-loaded or round-robin routing',
  oracle: true,
  params: z.strictObject({
    key: z.enum(['service-time', 'output-tokens']).default('service-time').describe("service-time: the replica's profile estimate with the true output length; output-tokens: the true output length"),
    routing: z.enum(['least-loaded', 'round-robin']).default('least-loaded').describe('How arriving requests pick a replica'),
    groups: groupsParam,
  }),
  create(params, env) {
    const keys = new Float64Array(env.workload.length);
    const filter = groupFilter(params.groups, env.cluster);
    const next = roundRobin();
    return {
      route(r, eligible, cluster) {
        const candidates = filter(eligible);
        const chosen = params.routing === 'round-robin' ? next(candidates) : leastLoaded(candidates, cluster);
        const truth = env.workload[r.id]!.outputTokens; // offline knowledge: this is the oracle
        keys[r.id] = params.key === 'output-tokens' ? truth : estimatorOf(cluster.devices[chosen]!, NAME).serviceS(r.promptTokens, truth);
        return chosen;
      },
      priority: (r) => keys[r.id]!,
    };
  },
});
