/**
 * Invariants of autoscaled runs over random workloads and settings: every request ends; no replica
 * starts a request while it is not provisioned; provisioned time stays within max x window; energy
 * is never negative.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { autoscaleSchema, AUTOSCALE_SIGNALS } from '../../src/fleet/schema.js';
import { STATUS_PENDING } from '../../src/metrics/records.js';
import { leastLoadedPolicy } from '../../src/policies/least-loaded.js';
import { simulate } from '../../src/simulation/simulate.js';
import { cbGroup, req, slotsGroup, testIterationModel, tokenTimeCost } from '../support/models.js';

const model = testIterationModel({ prefill: [0.01, 0.001], decode: [0.02, 0.001, 0.0001], busyW: [300, 5], idleW: 50, kvTokens: 4000 });

describe('autoscaling invariants', () => {
  it('hold over random workloads and settings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 60, noNaN: true }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.option(fc.double({ min: 0.5, max: 30, noNaN: true }), { nil: undefined })), { minLength: 1, maxLength: 40 }),
        fc.record({
          batching: fc.boolean(),
          min: fc.integer({ min: 0, max: 2 }),
          extra: fc.integer({ min: 0, max: 3 }),
          signal: fc.constantFrom(...AUTOSCALE_SIGNALS),
          upAbove: fc.double({ min: 0, max: 2, noNaN: true }),
          down: fc.double({ min: 0, max: 1, noNaN: true }),
          intervalS: fc.double({ min: 0.1, max: 10, noNaN: true }),
          upCooldownS: fc.double({ min: 0, max: 10, noNaN: true }),
          downCooldownS: fc.double({ min: 0, max: 10, noNaN: true }),
          provisionS: fc.double({ min: 0, max: 10, noNaN: true }),
          step: fc.integer({ min: 1, max: 2 }),
        }),
        (rows, o) => {
          const requests = rows
            .map(([t, p, out, timeout]) => ({ ...req(0, t, p, out), ...(timeout !== undefined && { timeoutS: timeout }) }))
            .sort((a, b) => a.arrivalS - b.arrivalS)
            .map((r, i) => ({ ...r, id: i }));
          const max = Math.max(1, o.min + o.extra);
          const a = autoscaleSchema.parse({ min: o.min, max, initial: o.min, signal: o.signal, upAbove: o.upAbove, downBelow: o.upAbove * o.down, intervalS: o.intervalS, upCooldownS: o.upCooldownS, downCooldownS: o.downCooldownS, step: o.step });
          const group = o.batching ? cbGroup(model, { scheduler: 'vllm-v1', maxBatchSize: 4 }, 1) : slotsGroup({ ...tokenTimeCost(0.1), idlePowerW: 10 }, 2, 1);
          const res = simulate({ requests, cluster: [group], policy: leastLoadedPolicy, policyParams: {}, seed: 1, fleet: { groups: [{ autoscale: { ...a, provisionS: o.provisionS } }], slo: { e2eS: 5 } } });
          for (let i = 0; i < requests.length; i++) expect(res.records.status[i]).not.toBe(STATUS_PENDING);
          // Provisioned intervals per replica from the events: starts must precede service on it.
          const on = new Map<string, [number, number][]>();
          for (let r = 0; r < o.min; r++) on.set(`${group.name}/${r}`, [[-Infinity, Infinity]]);
          for (const e of res.fleet!.events) {
            const list = on.get(e.replica) ?? [];
            if (e.event === 'up') list.push([e.timeS, Infinity]);
            if (e.event === 'off') list[list.length - 1]![1] = e.timeS;
            on.set(e.replica, list);
          }
          for (let i = 0; i < requests.length; i++) {
            const d = res.records.device[i]!;
            if (d < 0) continue;
            const name = `${group.name}/${d}`;
            const s = res.records.startS[i]!;
            expect((on.get(name) ?? []).some(([from, to]) => s >= from && s <= to)).toBe(true);
          }
          const span = res.window.endS - res.window.startS;
          const g = res.fleet!.groups[0]!;
          expect(g.replicaS).toBeLessThanOrEqual(max * span + 1e-9);
          expect(g.peakReplicas).toBeLessThanOrEqual(max);
          for (const d of res.devices) {
            expect(d.idleEnergyJ).toBeGreaterThanOrEqual(0);
            expect(d.busyEnergyJ).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 200, seed: 15 },
    );
  });
});
