import { z } from 'zod';
import { InputError } from '../errors.js';
import { definePolicy } from './policy.js';
import { leastLoaded } from './routing.js';

/**
 * The threshold rule of Wilkins et al. for heterogeneous hardware: queries whose size feature is
 * at most `threshold` go to the `small` device group (the energy-efficient, slower one), the rest
 * to `large`; least-loaded replica within the group, FCFS. The paper reports 7.5% less energy with
 * such a rule. Features `output` and `product` read the true output length (the offline setting),
 * hence `oracle`; `input` needs nothing a scheduler lacks. A request that names a model goes to the
 * group's replicas serving it; when the group serves another model that is an input error (as for
 * a `groups` filter of the routing policies), never a replica that cannot serve it.
 */
export const wilkinsThresholdPolicy = definePolicy({
  name: 'wilkins-threshold',
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
    // The group's replicas that serve a request's model, per eligible set (the simulation passes the same array per model).
    const servingOf = { small: new Map<readonly number[], number[]>(), large: new Map<readonly number[], number[]>() };
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
        const out = env.workload[r.id]!.outputTokens;
        const size = params.feature === 'input' ? r.promptTokens : params.feature === 'output' ? out : r.promptTokens * out;
        const which = size <= params.threshold ? 'small' : 'large';
        if (r.model === undefined) return leastLoaded(groups[which], cluster);
        // A request that names a model goes only to replicas serving it, as with every policy's `groups`.
        let serving = servingOf[which].get(eligible);
        if (!serving) {
          serving = groups[which].filter((i) => eligible.includes(i));
          if (serving.length === 0) {
            const served = cluster.devices[groups[which][0]!]!.model;
            throw new InputError({ field: `policy.params.${which}` }, `expected group "${params[which]}" to serve model "${r.model}" (request ${r.id} names it), found it serves "${served}"`);
          }
          servingOf[which].set(eligible, serving);
        }
        return leastLoaded(serving, cluster);
      },
    };
  },
});
