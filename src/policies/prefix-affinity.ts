import { z } from 'zod';
import { definePolicy } from './policy.js';
import { groupFilter, groupsParam, prefixAffinity } from './routing.js';

/**
 * Cache-aware routing: a request goes to the replica that holds the longest prefix of its prompt
 * in its prefix cache, unless that replica is over a load bound; else (or when no replica holds
 * any of it) to the least-loaded replica. FCFS queues.
 */
export const prefixAffinityPolicy = definePolicy({
  name: 'prefix-affinity',
  description: 'Cache-aware routing: to the replica caching the longest prefix of the prompt (over a share of it), within a load bound; else least-loaded; FCFS queues',
  params: z.strictObject({
    eps: z
      .number()
      .min(0)
      .max(1e6)
      .default(0.25)
      .describe('Load bound: a replica qualifies while its load (queued + running) after taking the request is <= ceil((1 + eps) x mean load after it); 0 = strictly balanced'),
    minHitRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe('Follow the cache only when the best replica holds more than this fraction of the prompt, else least-loaded (SGLang / vLLM router cache_aware --cache-threshold, default 0.3); 0 = any hit'),
    maxQueued: z.number().int().min(0).max(10_000_000).optional().describe('Also skip replicas with more than this many queued requests (default: no queue bound)'),
    groups: groupsParam,
  }),
  create(params, env) {
    const filter = groupFilter(params.groups, env.cluster);
    return { route: (request, eligible, cluster) => prefixAffinity(request, filter(eligible), cluster, params.eps, params.maxQueued, params.minHitRatio) };
  },
});
