import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { slidingExtremes } from '../../src/policies/sliding-window.js';
import { wilkinsOfflinePolicy } from '../../src/policies/wilkins-offline.js';
import { wilkinsOnlinePolicy } from '../../src/policies/wilkins-online.js';
import { wilkinsThresholdPolicy } from '../../src/policies/wilkins-threshold.js';
import { cluster, linearEstimate, make, request, view } from './views.js';

// Model A: accuracy 50, energy 1 J per output token; model B: accuracy 70, 1.5 J per output token.
const models = (bGpus = 1) =>
  cluster([
    view(0, { group: 'a', model: 'A', accuracy: 50, gpus: 1, estimate: linearEstimate(0, 1, 0, 1) }),
    view(1, { group: 'b', model: 'B', accuracy: 70, gpus: bGpus, estimate: linearEstimate(0, 1, 0, 1.5) }),
  ]);
// Prompts of 10 tokens; outputs 10, 30, 20, 50.
const queries = [request(0, 0, 10, 10), request(1, 1, 10, 30), request(2, 2, 10, 20), request(3, 3, 10, 50)];

function plan(params: Record<string, unknown>, c = models()): number[] {
  const p = make(wilkinsOfflinePolicy, params, queries, c);
  return queries.map((q) => p.route(q, [0, 1], c));
}

describe('wilkins-offline on hand-built views', () => {
  // Energy: A 10, 30, 20, 50 J; B 15, 45, 30, 75 J: range [10, 75]. Accuracy proxy A_K (p + o):
  // A 1000, 2000, 1500, 3000; B 1400, 2800, 2100, 4200: range [1000, 4200]. B - A in normalized
  // terms: energy 0.5 o / 65, accuracy 20 (10 + o) / 3200 = (10 + o) / 160.
  it('zeta = 0.5: B where its accuracy gain beats its energy cost (o < 43.3), A otherwise', () => {
    // zeta (o/130) - (1 - zeta) (10 + o)/160 < 0  <=>  30 o < 1300 at zeta = 0.5.
    expect(plan({ zeta: 0.5 })).toEqual([1, 1, 1, 0]);
  });

  it('zeta = 1 and 0: all to the cheapest (most accurate) model but for the quota, filled where it costs least', () => {
    // Quotas: max(1, 0.25 * 0.5 * 4) = 1 query each (GPU shares 1/2, 1/2).
    expect(plan({ zeta: 1 })).toEqual([1, 0, 0, 0]); // B's one query: the smallest energy penalty, o = 10
    expect(plan({ zeta: 0 })).toEqual([0, 1, 1, 1]); // A's one query: the smallest accuracy loss
    expect(plan({ zeta: 1, solver: 'milp' })).toEqual([1, 0, 0, 0]);
  });

  it("derives shares from the cluster's GPUs, or takes them as given", () => {
    // B on 3 GPUs: shares 1/4, 3/4; factor 1: quotas ceil(max(1, 1)) = 1 and ceil(3) = 3.
    expect(plan({ zeta: 1, minShareFactor: 1 }, models(3))).toEqual([1, 1, 1, 0]);
    expect(plan({ zeta: 1, minShareFactor: 1, shares: { A: 0.75, B: 0.25 } }, models(3))).toEqual([1, 0, 0, 0]);
  });

  it('names the bad parameter when quotas or shares cannot work', () => {
    expect(() => plan({ minShareFactor: 1, shares: { A: 1, B: 1 } })).toThrow(/policy\.params\.minShareFactor: expected quotas that 4 queries can meet, found 4 \+ 4 required/);
    expect(() => plan({ shares: { A: 0.5, C: 0.5 } })).toThrow(/policy\.params\.shares\.C: expected one of the targets \(A, B\), found "C"/);
    const noEnergy = cluster([view(0, { model: 'A', accuracy: 50, estimate: { serviceS: () => 1, energyJ: () => NaN } }), view(1, { model: 'B', accuracy: 60, estimate: linearEstimate(0, 1, 0, 1) })]);
    expect(() => plan({}, noEnergy)).toThrow(InputError);
  });

  it('optimizes runtime across device groups for heterogeneous hardware', () => {
    // Same model on a fast, hungry group (1 s and 3 J per token) and a slow, frugal one (4 s, 1 J).
    const hetero = cluster([view(0, { group: 'gpu', estimate: linearEstimate(0, 1, 0, 3) }), view(1, { group: 'cpu', estimate: linearEstimate(0, 4, 0, 1) })]);
    expect(plan({ objective: 'runtime', zeta: 1 }, hetero)).toEqual([0, 1, 1, 1]); // energy only: cpu, gpu's quota on the smallest
    expect(plan({ objective: 'runtime', zeta: 0 }, hetero)).toEqual([1, 0, 0, 0]); // runtime only: gpu
  });
});

describe('wilkins-online on hand-built views', () => {
  it('picks argmin zeta*e_hat - (1-zeta)*a_hat, with the queue penalty when queue-aware', () => {
    // One query in the window: e_hat and a_hat are 0 for A and 1 for B. Score B = zeta - (1 - zeta).
    const c = models();
    expect(make(wilkinsOnlinePolicy, { zeta: 0.6 }, queries, c).route(queries[0]!, [0, 1], c)).toBe(0); // B: +0.2
    expect(make(wilkinsOnlinePolicy, { zeta: 0.4 }, queries, c).route(queries[0]!, [0, 1], c)).toBe(1); // B: -0.2
    c.devices[1]!.q = 3; // B scores -0.2 + 0.1 * 3 = 0.1 > 0
    expect(make(wilkinsOnlinePolicy, { zeta: 0.4 }, queries, c).route(queries[0]!, [0, 1], c)).toBe(0);
    expect(make(wilkinsOnlinePolicy, { zeta: 0.4, queueAware: false }, queries, c).route(queries[0]!, [0, 1], c)).toBe(1);
  });

  it('normalizes over the sliding window of recent queries', () => {
    // Window 1: each query alone, as above. Window 4, zeta 0.55, after the o = 50 query the range is
    // wide: for o = 10 next, B - A = 0.55 * (5/65) - 0.45 * (400/3200) = 0.0423 - 0.0563 < 0: B.
    const c = models();
    const wide = make(wilkinsOnlinePolicy, { zeta: 0.55, window: 4 }, queries, c);
    wide.route(queries[3]!, [0, 1], c);
    expect(wide.route(queries[0]!, [0, 1], c)).toBe(1);
    // Window 1 for the same query: B - A = 0.55 - 0.45 > 0: A.
    const narrow = make(wilkinsOnlinePolicy, { zeta: 0.55, window: 1 }, queries, c);
    narrow.route(queries[3]!, [0, 1], c);
    expect(narrow.route(queries[0]!, [0, 1], c)).toBe(0);
  });

  it('sliding extremes agree with brute force', () => {
    const rng = seedrandom.alea('window');
    for (const size of [1, 2, 5, 17]) {
      const w = slidingExtremes(size);
      const seen: number[] = [];
      expect(Number.isNaN(w.min)).toBe(true);
      for (let i = 0; i < 300; i++) {
        const v = Math.floor(rng() * 20); // many ties
        w.push(v);
        seen.push(v);
        const last = seen.slice(-size);
        expect([w.min, w.max]).toEqual([Math.min(...last), Math.max(...last)]);
      }
    }
  });
});

describe('wilkins-threshold', () => {
  it('sends queries at or below the threshold to the small group', () => {
    const c = cluster([view(0, { group: 'gpu' }), view(1, { group: 'cpu' })]);
    const byInput = make(wilkinsThresholdPolicy, { threshold: 10, small: 'cpu', large: 'gpu' }, queries, c);
    expect(byInput.route(request(0, 0, 10, 99), [0, 1], c)).toBe(1);
    expect(byInput.route(request(0, 0, 11, 1), [0, 1], c)).toBe(0);
    const byProduct = make(wilkinsThresholdPolicy, { feature: 'product', threshold: 300, small: 'cpu', large: 'gpu' }, queries, c);
    expect(queries.map((q) => byProduct.route(q, [0, 1], c))).toEqual([1, 1, 1, 0]); // 100, 300, 200, 500
    const byOutput = make(wilkinsThresholdPolicy, { feature: 'output', threshold: 20, small: 'cpu', large: 'gpu' }, queries, c);
    expect(queries.map((q) => byOutput.route(q, [0, 1], c))).toEqual([1, 0, 1, 0]);
    const typo = make(wilkinsThresholdPolicy, { threshold: 1, small: 'cpus', large: 'gpu' }, queries, c);
    expect(() => typo.route(queries[0]!, [0, 1], c)).toThrow(/policy\.params\.small: expected a device group of the cluster \(gpu, cpu\), found "cpus"/);
  });
  // Found by the fuzz test (and test/reliability/bad-input-items.test.ts): a request naming a model
  // went to the threshold's group even when that group served another model, and simulate() stopped
  // with an internal error (exit 1).
  it('sends a request that names a model only to replicas serving it, in the other group when its own serves another model', () => {
    const c = cluster([view(0, { group: 'gpu', model: 'big' }), view(1, { group: 'cpu', model: 'small' }), view(2, { group: 'gpu', model: 'big' })]);
    const q = [request(0, 0, 5, 1, { model: 'big' }), request(1, 0, 50, 1, { model: 'big' }), request(2, 0, 5, 1)];
    const p = make(wilkinsThresholdPolicy, { threshold: 10, small: 'cpu', large: 'gpu' }, q, c);
    // Large by size and served by gpu: a gpu replica. No model: the small group as before.
    expect([0, 2]).toContain(p.route(q[1]!, [0, 2], c));
    expect(p.route(q[2]!, [0, 1, 2], c)).toBe(1);
    // Small by size, but cpu serves model "small", not "big": a gpu replica, never cpu.
    expect([0, 2]).toContain(p.route(q[0]!, [0, 2], c));
  });
});
