import { z } from 'zod';
import type { DeviceView } from '../devices/device.js';
import { definePolicy } from './policy.js';
import { createLengthPredictor, predictorParams } from './predictor.js';
import { leastLoaded } from './routing.js';
import { slidingExtremes } from './sliding-window.js';
import { normalize, objectiveParam, targetFigures, targetsOf, weightedCost, zetaParam, type Target, type TargetFigures } from './wilkins.js';

const NAME = 'wilkins-online';

export const wilkinsOnlineParams = z.strictObject({
  zeta: zetaParam,
  objective: objectiveParam,
  queueAware: z.boolean().default(true).describe("Add queuePenalty x the target's queued requests to its score"),
  queuePenalty: z.number().min(0).default(0.1).describe('Score added per queued request of the target (the thesis uses 0.1)'),
  window: z.number().int().positive().default(1000).describe('Queries in the sliding window whose range normalizes energy and accuracy (or runtime)'),
  lengths: z.enum(['true', 'predicted']).default('true').describe("Output length used to estimate energy: the true one (the paper's setting) or the run-time predictor's"),
  predictor: predictorParams,
});
export type WilkinsOnlineParams = z.output<typeof wilkinsOnlineParams>;

/**
 * The online extension of Wilkins et al. (first author's thesis): each arriving query goes to
 * argmin over targets of zeta*e_hat - (1-zeta)*a_hat (+ queuePenalty x queue length when queue-
 * aware), e_hat and a_hat min-max normalized over the (query, target) values of the last `window`
 * queries, the current one included. Targets are models (FCFS queue per model: here the sum of
 * its replicas' queues, the query then joining the least-loaded replica). Estimating energy needs
 * the output length: the true one by default, as the paper assumes (hence `oracle`), or the
 * uncertainty-priority predictor's with `lengths: predicted`.
 */
export const wilkinsOnlinePolicy = definePolicy({
  name: NAME,
  needsWorkload: true, // reads env.workload by request id
  description: 'Wilkins et al. online greedy router: per query argmin of zeta*energy - (1-zeta)*accuracy (sliding-window normalized) + queue penalty',
  oracle: true,
  params: wilkinsOnlineParams,
  create(params, env) {
    // Two values (the query's smallest and largest) per query: a window of 2 x window values.
    const energyRange = slidingExtremes(2 * params.window);
    const otherRange = slidingExtremes(2 * params.window);
    const predictor = createLengthPredictor(params.predictor);
    let targets: Target[] | undefined;
    let figures: TargetFigures[] = [];
    let energy = new Float64Array(0);
    let other = new Float64Array(0);

    function queued(t: Target, devices: readonly DeviceView[]): number {
      let q = 0;
      for (const i of t.replicas) q += devices[i]!.queued();
      return q;
    }

    return {
      route(r, eligible, cluster) {
        if (!targets) {
          targets = targetsOf(cluster.devices, params.objective);
          figures = targets.map((t) => targetFigures(t, params.objective, NAME));
          energy = new Float64Array(targets.length);
          other = new Float64Array(targets.length);
        }
        if (r.model !== undefined) return leastLoaded(eligible, cluster);
        const tokens = params.lengths === 'true' ? env.workload[r.id]!.outputTokens : predictor.predict(r);
        // The window holds every (query, target) value of its queries: push each query's extremes.
        let eMin = Infinity, eMax = -Infinity, oMin = Infinity, oMax = -Infinity;
        for (let j = 0; j < targets.length; j++) {
          const e = (energy[j] = figures[j]!.energyJ(r.promptTokens, tokens));
          const o = (other[j] = figures[j]!.other(r.promptTokens, tokens));
          eMin = Math.min(eMin, e); eMax = Math.max(eMax, e);
          oMin = Math.min(oMin, o); oMax = Math.max(oMax, o);
        }
        energyRange.push(eMin); energyRange.push(eMax);
        otherRange.push(oMin); otherRange.push(oMax);
        let best = 0;
        let bestScore = Infinity;
        for (let j = 0; j < targets.length; j++) {
          const eHat = normalize(energy[j]!, energyRange.min, energyRange.max);
          const oHat = normalize(other[j]!, otherRange.min, otherRange.max);
          let score = weightedCost(params.zeta, eHat, oHat, params.objective);
          if (params.queueAware) score += params.queuePenalty * queued(targets[j]!, cluster.devices);
          if (score < bestScore) {
            bestScore = score;
            best = j;
          }
        }
        return leastLoaded(targets[best]!.replicas, cluster);
      },
      onFinish: params.lengths === 'predicted' ? (r) => predictor.observe(r) : undefined,
    };
  },
});
