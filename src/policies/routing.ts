import { z } from 'zod';
import { InputError } from '../errors.js';
import type { RandomStream } from '../util/rng.js';
import type { ClusterView } from './policy.js';

/** Round-robin over each eligible set separately (one cursor per set of replicas). */
export function roundRobin(): (eligible: readonly number[]) => number {
  const cursors = new Map<readonly number[], number>();
  return (eligible) => {
    const c = cursors.get(eligible) ?? 0;
    cursors.set(eligible, c + 1 === eligible.length ? 0 : c + 1);
    return eligible[c]!;
  };
}

/** Join-the-shortest-queue: fewest outstanding (queued + running) requests; ties go to the lower index. */
export function leastLoaded(eligible: readonly number[], cluster: ClusterView): number {
  let best = eligible[0]!;
  let bestLoad = Infinity;
  for (const i of eligible) {
    const d = cluster.devices[i]!;
    const load = d.queued() + d.running();
    if (load < bestLoad) {
      bestLoad = load;
      best = i;
    }
  }
  return best;
}

/** A uniformly random member of `eligible`, from the policy's own seeded stream. */
export function randomPick(eligible: readonly number[], rng: RandomStream): number {
  return eligible[rng.int(0, eligible.length - 1)]!;
}

/** The optional `groups` parameter shared by routing policies. */
export const groupsParam = z
  .array(z.string().min(1))
  .min(1)
  .optional()
  .describe('Route only to replicas of these device groups (cluster.devices[].name); default: every eligible replica');

/**
 * Filters eligible sets down to replicas of the named groups. Memoized per eligible array (the
 * simulation passes the same array for the same model), so routing allocates nothing per request.
 * A group name the cluster lacks is an InputError naming `policy.params.groups[i]`.
 */
export function groupFilter(groups: readonly string[] | undefined, cluster: ClusterView): (eligible: readonly number[]) => readonly number[] {
  if (!groups) return (eligible) => eligible;
  const memo = new Map<readonly number[], readonly number[]>();
  let checked = false;
  return (eligible) => {
    if (!checked) {
      const known = new Set(cluster.devices.map((d) => d.group));
      groups.forEach((g, i) => {
        if (!known.has(g)) throw new InputError({ field: `policy.params.groups[${i}]` }, `expected a device group of the cluster (${[...known].join(', ')}), found "${g}"`);
      });
      checked = true;
    }
    let kept = memo.get(eligible);
    if (!kept) {
      kept = eligible.filter((i) => groups.includes(cluster.devices[i]!.group));
      if (kept.length === 0) throw new InputError({ field: 'policy.params.groups' }, `expected a group serving model "${cluster.devices[eligible[0]!]!.model}", found none among ${groups.join(', ')}`);
      memo.set(eligible, kept);
    }
    return kept;
  };
}

/**
 * Splits eligible sets by model, in order of first appearance (memoized per array): for policies
 * that choose a model first and a replica of it second (Wilkins et al. route queries to models).
 */
export function modelSplitter(cluster: ClusterView): (eligible: readonly number[]) => readonly (readonly number[])[] {
  const memo = new Map<readonly number[], number[][]>();
  return (eligible) => {
    let split = memo.get(eligible);
    if (!split) {
      const byModel = new Map<string, number[]>();
      for (const i of eligible) {
        const m = cluster.devices[i]!.model;
        const list = byModel.get(m);
        if (list) list.push(i);
        else byModel.set(m, [i]);
      }
      split = [...byModel.values()];
      memo.set(eligible, split);
    }
    return split;
  };
}

/** The `level` parameter of the random and round-robin baselines. */
export const levelParam = z
  .enum(['replica', 'model'])
  .default('replica')
  .describe('replica: pick among replicas; model: pick among models (Wilkins et al. baselines), then the least-loaded replica of it');
