import { z } from 'zod';
import { definePolicy } from './policy.js';
import { groupFilter, groupsParam, weightedPick } from './routing.js';

const weight = (what: string, dflt: number) => z.number().min(0).max(1e6).default(dflt).describe(`Weight of the ${what} scorer (only ratios matter)`);

/**
 * The weighted-scorer router of llm-d's inference scheduler and BLIS (`--routing-policy weighted`):
 * queue depth, running batch, KV utilization and prefix hit, each scored in [0, 1] and combined by
 * weights; argmax, ties to the lower index. Default weights: BLIS's default profile
 * (precise-prefix-cache:2, queue-depth:1, kv-utilization:1, "llm-d parity"); the prefix score is
 * the hit ratio of the Gateway API Inference Extension's prefix plugin unless `prefixScore: min-max`.
 * FCFS queues.
 */
export const weightedPolicy = definePolicy({
  name: 'weighted',
  description: 'Weighted-scorer routing (llm-d, BLIS): queue depth, running batch, KV utilization, prefix hit; argmax, ties to the lower index; FCFS queues',
  params: z.strictObject({
    weights: z
      .strictObject({
        queue: weight('queue-depth (min-max of queued requests)', 1),
        running: weight('running-batch (min-max of running requests)', 0),
        kv: weight('KV-utilization (1 - used / capacity)', 1),
        prefix: weight('prefix-hit (min-max of cached prompt tokens)', 2),
      })
      .refine((w) => w.queue + w.running + w.kv + w.prefix > 0, { message: 'expected at least one weight > 0' })
      .prefault({})
      .describe('Scorer weights: queue, running, kv, prefix (default 1, 0, 1, 2: BLIS default profile)'),
    prefixScore: z
      .enum(['ratio', 'min-max'])
      .default('ratio')
      .describe("Prefix scorer: ratio = cached prompt tokens / prompt tokens (Gateway API Inference Extension prefix plugin); min-max = (hit - min) / (max - min) over the candidates, all equal: 1 (BLIS precise-prefix-cache)"),
    groups: groupsParam,
  }),
  create(params, env) {
    const filter = groupFilter(params.groups, env.cluster);
    return { route: (request, eligible, cluster) => weightedPick(request, filter(eligible), cluster, params.weights, params.prefixScore) };
  },
});
