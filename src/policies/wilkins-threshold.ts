import { z } from 'zod';
import { InputError } from '../errors.js';
import { definePolicy } from './policy.js';
import { leastLoaded } from './routing.js';

/**
 * The threshold rule of Wilkins et al. for heterogeneous hardware: queries whose size feature is
 * at most `threshold` go to the `small` device group (the energy-efficient, slower one), the rest
 * to `large`; least-loaded replica within the group, FCFS. The paper reports 7.5% less energy with
 * such a rule. Features `output` and `product` read the true output length (the offline setting),
 * hence `oracle`; `input` needs nothing a scheduler lacks. A request that names a model may only go
 * to replicas serving it: the rule picks among the eligible replicas of its group, and when that
 * group serves none, among the eligible replicas of the other (any group serving the model).
 */
export const wilkinsThresholdPolicy = definePolicy({
  name: 'wilkins-threshold',
  needsWorkload: true, // reads env.workload by request id
  description: 'Wilkins et al. threshold rule: small queries (by input, output or input x output tokens) to one device group, the rest to another',
  oracle: true,
  params: z.strictObject({
    feature: z.enum(['input', 'output', 'product']).default('input').describe('Query size: input tokens, output tokens, or their product'),
    threshold: z.number().min(0).describe('Queries with feature <= threshold go to the small group'),
    small: z.string().min(1).describe('Device group for small queries (e.g. the CPU-class device)'),
    large: z.string().min(1).describe('Device group for the rest (e.g. the GPU)'),
  }),
  create(params, env) {
    let groups: { small: number[]; large: number[] } | undefined;
    // Per eligible set (the simulation passes one array per model): [small group's part, large group's part].
    const memo = new Map<readonly number[], [readonly number[], readonly number[]]>();
    return {
      route(r, eligible, cluster) {
        if (!groups) {
          const of = (name: 'small' | 'large') => {
            const replicas = cluster.devices.filter((d) => d.group === params[name]).map((d) => d.index);
            if (replicas.length === 0) throw new InputError({ field: `policy.params.${name}` }, `expected a device group of the cluster (${[...new Set(cluster.devices.map((d) => d.group))].join(', ')}), found "${params[name]}"`);
            return replicas;
          };
          groups = { small: of('small'), large: of('large') };
        }
        let parts = memo.get(eligible);
        if (!parts) {
          const g = groups;
          parts = [eligible.filter((i) => g.small.includes(i)), eligible.filter((i) => g.large.includes(i))];
          memo.set(eligible, parts);
        }
        const out = env.workload[r.id]!.outputTokens;
        const size = params.feature === 'input' ? r.promptTokens : params.feature === 'output' ? out : r.promptTokens * out;
        const [chosen, other] = size <= params.threshold ? parts : [parts[1], parts[0]];
        return leastLoaded(chosen.length > 0 ? chosen : other.length > 0 ? other : eligible, cluster);
      },
    };
  },
});
