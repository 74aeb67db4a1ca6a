import { z } from 'zod';
import { InputError } from '../errors.js';
import type { RandomStream } from '../util/rng.js';
import type { DeviceView } from '../devices/device.js';
import type { ClusterView, RequestView } from './policy.js';

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
  const loads = cluster.loads;
  if (loads !== undefined) {
    for (let k = 0; k < eligible.length; k++) {
      const i = eligible[k]!;
      const load = loads[i]!;
      if (load < bestLoad) {
        bestLoad = load;
        best = i;
      }
    }
    return best;
  }
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

/** Outstanding requests of a replica (queued + running): the load least-loaded balances. */
export function loadOf(d: DeviceView): number {
  return d.queued() + d.running();
}

/**
 * Prefix affinity with bounded loads: the replica of `eligible` holding the longest cached prefix
 * of `request`, among those whose load after taking it stays within the bound
 * ceil((1 + eps) x (total load + 1) / replicas) (consistent hashing with bounded loads, Mirrokni,
 * Thorup & Zadimoghaddam, SODA 2018) and, when `maxQueued` is set, whose queue holds at most
 * `maxQueued`. Ties in cached tokens go to the less loaded, then the lower index. When no such
 * replica caches any of the prompt, or at most `minHitRatio` of it (SGLang's and vLLM router's
 * cache_aware `--cache-threshold`): least-loaded. The least-loaded replica is always within the
 * bound (its load is at most floor(total / n) < ceil((total + 1) / n)), so some replica qualifies.
 */
export function prefixAffinity(request: RequestView, eligible: readonly number[], cluster: ClusterView, eps: number, maxQueued: number | undefined, minHitRatio = 0): number {
  let total = 0;
  for (const i of eligible) total += loadOf(cluster.devices[i]!);
  const bound = Math.ceil(((1 + eps) * (total + 1)) / eligible.length);
  let best = -1, bestHit = 0, bestLoad = Infinity;
  for (const i of eligible) {
    const d = cluster.devices[i]!;
    const load = loadOf(d);
    if (load + 1 > bound || (maxQueued !== undefined && d.queued() > maxQueued)) continue;
    const hit = d.cachedPrefixTokens?.(request) ?? 0;
    if (hit > bestHit || (hit === bestHit && hit > 0 && load < bestLoad)) {
      best = i;
      bestHit = hit;
      bestLoad = load;
    }
  }
  return best >= 0 && bestHit > minHitRatio * request.promptTokens ? best : leastLoaded(eligible, cluster);
}

/** Weights of the weighted-scorer router's four signals (any >= 0, not all 0; only ratios matter). */
export interface ScorerWeights {
  readonly queue: number;
  readonly running: number;
  readonly kv: number;
  readonly prefix: number;
}

/**
 * The weighted-scorer router (llm-d's scheduler, BLIS's `weighted` policy): each scorer gives every
 * candidate a score in [0, 1], higher better, and the request goes to the argmax of the weighted
 * sum (weights normalized to sum 1), ties to the lower index. Scorers (after BLIS
 * sim/routing_scorers.go, which follows llm-d's):
 *  - queue: min-max of queued requests, (max - q) / (max - min); all equal: 1 (llm-d queue-scorer);
 *  - running: the same over running requests (GIE running-requests-size-scorer);
 *  - kv: 1 - KV utilization (llm-d kv-cache-utilization-scorer; 0 utilization for kinds without one);
 *  - prefix, `ratio` (default): cached prompt tokens / prompt tokens (the Gateway API Inference
 *    Extension's prefix plugin: matched blocks / the request's blocks); `min-max`: (hit - min) /
 *    (max - min), all equal (also all 0): 1 (BLIS precise-prefix-cache).
 * `scores`, when given, receives each candidate's total (tests, tracing).
 */
export function weightedPick(request: RequestView, eligible: readonly number[], cluster: ClusterView, w: ScorerWeights, prefixScore: 'ratio' | 'min-max' = 'ratio', scores?: number[]): number {
  const sum = w.queue + w.running + w.kv + w.prefix;
  let qMin = Infinity, qMax = -Infinity, rMin = Infinity, rMax = -Infinity, hMin = Infinity, hMax = -Infinity;
  const hits = w.prefix > 0 ? eligible.map((i) => cluster.devices[i]!.cachedPrefixTokens?.(request) ?? 0) : undefined;
  eligible.forEach((i, k) => {
    const d = cluster.devices[i]!;
    const q = d.queued(), r = d.running();
    if (q < qMin) qMin = q;
    if (q > qMax) qMax = q;
    if (r < rMin) rMin = r;
    if (r > rMax) rMax = r;
    const h = hits?.[k] ?? 0;
    if (h < hMin) hMin = h;
    if (h > hMax) hMax = h;
  });
  const minMaxLow = (x: number, lo: number, hi: number) => (hi === lo ? 1 : (hi - x) / (hi - lo));
  let best = eligible[0]!, bestScore = -Infinity;
  eligible.forEach((i, k) => {
    const d = cluster.devices[i]!;
    let s = 0;
    if (w.queue > 0) s += w.queue * minMaxLow(d.queued(), qMin, qMax);
    if (w.running > 0) s += w.running * minMaxLow(d.running(), rMin, rMax);
    if (w.kv > 0) s += w.kv * (1 - (d.kvUtilization?.() ?? 0));
    if (w.prefix > 0) s += w.prefix * (prefixScore === 'ratio' ? hits![k]! / request.promptTokens : hMax === hMin ? 1 : (hits![k]! - hMin) / (hMax - hMin));
    s /= sum;
    if (scores) scores[k] = s;
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  });
  return best;
}
