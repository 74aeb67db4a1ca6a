/**
 * Cache-aware routing (prefix-affinity, weighted scorers) and stale signals (refreshS): hand-computed
 * routing decisions on fake views and on real batching replicas, and invariants over random
 * workloads (every request routed to a replica serving its model; with refreshS the router's view
 * changes only at refresh instants; prefix lookups leave no trace in the replicas).
 */
import { describe, expect, it } from 'vitest';
import type { DeviceView } from '../../src/devices/device.js';
import { createSlotsDevice, slotsDeviceSchema } from '../../src/devices/slots.js';
import { summarize } from '../../src/metrics/summary.js';
import { STATUS_FINISHED } from '../../src/metrics/records.js';
import { leastLoadedPolicy } from '../../src/policies/least-loaded.js';
import { definePolicy, type PolicyDefinition } from '../../src/policies/policy.js';
import { prefixAffinityPolicy } from '../../src/policies/prefix-affinity.js';
import { findPolicy } from '../../src/policies/registry.js';
import { leastLoaded, prefixAffinity, weightedPick } from '../../src/policies/routing.js';
import { weightedPolicy } from '../../src/policies/weighted.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import type { Request } from '../../src/workload/request.js';
import { cbGroup, slotsGroup, testIterationModel, tokenTimeCost } from '../support/models.js';
import { cluster, request, view, type FakeView } from './views.js';

/** A fake replica with a KV utilization and a cached-prefix answer per request id. */
function cacheView(index: number, o: { q?: number; r?: number; kv?: number; hits?: Record<number, number> }): FakeView {
  const v = view(index, { q: o.q ?? 0, r: o.r ?? 0, kind: 'continuous-batching' });
  return Object.assign(v, { kvUtilization: () => o.kv ?? 0, cachedPrefixTokens: (req: Request) => o.hits?.[req.id] ?? 0 });
}

describe('prefixAffinity: longest cached prefix within a load bound, else least-loaded (hand-computed)', () => {
  // Loads (queued + running) 2, 0, 1: total 3, 3 replicas. Bound ceil((1 + eps) x 4 / 3).
  const c = () =>
    cluster([cacheView(0, { q: 2, hits: { 1: 2048, 2: 0 } }), cacheView(1, { r: 0, hits: { 1: 0, 3: 1024 } }), cacheView(2, { r: 1, hits: { 1: 1024, 3: 1024 } })]);
  const all = [0, 1, 2];

  it('eps 0.25: bound ceil(1.667) = 2 keeps loads <= 1 (replicas 1, 2): the longer hit among them, replica 2', () => {
    expect(prefixAffinity(request(1, 0, 4096, 1), all, c(), 0.25, undefined, 0)).toBe(2);
  });

  it('eps 1: bound ceil(2.667) = 3 admits replica 0 (load 2), whose hit 2048 is the longest', () => {
    expect(prefixAffinity(request(1, 0, 4096, 1), all, c(), 1, undefined, 0)).toBe(0);
  });

  it('maxQueued 1 skips replica 0 (2 queued) even with a loose load bound', () => {
    expect(prefixAffinity(request(1, 0, 4096, 1), all, c(), 100, 1, 0)).toBe(2);
  });

  it('no replica caches any of it: least-loaded (replica 1)', () => {
    expect(prefixAffinity(request(2, 0, 4096, 1), all, c(), 100, undefined, 0)).toBe(1);
  });

  it('equal hits go to the less loaded (replica 1, load 0, before replica 2, load 1)', () => {
    expect(prefixAffinity(request(3, 0, 4096, 1), all, c(), 100, undefined, 0)).toBe(1);
  });

  it('minHitRatio: a hit of at most that share of the prompt does not count (least-loaded instead)', () => {
    // eps 1 would pick replica 0 (2048 of 4096 cached = 0.5); with minHitRatio 0.5 that is not
    // enough: least-loaded, replica 1. Just under 0.5 it is.
    expect(prefixAffinity(request(1, 0, 4096, 1), all, c(), 1, undefined, 0.5)).toBe(1);
    expect(prefixAffinity(request(1, 0, 4096, 1), all, c(), 1, undefined, 0.49)).toBe(0);
    expect(prefixAffinityPolicy.params.parse({})).toEqual({ eps: 0.25, minHitRatio: 0.3 });
  });

  it('the least-loaded replica is always within the bound, even at eps 0', () => {
    // Loads 5, 4, 4: total 13, bound ceil(14 / 3) = 5: replicas 1 and 2 (4 + 1 <= 5) qualify; 2 hits.
    const cl = cluster([cacheView(0, { q: 5, hits: { 0: 512 } }), cacheView(1, { q: 4 }), cacheView(2, { q: 4, hits: { 0: 16 } })]);
    expect(prefixAffinity(request(0, 0, 4096, 1), all, cl, 0, undefined, 0)).toBe(2);
  });
});

describe('weightedPick: weighted sum of scorers, argmax, ties to the lower index (hand-computed)', () => {
  // A: 0 queued, 4 running, KV 0.5, no hit; B: 2, 2, 0.25, 512; C: 4, 0, 0, 1024. Prompt 2048.
  // queue (min-max, low good): A 1, B 0.5, C 0. running: A 0, B 0.5, C 1. kv (1 - util): A 0.5,
  // B 0.75, C 1. prefix ratio (hit / prompt): A 0, B 0.25, C 0.5; prefix min-max: A 0, B 0.5, C 1.
  const c = () =>
    cluster([cacheView(0, { q: 0, r: 4, kv: 0.5 }), cacheView(1, { q: 2, r: 2, kv: 0.25, hits: { 7: 512 } }), cacheView(2, { q: 4, r: 0, kv: 0, hits: { 7: 1024 } })]);
  const r = request(7, 0, 2048, 1);
  const all = [0, 1, 2];

  it('default weights (queue 1, kv 1, prefix 2): A 1.5/4, B 1.75/4, C 2/4: C', () => {
    const scores: number[] = [];
    expect(weightedPick(r, all, c(), { queue: 1, running: 0, kv: 1, prefix: 2 }, 'ratio', scores)).toBe(2);
    expect(scores).toEqual([0.375, 0.4375, 0.5]);
  });

  it('queue 3, kv 1, prefix 2: A 3.5/6, B 2.75/6, C 2/6: A', () => {
    expect(weightedPick(r, all, c(), { queue: 3, running: 0, kv: 1, prefix: 2 }, 'ratio')).toBe(0);
  });

  it('running only: C (empty batch); prefix min-max: A 1.5/4, B 2.25/4, C 3/4', () => {
    expect(weightedPick(r, all, c(), { queue: 0, running: 1, kv: 0, prefix: 0 })).toBe(2);
    const scores: number[] = [];
    expect(weightedPick(r, all, c(), { queue: 1, running: 0, kv: 1, prefix: 2 }, 'min-max', scores)).toBe(2);
    expect(scores).toEqual([0.375, 0.5625, 0.75]);
  });

  it('all equal: every score 1 under min-max, the lowest eligible index wins', () => {
    const same = cluster([cacheView(0, { q: 1 }), cacheView(1, { q: 1 }), cacheView(2, { q: 1 })]);
    expect(weightedPick(r, [2, 1], same, { queue: 1, running: 1, kv: 1, prefix: 1 }, 'min-max')).toBe(2);
    expect(weightedPick(r, [1, 2], same, { queue: 1, running: 1, kv: 1, prefix: 1 }, 'min-max')).toBe(1);
  });

  it('weights must not all be 0; a bad prefixScore is refused', () => {
    expect(weightedPolicy.params.safeParse({ weights: { queue: 0, kv: 0, prefix: 0 } }).success).toBe(false);
    expect(weightedPolicy.params.safeParse({ prefixScore: 'max' }).success).toBe(false);
    expect(weightedPolicy.params.parse({})).toEqual({ weights: { queue: 1, running: 0, kv: 1, prefix: 2 }, prefixScore: 'ratio' });
  });
});

// Batching replicas priced by a linear test model: prefill 0.01 + 0.001/token, decode 0.01/step.
const MODEL = testIterationModel({ prefill: [0.01, 0.001], decode: [0.01, 0, 0], kvTokens: 100_000 });
const pre = (id: number, tokens: number) => [{ id, tokens }];

describe('prefix-affinity on batching replicas with prefix caching (hand-computed routing)', () => {
  // t=0: request 0 (conversation 1) and 1 (conversation 2), 64-token prompts, both replicas empty.
  // t=100 (both done, their 4 blocks cached): 2 and 3 continue conversations 2 and 1 (80 tokens,
  // the first 64 named); 4 and 5 are more of conversation 1.
  const requests: Request[] = [
    request(0, 0, 64, 2, { prefix: pre(1, 64) }),
    request(1, 0, 64, 2, { prefix: pre(2, 64) }),
    request(2, 100, 80, 2, { prefix: pre(2, 64) }),
    request(3, 100, 80, 2, { prefix: pre(1, 64) }),
    request(4, 100, 80, 2, { prefix: pre(1, 64) }),
    request(5, 100, 80, 2, { prefix: pre(1, 64) }),
  ];
  const run = (policy: PolicyDefinition<any>, params: unknown) =>
    simulate({ requests, cluster: [cbGroup(MODEL, { scheduler: 'vllm-v1', prefixCaching: true, blockSize: 16 }, 2)], policy, policyParams: policy.params.parse(params), seed: 1 });

  it('eps 0: 0 -> r0, 1 -> r1 (no hits: least-loaded); 2 -> r1, 3 -> r0, 4 -> r0 (their prefix); 5 -> r1 (r0 over the bound)', () => {
    // 4: loads r0 1, r1 1, bound ceil(3 / 2) = 2: r0 qualifies (1 + 1 <= 2). 5: loads 2, 1, bound
    // ceil(4 / 2) = 2: r0 (3 > 2) is skipped, r1 caches none of it: least-loaded, r1.
    const r = run(prefixAffinityPolicy, { eps: 0 });
    expect(Array.from(r.records.device)).toEqual([0, 1, 1, 0, 0, 1]);
    // Each hit is 4 blocks of 16 (never the whole prompt: 79 / 16 -> 4 blocks at most).
    expect(Array.from(r.records.cachedTokens)).toEqual([0, 0, 64, 64, 64, 0]);
  });

  it('eps 1: bound ceil(2 x 4 / 2) = 4 lets 5 follow its prefix to r0', () => {
    const r = run(prefixAffinityPolicy, { eps: 1 });
    expect(Array.from(r.records.device)).toEqual([0, 1, 1, 0, 0, 0]);
    expect(Array.from(r.records.cachedTokens)).toEqual([0, 0, 64, 64, 64, 64]);
  });

  it('least-loaded ignores prefixes: 0, 1, 0, 1, 0, 1, and 2, 3 and 5 miss', () => {
    const r = run(leastLoadedPolicy, {});
    expect(Array.from(r.records.device)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(r.records.cachedTokens)).toEqual([0, 0, 0, 0, 64, 0]);
  });

  it('weighted (default weights): 1 -> r1 by queue depth; 2 -> r1 and 3 -> r0 by prefix ratio 64/80', () => {
    // Request 1 at t=0: r0 holds request 0 queued (its batch starts after the arrivals of t=0), r1
    // is empty; KV utilization 0 on both; no hits: queue scores r0 0, r1 1, so r1. At t=100 both are
    // empty, their cached blocks free (KV utilization 0). Request 2: prefix ratio r1 0.8, r0 0: r1.
    // Request 3: r1 holds request 2 (queue r0 1, r1 0), prefix r0 0.8: r0 (3.6 / 4 against 1 / 4).
    const r = run(weightedPolicy, {});
    expect(Array.from(r.records.device).slice(0, 4)).toEqual([0, 1, 1, 0]);
  });
});

describe('stale signals (refreshS): the router sees snapshots taken every refreshS seconds', () => {
  // Two one-slot replicas, 100 s per request. Arrivals 1, 2, 3, 10, 12, 14, 15.
  const times = [1, 2, 3, 10, 12, 14, 15];
  const requests = times.map((t, i) => request(i, t, 10, 100));
  const run = (params: unknown) => simulate({ requests, cluster: [slotsGroup(tokenTimeCost(1), 1, 2)], policy: findPolicy('least-loaded')!, policyParams: findPolicy('least-loaded')!.params.parse(params), seed: 1 });

  it('fresh least-loaded alternates: loads (0,0) (1,0) (1,1) (2,1) (2,2) (3,2) (3,3) -> 0 1 0 1 0 1 0', () => {
    expect(Array.from(run({}).records.device)).toEqual([0, 1, 0, 1, 0, 1, 0]);
  });

  it('refreshS 10: the view is (0,0) until t=10, so 1-3 s pile onto r0; from t=10 it is (3,0): all to r1', () => {
    // The snapshot at t=10 is taken before the arrival at t=10 is routed.
    const r = run({ refreshS: 10 });
    expect(Array.from(r.records.device)).toEqual([0, 0, 0, 1, 1, 1, 1]);
    // r0 serves 1-101, 101-201, 201-301; r1 serves 10-110, 110-210, 210-310, 310-410.
    expect(Array.from(r.records.finishS)).toEqual([101, 201, 301, 110, 210, 310, 410]);
  });

  it('refreshS is accepted by every registered policy and refused when not > 0', () => {
    for (const name of ['fifo', 'random', 'round-robin', 'least-loaded', 'prefix-affinity', 'weighted', 'sjf-oracle', 'uncertainty-priority']) {
      expect(findPolicy(name)!.params.parse({ refreshS: 0.05 })).toMatchObject({ refreshS: 0.05 });
    }
    expect(findPolicy('fifo')!.params.safeParse({ refreshS: 0 }).success).toBe(false);
    // Off by default: no key, so resolved scenarios are unchanged.
    expect('refreshS' in findPolicy('fifo')!.params.parse({})).toBe(false);
  });
});

/** A small deterministic generator (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A workload of conversations over a few shared system prompts, two models. */
function randomWorkload(seed: number, n: number): Request[] {
  const u = lcg(seed);
  let t = 0;
  const out: Request[] = [];
  for (let i = 0; i < n; i++) {
    t += u() * 0.4;
    const sys = Math.floor(u() * 3);
    const hist = Math.floor(u() * 5);
    const prompt = 64 + Math.floor(u() * 400);
    const prefix = [
      { id: sys, tokens: 48 },
      { id: 10 + hist, tokens: Math.min(prompt - 48, 32 + 16 * hist) },
    ];
    out.push(request(i, t, prompt, 1 + Math.floor(u() * 30), { prefix, model: u() < 0.7 ? 'm' : 'n' }));
  }
  return out;
}

function twoModelCluster(): PreparedDeviceGroup[] {
  const a = cbGroup(MODEL, { scheduler: 'vllm-v1', prefixCaching: true, blockSize: 16, kvCapacityTokens: 1024 }, 3);
  const spec = slotsDeviceSchema.parse({ name: 'srv', kind: 'slots', profile: 'test', replicas: 2, slots: 2 });
  const b: PreparedDeviceGroup = { name: 'srv', kind: 'slots', model: 'n', replicas: 2, create: (ctx, id) => createSlotsDevice(spec, tokenTimeCost(0.02), ctx, id) };
  return [a, b];
}

/** Wraps a registered policy so every routing call records the time and the view it saw. */
function recording(def: PolicyDefinition<any>, seen: { t: number; view: number[] }[]): PolicyDefinition<any> {
  return definePolicy({
    ...def,
    create(params, env) {
      const inner = def.create(params, env);
      return {
        ...inner,
        route(r, eligible, c) {
          seen.push({ t: c.nowS(), view: c.devices.flatMap((d: DeviceView) => [d.queued(), d.running(), d.kvUtilization?.() ?? -1]) });
          return inner.route(r, eligible, c);
        },
      };
    },
  });
}

describe('invariants over random workloads', () => {
  const cases = ['round-robin', 'least-loaded', 'prefix-affinity', 'weighted'].flatMap((p) => [undefined, 0.5].map((refreshS) => ({ p, refreshS })));

  it.each(cases)('$p, refreshS $refreshS: every request ends, on a replica serving its model; the view changes only at refresh instants', ({ p, refreshS }) => {
    for (const seed of [1, 2, 3]) {
      const requests = randomWorkload(seed, 120);
      const seen: { t: number; view: number[] }[] = [];
      const def = recording(findPolicy(p)!, seen);
      const params = def.params.parse(refreshS === undefined ? {} : { refreshS });
      const r = simulate({ requests, cluster: twoModelCluster(), policy: def, policyParams: params, seed });
      for (let i = 0; i < requests.length; i++) {
        expect(r.records.status[i], `request ${i}`).toBe(STATUS_FINISHED);
        const d = r.records.device[i]!;
        expect(requests[i]!.model === 'm' ? d < 3 : d >= 3, `request ${i} on replica ${d}`).toBe(true);
      }
      expect(seen.length).toBe(requests.length);
      if (refreshS === undefined) continue;
      // Instants k x 0.5 are exact; t / 0.5 is exact too. Same interval => same view.
      let changes = 0;
      for (let k = 1; k < seen.length; k++) {
        const same = Math.floor(seen[k]!.t / refreshS) === Math.floor(seen[k - 1]!.t / refreshS);
        if (same) expect(seen[k]!.view, `route ${k} at t=${seen[k]!.t}`).toEqual(seen[k - 1]!.view);
        else if (JSON.stringify(seen[k]!.view) !== JSON.stringify(seen[k - 1]!.view)) changes++;
      }
      expect(changes).toBeGreaterThan(0); // the snapshots do move
    }
  });

  it.each(['weighted', 'prefix-affinity'])('%s sees the same replica state with fastForward on and off (fresh and stale)', (p) => {
    // Arrivals land inside fast-forwarded decode runs: KV utilization and prefix lookups must be
    // what one step at a time would show (steps done, blocks evicted so far), or routing would
    // depend on fast-forwarding. A small KV cache forces evictions inside runs.
    const cl = (ff: boolean) => [cbGroup(MODEL, { scheduler: 'vllm-v1', prefixCaching: true, blockSize: 16, kvCapacityTokens: 768, fastForward: ff }, 3)];
    for (const refreshS of [undefined, 0.25]) {
      for (const seed of [4, 5]) {
        const requests = randomWorkload(seed, 150).map((r) => ({ ...r, model: undefined, outputTokens: 5 + r.outputTokens * 3 }));
        const def = findPolicy(p)!;
        const params = def.params.parse({ ...(refreshS && { refreshS }), ...(p === 'weighted' && { weights: { queue: 0, kv: 1, prefix: 1 } }) });
        const on = simulate({ requests, cluster: cl(true), policy: def, policyParams: params, seed });
        const off = simulate({ requests, cluster: cl(false), policy: def, policyParams: params, seed });
        expect(Array.from(on.records.device)).toEqual(Array.from(off.records.device));
        const { sim: _a, ...a } = summarize(on);
        const { sim: _b, ...b } = summarize(off);
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        expect(a.prefixCache.evictions).toBeGreaterThan(0);
      }
    }
  });

  it('prefix lookups are read-only: a router that asks every replica before routing least-loaded changes nothing', () => {
    const asking = definePolicy({
      ...leastLoadedPolicy,
      create(_params, env) {
        return {
          route(r, eligible, c) {
            let sum = 0;
            for (const i of eligible) sum += c.devices[i]!.cachedPrefixTokens?.(r) ?? 0;
            if (sum < 0) throw new Error('unreachable');
            return leastLoaded(eligible, c);
          },
        };
      },
    });
    for (const seed of [1, 2]) {
      const requests = randomWorkload(seed, 150);
      const plain = simulate({ requests, cluster: twoModelCluster(), policy: leastLoadedPolicy, policyParams: {}, seed });
      const asked = simulate({ requests, cluster: twoModelCluster(), policy: asking, policyParams: {}, seed });
      expect(JSON.stringify(summarize(asked))).toBe(JSON.stringify(summarize(plain)));
      expect(summarize(plain).prefixCache.evictions).toBeGreaterThan(0); // the LRU order mattered
      expect(Array.from(asked.records.cachedTokens)).toEqual(Array.from(plain.records.cachedTokens));
    }
  });
});
