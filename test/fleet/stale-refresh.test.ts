/**
 * Stale signals (policy.params.refreshS) with the fleet's router hold and with admission rejections
 * (fix 4d88e21): the snapshot keeps refreshing at every k x refreshS while some request is still to
 * be routed, and stops once every request is routed or rejected. Slots replicas with one slot and
 * 1 s of service per output token (test/support/models.ts), so every time below is hand-derived.
 */
import { describe, expect, it } from 'vitest';
import { autoscaleSchema } from '../../src/fleet/schema.js';
import { z } from 'zod';
import type { PolicyDefinition } from '../../src/policies/policy.js';
import { STATUS_FINISHED, STATUS_REJECTED } from '../../src/metrics/records.js';
import { simulate, type SimInput } from '../../src/simulation/simulate.js';
import { req, slotsGroup, tokenTimeCost } from '../support/models.js';

/** Routes to the first eligible replica and records, per request, the running count its (stale) view shows. */
function recordingPolicy(seen: Map<number, number>): PolicyDefinition<unknown> {
  return {
    name: 'recording',
    description: 'test',
    params: z.unknown(),
    create: () => ({
      route(request, eligible, cluster) {
        seen.set(request.id, cluster.devices[eligible[0]!]!.running());
        return eligible[0]!;
      },
    }),
  };
}

describe('stale-signal refreshes with requests held at the router (autoscaled fleet)', () => {
  // Scale to zero, nothing ready at 0: r0 (5 tokens) arrives at 0 and is held; the cold start boots
  // the replica at 0, ready at bootS = 2, where r0 is dispatched and runs 2-7. r1 (1 token) arrives
  // at 9.5. Refreshes at 1, 2, ..., 9 (each after the replica events due then): the snapshot r1 is
  // routed on is the one at 9, when r0 had ended (running 0). Before 4d88e21 the held r0 was counted
  // as routed twice (on arrival and at dispatch), so the refreshes stopped after the one at 2
  // (running 1) and r1 was routed on that.
  const a = autoscaleSchema.parse({ min: 0, max: 1, initial: 0, signal: 'queue', upAbove: 0.5, downBelow: 0, intervalS: 1, upCooldownS: 0, downCooldownS: 1000, bootS: 2 });
  const input = (seen: Map<number, number>): SimInput => ({
    requests: [req(0, 0, 5, 5), req(1, 9.5, 5, 1)],
    cluster: [slotsGroup(tokenTimeCost(1), 1, 1)],
    policy: recordingPolicy(seen),
    policyParams: { refreshS: 1 },
    seed: 1,
    fleet: { groups: [{ autoscale: { ...a, provisionS: a.bootS } }] },
  });

  it('routes a later arrival on the snapshot of the last refresh instant, not one frozen at the dispatch', () => {
    const seen = new Map<number, number>();
    const res = simulate(input(seen));
    expect(res.fleet!.heldRequests).toBe(1);
    expect(Array.from(res.records.finishS)).toEqual([7, 10.5]);
    expect(seen.get(0)).toBe(0); // at its dispatch (2): the snapshot of 1, before the replica was ready
    expect(seen.get(1)).toBe(0); // at 9.5: the snapshot of 9
  });
});

describe('stale-signal refreshes with admission rejections', () => {
  // One slot, maxQueue 1: r0 (100 tokens) runs 0-100, r1 (1 token, at 0.2) waits, r2 (at 0.5) finds
  // one waiting and is rejected. Every request is then settled at 0.5: the refresh at 1 is the last
  // (2 engine events: the instant and its re-queue behind the replica events). Before 4d88e21 a
  // rejection was never counted, so refreshes went on every second until the run ended at 101.
  const input = (refreshS?: number): SimInput => ({
    requests: [req(0, 0, 5, 100), req(1, 0.2, 5, 1), req(2, 0.5, 5, 1)],
    cluster: [slotsGroup(tokenTimeCost(1), 1, 1)],
    policy: recordingPolicy(new Map()),
    policyParams: refreshS === undefined ? {} : { refreshS },
    seed: 1,
    admission: { maxQueue: 1 },
  });

  it('stop once every request is routed or rejected', () => {
    const stale = simulate(input(1));
    const fresh = simulate(input());
    expect(Array.from(stale.records.status)).toEqual([STATUS_FINISHED, STATUS_FINISHED, STATUS_REJECTED]);
    expect(Array.from(stale.records.finishS.slice(0, 2))).toEqual([100, 101]);
    expect(stale.events - fresh.events).toBe(2);
  });
});
