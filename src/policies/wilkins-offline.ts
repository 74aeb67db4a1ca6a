import { z } from 'zod';
import { InputError } from '../errors.js';
import type { ClusterView } from './policy.js';
import { definePolicy } from './policy.js';
import type { Request } from '../workload/request.js';
import { solveAssignment, type AssignmentProblem } from './assignment.js';
import { loadHighs } from './highs.js';
import { leastLoaded } from './routing.js';
import { normalize, objectiveParam, targetFigures, targetsOf, weightedCost, zetaParam, type Target } from './wilkins.js';

const NAME = 'wilkins-offline';

export const wilkinsOfflineParams = z.strictObject({
  zeta: zetaParam,
  objective: objectiveParam,
  minShareFactor: z.number().min(0).max(1).default(0.25).describe("Quota: target t gets at least max(1, minShareFactor * share_t * |Q|) queries (the authors' code uses 0.25)"),
  shares: z.record(z.string(), z.number().min(0).max(1)).optional().describe("Share gamma of each target (model, or device group for objective runtime); default: its share of the cluster's GPUs"),
  solver: z.enum(['lp', 'milp']).default('lp').describe('lp: the transportation LP (integral optimum, scales); milp: the binary program (exact, small cases)'),
});
export type WilkinsOfflineParams = z.output<typeof wilkinsOfflineParams>;

/**
 * Wilkins et al.'s offline energy-optimal assignment. Knowing every query and its output length in
 * advance (the paper's offline setting: this reads true lengths, hence `oracle`), it assigns each
 * query to one target minimizing sum zeta*e_hat - (1-zeta)*a_hat (or + (1-zeta)*r_hat across
 * hardware), e_hat and a_hat min-max normalized over all (query, target) pairs, every target
 * getting its quota; then each query goes to the least-loaded replica of its target (FCFS there).
 * The plan is made on the first arrival, when the replicas exist. Queries that name a model are
 * left out of the plan and go to the least-loaded replica serving it.
 */
export const wilkinsOfflinePolicy = definePolicy({
  name: NAME,
  needsWorkload: true, // reads env.workload by request id
  description: 'Wilkins et al. offline optimum: LP/MILP assignment of queries to models (or hardware) by zeta*energy vs accuracy (or runtime), with quotas',
  oracle: true,
  load: loadHighs,
  params: wilkinsOfflineParams,
  create(params, env) {
    let plan: { targets: Target[]; of: Int32Array } | undefined;
    return {
      route(r, eligible, cluster) {
        plan ??= planAssignment(params, env.workload, cluster);
        const t = plan.of[r.id]!;
        return t < 0 ? leastLoaded(eligible, cluster) : leastLoaded(plan.targets[t]!.replicas, cluster);
      },
    };
  },
});

/** Solves the offline problem for the whole workload: the target index of each request (-1: not planned). */
export function planAssignment(params: WilkinsOfflineParams, workload: readonly Request[], cluster: ClusterView): { targets: Target[]; of: Int32Array } {
  const targets = targetsOf(cluster.devices, params.objective);
  const planned = workload.filter((r) => r.model === undefined);
  const of = new Int32Array(workload.length).fill(-1);
  if (planned.length === 0) return { targets, of };
  const solution = solveAssignment(assignmentProblem(params, planned, targets, cluster), params.solver);
  planned.forEach((r, q) => (of[r.id] = solution.target[q]!));
  return { targets, of };
}

/**
 * The optimization problem for `planned` queries: cost zeta*e_hat -/+ (1-zeta)*other_hat per
 * (query, target), both min-max normalized over all pairs, and the quotas.
 */
export function assignmentProblem(params: WilkinsOfflineParams, planned: readonly Request[], targets: readonly Target[], cluster: ClusterView): AssignmentProblem {
  const n = planned.length;
  const k = targets.length;
  const energy = new Float64Array(n * k);
  const other = new Float64Array(n * k);
  targets.forEach((t, j) => {
    const figures = targetFigures(t, params.objective, NAME);
    planned.forEach((r, q) => {
      energy[q * k + j] = figures.energyJ(r.promptTokens, r.outputTokens);
      other[q * k + j] = figures.other(r.promptTokens, r.outputTokens);
    });
  });
  const [eLo, eHi] = range(energy);
  const [oLo, oHi] = range(other);
  const cost = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) cost[i] = weightedCost(params.zeta, normalize(energy[i]!, eLo, eHi), normalize(other[i]!, oLo, oHi), params.objective);
  const shares = shareOf(params, targets, cluster);
  const minCount = shares.map((g) => Math.ceil(Math.max(1, params.minShareFactor * g * n)));
  if (minCount.reduce((a, b) => a + b, 0) > n) {
    throw new InputError({ field: 'policy.params.minShareFactor' }, `expected quotas that ${n} queries can meet, found ${minCount.join(' + ')} required`);
  }
  return { queries: n, targets: k, cost, minCount };
}

/** gamma of each target: the given shares, or its fraction of the cluster's GPUs (replicas x capacity x GPUs per instance). */
function shareOf(params: WilkinsOfflineParams, targets: readonly Target[], cluster: ClusterView): number[] {
  if (params.shares) {
    const known = targets.map((t) => t.name);
    for (const name of Object.keys(params.shares)) {
      if (!known.includes(name)) throw new InputError({ field: `policy.params.shares.${name}` }, `expected one of the targets (${known.join(', ')}), found "${name}"`);
    }
    return targets.map((t) => params.shares![t.name] ?? 0);
  }
  const gpus = targets.map((t) => t.replicas.reduce((sum, i) => sum + cluster.devices[i]!.capacity * (cluster.devices[i]!.gpus ?? 1), 0));
  const total = gpus.reduce((a, b) => a + b, 0);
  return gpus.map((g) => g / total);
}

function range(values: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
