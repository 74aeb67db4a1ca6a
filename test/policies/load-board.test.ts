// The load board (ClusterView.loads): in a run of `slots` replicas (streamed or in memory),
// least-loaded reads each replica's load from an array the replicas keep instead of calling
// queued() and running().
// Oracle: those two functions, read at every routing decision, and the choice they give.
import { describe, expect, it } from 'vitest';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { definePolicy, type ClusterView } from '../../src/policies/policy.js';
import { leastLoaded } from '../../src/policies/routing.js';
import { STATUS_FINISHED } from '../../src/metrics/records.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import { simulateStream } from '../../src/simulation/stream.js';
import type { Request } from '../../src/workload/request.js';
import { cbGroup, req, slotsGroup, testIterationModel, tokenTimeCost } from '../support/models.js';

/** Arrivals faster than the replicas serve, so queues form and loads differ (seeded LCG). */
function workload(seed: number, n: number): Request[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) / 4294967296);
  const out: Request[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += rand() < 0.2 ? 0 : -Math.log(1 - rand()) * 0.05; // some arrivals at the same instant
    out.push(req(i, t, 10 + Math.floor(rand() * 100), 1 + Math.floor(rand() * 40)));
  }
  return out;
}

function run(cluster: PreparedDeviceGroup[], seed: number, inMemory = false, params: Record<string, unknown> = {}) {
  const requests = workload(seed, 3000);
  const checks = { routes: 0, mismatches: 0, board: 0, unequalLoads: 0, maxLoad: 0 };
  const policy = definePolicy({
    ...fifoPolicy,
    create(params, env) {
      const inner = fifoPolicy.create(params, env);
      return {
        ...inner,
        route(r, eligible, c: ClusterView) {
          checks.routes++;
          const called = c.devices.map((d) => d.queued() + d.running());
          if (c.loads) {
            checks.board++;
            if (called.some((l, i) => c.loads![i] !== l)) checks.mismatches++;
          }
          if (new Set(called).size > 1) checks.unequalLoads++;
          checks.maxLoad = Math.max(checks.maxLoad, ...called);
          const chosen = inner.route(r, eligible, c);
          // The same choice as from the functions (a view without the board).
          if (chosen !== leastLoaded(eligible, { devices: c.devices, nowS: c.nowS })) checks.mismatches++;
          return chosen;
        },
      };
    },
  });
  // Extra params (refreshS) are read by simulate itself (signals.ts refreshSOf), not by the policy.
  const policyParams = { ...fifoPolicy.params.parse({ routing: 'least-loaded' }), ...params };
  if (inMemory) {
    const result = simulate({ requests, cluster, policy, policyParams, seed });
    return { checks, total: result.records.status.filter((st) => st === STATUS_FINISHED).length };
  }
  let i = 0;
  const result = simulateStream({ cluster, policy, policyParams, seed, source: { next: () => requests[i++] } }, { take: () => {} });
  return { checks, total: result.total };
}

describe('load board', () => {
  it.each([
    [1, false],
    [2, false],
    [3, false],
    [1, true],
    [2, true],
  ])('seed %i, in memory %s: slots replicas keep it equal to queued() + running(), and least-loaded chooses as from those', (seed, inMemory) => {
    const group = { ...slotsGroup(tokenTimeCost(0.015), 2, 4), keepsLoads: true };
    const { checks, total } = run([group], seed, inMemory);
    expect(total).toBe(3000);
    expect(checks.routes).toBe(3000);
    expect(checks.board).toBe(3000);
    expect(checks.mismatches).toBe(0);
    // Not a trivial run: loads differed between replicas and queues formed (a load above the 2 slots waits).
    expect(checks.unequalLoads).toBeGreaterThan(1000);
    expect(checks.maxLoad).toBeGreaterThan(4);
  });

  it.each([
    ['vllm-v1', false, {}],
    ['vllm-v1', true, {}],
    ['sarathi', false, { scheduler: 'sarathi' }],
    ['prefill-first', true, { scheduler: 'prefill-first' }],
    // A KV cache a few requests fill: preemptions (recompute) and requeues change both counts at once.
    ['vllm-v1, small KV cache', false, { kvCapacityTokens: 400 }],
    ['legacy, small KV cache', true, { scheduler: 'legacy', kvCapacityTokens: 400 }],
  ])('continuous batching (%s, streamed %s): replicas keep it equal to queued() + running()', (_name, streamed, spec) => {
    const model = testIterationModel({ prefill: [0.01, 0.0001], decode: [0.02, 0.0005, 0], kvTokens: 100000 });
    const group = { ...cbGroup(model, { scheduler: 'vllm-v1', maxBatchSize: 4, ...spec }, 3), keepsLoads: true };
    const { checks, total } = run([group], 7, !streamed);
    expect(total).toBeGreaterThan(2900); // a few may not fit the small cache (rejected)
    expect(checks.routes).toBe(3000);
    expect(checks.board).toBe(3000);
    expect(checks.mismatches).toBe(0);
    expect(checks.unequalLoads).toBeGreaterThan(1000);
    expect(checks.maxLoad).toBeGreaterThan(8);
  });

  it("is not given under stale signals (refreshS): those loads are the last refresh's", () => {
    const group = { ...slotsGroup(tokenTimeCost(0.015), 2, 4), keepsLoads: true };
    const { checks, total } = run([group], 1, true, { refreshS: 0.5 });
    expect(total).toBe(3000);
    expect(checks.routes).toBe(3000);
    expect(checks.board).toBe(0);
  });

  it('is not given when some replica does not keep it', () => {
    const slots = { ...slotsGroup(tokenTimeCost(0.01), 2, 2), keepsLoads: true };
    const cb = cbGroup(testIterationModel({ prefill: [0.01, 0.0001], decode: [0.005, 0.0001, 0], kvTokens: 100000 }), {}, 2);
    const { checks } = run([slots, { ...cb, model: 'm' }], 1);
    expect(checks.routes).toBe(3000);
    expect(checks.board).toBe(0);
    expect(checks.mismatches).toBe(0);
  });
});
