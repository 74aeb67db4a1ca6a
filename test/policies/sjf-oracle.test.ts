import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costEstimator } from '../../src/devices/estimate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { sjfOraclePolicy } from '../../src/policies/sjf-oracle.js';
import type { PolicyDefinition } from '../../src/policies/policy.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import type { Request } from '../../src/workload/request.js';
import { slotsGroup, tokenTimeCost } from '../support/models.js';
import { cluster, linearEstimate, make, request, view } from './views.js';

/** One slots replica, service = outputTokens x 1 s, with the profile estimate policies read. */
function oneSlot(slots = 1): PreparedDeviceGroup {
  const cost = tokenTimeCost(1);
  return { ...slotsGroup(cost, slots), estimate: costEstimator(cost) };
}

function meanE2e(requests: Request[], policy: PolicyDefinition<any>, params: unknown = {}): number {
  const res = simulate({ requests, cluster: [oneSlot()], policy, policyParams: policy.params.parse(params), seed: 1 });
  let sum = 0;
  for (const r of requests) sum += res.records.finishS[r.id]! - r.arrivalS;
  return sum / requests.length;
}

describe('sjf-oracle', () => {
  it('keys waiting requests by true service time (or true output tokens) on the chosen replica', () => {
    const workload = [request(0, 0, 100, 7), request(1, 0, 10, 50)];
    const c = cluster([view(0, { estimate: linearEstimate(0.01, 0.1) })]);
    const p = make(sjfOraclePolicy, {}, workload, c);
    p.route(workload[0]!, [0], c);
    p.route(workload[1]!, [0], c);
    expect(p.priority!(workload[0]!)).toBeCloseTo(0.01 * 100 + 0.1 * 7, 12);
    expect(p.priority!(workload[1]!)).toBeCloseTo(0.01 * 10 + 0.1 * 50, 12);
    const byTokens = make(sjfOraclePolicy, { key: 'output-tokens' }, workload, c);
    byTokens.route(workload[1]!, [0], c);
    expect(byTokens.priority!(workload[1]!)).toBe(50);
    expect(sjfOraclePolicy.oracle).toBe(true);
  });

  it('serves the shortest waiting job first (hand-computed single-slot schedule)', () => {
    // All at t = 0; request 0 (5 s) starts at once, then 2 (1 s), 3 (2 s), 1 (4 s).
    const requests = [request(0, 0, 1, 5), request(1, 0, 1, 4), request(2, 0, 1, 1), request(3, 0, 1, 2)];
    const res = simulate({ requests, cluster: [oneSlot()], policy: sjfOraclePolicy, policyParams: sjfOraclePolicy.params.parse({}), seed: 1 });
    expect(Array.from(res.records.finishS)).toEqual([5, 12, 6, 8]);
    // FCFS for contrast: 5, 9, 10, 12 -> mean e2e 9 vs SJF's 7.75.
    expect(meanE2e(requests, fifoPolicy)).toBe(9);
    expect(meanE2e(requests, sjfOraclePolicy)).toBe(7.75);
  });

  it('is never worse than FCFS on mean response time on one single-slot replica (property)', () => {
    // Both are work conserving, so their busy periods coincide; a brute-force search of two million
    // small integer instances found no path where SJF loses on one server. With two slots such
    // paths exist (e.g. arrivals 1,1,1,3,4,6,7 with sizes 4,2,2,8,2,2,8), hence one slot here.
    const job = fc.record({ gap: fc.integer({ min: 0, max: 6 }), tokens: fc.integer({ min: 1, max: 12 }) });
    fc.assert(
      fc.property(fc.array(job, { minLength: 1, maxLength: 40 }), (jobs) => {
        let t = 0;
        const requests = jobs.map((j, i) => request(i, (t += j.gap), 1, j.tokens));
        expect(meanE2e(requests, sjfOraclePolicy)).toBeLessThanOrEqual(meanE2e(requests, fifoPolicy) + 1e-9);
      }),
      { numRuns: 300, seed: 20240601 },
    );
  });
});
