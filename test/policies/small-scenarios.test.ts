import { describe, expect, it } from 'vitest';
import { costEstimator } from '../../src/devices/estimate.js';
import { createSlotsDevice, slotsDeviceSchema } from '../../src/devices/slots.js';
import { summarize } from '../../src/metrics/summary.js';
import { leastLoadedPolicy } from '../../src/policies/least-loaded.js';
import type { PolicyDefinition } from '../../src/policies/policy.js';
import { randomPolicy } from '../../src/policies/random.js';
import { wilkinsOfflinePolicy } from '../../src/policies/wilkins-offline.js';
import { wilkinsOnlinePolicy } from '../../src/policies/wilkins-online.js';
import { wilkinsThresholdPolicy } from '../../src/policies/wilkins-threshold.js';
import type { RequestCostModel } from '../../src/profiles/model.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import { request } from './views.js';

/** A slots group serving `model`: `sPerToken` s and `jPerToken` J per output token, accuracy A_K. */
function group(name: string, model: string, sPerToken: number, jPerToken: number, accuracy: number, replicas = 1): PreparedDeviceGroup {
  const cost: RequestCostModel = { serviceS: (_p, o) => sPerToken * o, energyJ: (_p, o) => jPerToken * o, clamped: () => false, idlePowerW: 0 };
  const spec = slotsDeviceSchema.parse({ name, kind: 'slots', profile: 'test', replicas, slots: 1 });
  return { name, kind: 'slots', model, replicas, accuracy, gpus: 1, estimate: costEstimator(cost), create: (ctx, id) => createSlotsDevice(spec, cost, ctx, id) };
}

// Model A: 1 s and 1 J per output token, accuracy 50. Model B: 2 s and 1.5 J per token, accuracy 70.
const TWO_MODELS = [group('a', 'A', 1, 1, 50), group('b', 'B', 2, 1.5, 70)];
// 10-token prompts; outputs 10, 30, 20, 50 tokens; arrivals 0, 1, 2, 3 s.
const QUERIES = [request(0, 0, 10, 10), request(1, 1, 10, 30), request(2, 2, 10, 20), request(3, 3, 10, 50)];

function run(policy: PolicyDefinition<any>, params: unknown, cluster = TWO_MODELS) {
  const result = simulate({ requests: QUERIES, cluster, policy, policyParams: policy.params.parse(params), seed: 1 });
  return { result, summary: summarize(result) };
}

/**
 * The plan B, B, B, A (worked out by hand in wilkins.test.ts for the offline optimum), simulated:
 * on B (one slot, 2 s/token) query 0 runs 0-20 s, query 1 waits and runs 20-80, query 2 80-120; on
 * A query 3 runs 3-53. Energy 1.5 x (10 + 30 + 20) + 50 = 140 J. Accuracy proxy: 90 tokens at 70%
 * and 60 at 50%: (6300 + 3000) / 150 = 62%.
 */
function expectPlanBBBA(r: ReturnType<typeof run>): void {
  expect(Array.from(r.result.records.device)).toEqual([1, 1, 1, 0]);
  expect(Array.from(r.result.records.finishS)).toEqual([20, 80, 120, 53]);
  expect(r.summary.energy.totalJ).toBe(140);
  expect(r.summary.accuracy.tokenWeightedPct).toBe(62);
  expect(r.summary.models).toEqual([
    { model: 'A', replicas: 1, finished: 1, tokens: 60, energyJ: 50, accuracyPct: 50 },
    { model: 'B', replicas: 1, finished: 3, tokens: 90, energyJ: 90, accuracyPct: 70 },
  ]);
}

describe('small scenarios with hand-computed outcomes', () => {
  it('wilkins-offline (zeta 0.5) runs its plan', () => {
    expectPlanBBBA(run(wilkinsOfflinePolicy, { zeta: 0.5 }));
  });

  it('wilkins-online: queue penalty moves the last query to A; without it B queues everything', () => {
    // Window 1: each query normalized alone, e_hat = a_hat = 0 on A and 1 on B: score B = 0.4 - 0.6
    // + 0.1 x queued(B), A = 0.1 x queued(A). Queries 0-2 go to B (B queued 0, 0, 1); for query 3
    // B scores -0.2 + 0.2 = 0, a tie with A, which comes first.
    expectPlanBBBA(run(wilkinsOnlinePolicy, { zeta: 0.4, window: 1 }));
    const blind = run(wilkinsOnlinePolicy, { zeta: 0.4, window: 1, queueAware: false });
    expect(Array.from(blind.result.records.finishS)).toEqual([20, 80, 120, 220]);
  });

  it('wilkins-threshold: input x output <= 300 to B', () => {
    expectPlanBBBA(run(wilkinsThresholdPolicy, { feature: 'product', threshold: 300, small: 'b', large: 'a' }));
  });

  it('random with one replica is FCFS: 10, 40, 60, 110', () => {
    const r = run(randomPolicy, {}, [group('a', 'A', 1, 1, 50)]);
    expect(Array.from(r.result.records.finishS)).toEqual([10, 40, 60, 110]);
  });

  it('least-loaded over two replicas: 0 -> r0, 1 -> r1, 2 -> r0 (tie), 3 -> r1', () => {
    // r0: query 0 0-10, query 2 10-30; r1: query 1 1-31, query 3 31-81.
    const r = run(leastLoadedPolicy, {}, [group('a', 'A', 1, 1, 50, 2)]);
    expect(Array.from(r.result.records.device)).toEqual([0, 1, 0, 1]);
    expect(Array.from(r.result.records.finishS)).toEqual([10, 31, 30, 81]);
  });
});
