import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simulate } from '../../src/simulation/simulate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { STATUS_FINISHED, STATUS_REJECTED } from '../../src/metrics/records.js';
import type { RequestCostModel } from '../../src/profiles/model.js';
import { summarize } from '../../src/metrics/summary.js';
import { cbGroup, req, slotsGroup, testIterationModel, tokenTimeCost } from '../support/models.js';

const bilinearLike: RequestCostModel = {
  serviceS: (p, o) => 0.001 * p + 0.02 * o,
  energyJ: (p, o) => 0.3 * p + 5 * o,
  clamped: () => false,
  idlePowerW: 40,
};

const workload = fc.array(
  fc.record({ gap: fc.double({ min: 0, max: 1, noNaN: true }), prompt: fc.integer({ min: 1, max: 2000 }), output: fc.integer({ min: 1, max: 400 }) }),
  { minLength: 1, maxLength: 120 },
);

describe('simulation invariants on random workloads and clusters', () => {
  it('conservation, causality, KV within capacity, slots never oversubscribed, energy above the idle floor', () => {
    fc.assert(
      fc.property(
        workload,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 600, max: 6000 }),
        fc.constantFrom('round-robin', 'least-loaded'),
        (items, cbReplicas, slots, kvTokens, routing) => {
          let t = 0;
          const requests = items.map((it, i) => req(i, (t += it.gap), it.prompt, it.output));
          const model = testIterationModel({ prefill: [0.01, 0.0001], decode: [0.02, 0.0004, 0.000002], busyW: [400, 2], idleW: 90, kvTokens });
          // Slots replicas serve model "m" as well, so routing mixes both kinds.
          const res = simulate({
            requests,
            cluster: [cbGroup(model, { maxBatchSize: 8, blockSize: 16, maxBatchedTokens: 2048 }, cbReplicas), slotsGroup(bilinearLike, slots, 1)],
            policy: fifoPolicy,
            policyParams: { routing },
            seed: 1,
          });
          const r = res.records;
          let finished = 0;
          for (let i = 0; i < requests.length; i++) {
            const q = requests[i]!;
            if (r.status[i] === STATUS_REJECTED) {
              expect(r.rejectReason.get(i)).toBeTruthy();
              continue;
            }
            expect(r.status[i]).toBe(STATUS_FINISHED);
            finished++;
            expect(r.startS[i]).toBeGreaterThanOrEqual(q.arrivalS);
            if (!Number.isNaN(r.firstTokenS[i]!)) expect(r.firstTokenS[i]).toBeGreaterThan(r.startS[i]!);
            expect(r.finishS[i]).toBeGreaterThan(r.startS[i]!);
            expect(r.finishS[i]).toBeLessThanOrEqual(res.endS);
            expect(r.energyJ[i]).toBeGreaterThanOrEqual(0);
          }
          // Every request finished or was rejected (simulate also throws otherwise).
          expect(finished + r.rejectReason.size).toBe(requests.length);
          for (const d of res.devices) {
            expect(d.busyS).toBeLessThanOrEqual(res.endS + 1e-9);
            expect(d.busyEnergyJ).toBeGreaterThanOrEqual(0);
            const idleW = d.kind === 'slots' ? 40 * slots : 90;
            // Energy >= what the device would draw idling the whole window, first arrival to last finish
            // (busy power exceeds idle power here: 400+ W vs 90 W for batching, 250-300 W per busy slot vs 40 W).
            const windowS = res.window.endS - res.window.startS;
            expect(windowS).toBeLessThanOrEqual(res.endS - requests[0]!.arrivalS);
            expect(d.busyEnergyJ + d.idleEnergyJ).toBeGreaterThanOrEqual(idleW * windowS * (1 - 1e-12) - 1e-6);
            expect(d.peakKvTokens).toBeLessThanOrEqual(d.kvCapacityTokens);
          }
          // Per-request energy shares add up to the devices' busy energy.
          const shares = Array.from(r.energyJ).reduce((a, b) => a + b, 0);
          const busy = res.devices.reduce((a, d) => a + d.busyEnergyJ, 0);
          expect(Math.abs(shares - busy)).toBeLessThanOrEqual(1e-6 * Math.max(1, busy));
          // The slots replica never serves more than `slots` requests at once.
          const slotIndex = res.devices.findIndex((d) => d.kind === 'slots');
          const events: Array<[number, number]> = [];
          for (let i = 0; i < requests.length; i++) {
            if (r.device[i] === slotIndex && r.status[i] === STATUS_FINISHED) events.push([r.startS[i]!, 1], [r.finishS[i]!, -1]);
          }
          events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          let busyNow = 0;
          for (const [, delta] of events) {
            busyNow += delta;
            expect(busyNow).toBeLessThanOrEqual(slots);
          }
        },
      ),
      { numRuns: 120, seed: 11 },
    );
  });
});

describe('one time window for rates, utilization and idle energy', () => {
  it('counts idle power from the first arrival, not from t = 0 (hand-computed)', () => {
    // One slot, service = 2 s per output token; idle 40 W. Requests at t = 100 and t = 105, 1 token each:
    // busy 100-102 and 105-107. Window 100..107 = 7 s, busy 4 s, idle 3 s -> 120 J (counting from t = 0: 4120 J).
    const res = simulate({
      requests: [req(0, 100, 10, 1), req(1, 105, 10, 1)],
      cluster: [slotsGroup({ ...tokenTimeCost(2), idlePowerW: 40 }, 1)],
      policy: fifoPolicy,
      policyParams: { routing: 'round-robin' },
      seed: 1,
    });
    expect(res.window).toEqual({ startS: 100, endS: 107 });
    expect(res.devices[0]!.idleEnergyJ).toBeCloseTo(120, 9);
    const s = summarize(res);
    expect(s.window).toEqual({ startS: 100, endS: 107 });
    expect(s.throughput.spanS).toBe(7);
    expect(s.devices[0]!.utilization).toBeCloseTo(4 / 7, 6);
  });
});
