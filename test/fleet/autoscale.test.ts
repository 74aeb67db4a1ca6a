/**
 * Autoscaling, hand-computed: slots replicas with one slot and 1 s of service per output token
 * (test/support/models.ts), so every time below follows from the rules in docs/fleet.md.
 */
import { describe, expect, it } from 'vitest';
import { autoscaleSchema } from '../../src/fleet/schema.js';
import type { FleetRuntime } from '../../src/fleet/controller.js';
import { STATUS_FINISHED } from '../../src/metrics/records.js';
import { summarize } from '../../src/metrics/summary.js';
import { leastLoadedPolicy } from '../../src/policies/least-loaded.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import type { Request } from '../../src/workload/request.js';
import { req, slotsGroup, tokenTimeCost } from '../support/models.js';

function run(requests: Request[], group: PreparedDeviceGroup, autoscale: Record<string, unknown>, extra: Partial<FleetRuntime['groups'][number]> = {}) {
  const a = autoscaleSchema.parse(autoscale);
  const provisionS = a.bootS + (a.weightBytes ?? 0) / (a.storageBytesPerS ?? Infinity);
  return simulate({ requests, cluster: [group], policy: leastLoadedPolicy, policyParams: {}, seed: 1, fleet: { groups: [{ autoscale: { ...a, provisionS }, ...extra }] } });
}

const base = { signal: 'queue', upAbove: 0.5, downBelow: 0, intervalS: 1, upCooldownS: 0, downCooldownS: 1000, bootS: 2, storageBytesPerS: 1e9, weightBytes: 3e9 };

describe('scale-up with a provisioning delay', () => {
  it('adds a replica at the first tick that sees the queue, ready bootS + weights/bandwidth later', () => {
    // Replica 0 serves r0 (10 tokens) 0-10; r1 and r2 (3 tokens) arrive at 0.5 and queue there.
    // Tick at 1: 2 queued per ready replica > 0.5 -> replica 1 boots at 1, ready at 1 + 2 + 3e9/1e9 = 6.
    // r3 (2 tokens) arrives at 7 and goes to the idle replica 1: 7-9 (a fixed single replica: 16-18).
    // r1 and r2 stay where they were routed: 10-13 and 13-16.
    const res = run([req(0, 0, 5, 10), req(1, 0.5, 5, 3), req(2, 0.5, 5, 3), req(3, 7, 5, 2)], slotsGroup(tokenTimeCost(1), 1, 1), { ...base, min: 1, max: 2 });
    expect(res.fleet!.events).toEqual([
      { timeS: 1, replica: 'srv/1', event: 'up' },
      { timeS: 6, replica: 'srv/1', event: 'ready' },
    ]);
    expect(Array.from(res.records.finishS)).toEqual([10, 13, 16, 9]);
    expect(res.records.device[3]).toBe(1);
    const g = res.fleet!.groups[0]!;
    // Window 0-16: replica 0 on all of it, replica 1 from 1 (booting counts) to 16.
    expect(g.replicaS).toBe(16 + 15);
    expect(g.gpuHours).toBeCloseTo(31 / 3600, 12);
    expect(g.peakReplicas).toBe(2);
    expect(g.scaleUps).toBe(1);
  });

  it('respects the up-cooldown and max', () => {
    // Same queue but max 3 and a 4 s up-cooldown: up at 1 and 5 (ticks 2-4 are in the cooldown).
    const res = run([req(0, 0, 5, 10), req(1, 0.5, 5, 3), req(2, 0.5, 5, 3)], slotsGroup(tokenTimeCost(1), 1, 1), { ...base, min: 1, max: 3, upCooldownS: 4 });
    expect(res.fleet!.events.filter((e) => e.event === 'up').map((e) => [e.timeS, e.replica])).toEqual([
      [1, 'srv/1'],
      [5, 'srv/2'],
    ]);
  });
});

describe('signals', () => {
  it('utilization: running / capacity of ready replicas, seen by the tick after the arrivals at its instant', () => {
    // r0 arrives at 0 and takes the only slot: 1/1 > 0.5 at the tick at 0 -> up at 0, ready at 5.
    const res = run([req(0, 0, 5, 10)], slotsGroup(tokenTimeCost(1), 1, 1), { ...base, signal: 'utilization', min: 1, max: 2 });
    expect(res.fleet!.events.slice(0, 2)).toEqual([
      { timeS: 0, replica: 'srv/1', event: 'up' },
      { timeS: 5, replica: 'srv/1', event: 'ready' },
    ]);
  });

  it('slo-miss: the fraction of requests ended in the window that missed the slo', () => {
    // E2E objective 2 s: r0 (3 tokens) ends at 3, a miss; ticks at 0-2 saw no end (0); the tick at 3 sees 1/1 > 0.5.
    const a = autoscaleSchema.parse({ ...base, signal: 'slo-miss', min: 1, max: 2 });
    const res = simulate({
      requests: [req(0, 0, 5, 3), req(1, 10, 5, 1)],
      cluster: [slotsGroup(tokenTimeCost(1), 1, 1)],
      policy: leastLoadedPolicy,
      policyParams: {},
      seed: 1,
      fleet: { groups: [{ autoscale: { ...a, provisionS: 5 } }], slo: { e2eS: 2 } },
    });
    expect(res.fleet!.events[0]).toEqual({ timeS: 3, replica: 'srv/1', event: 'up' });
  });
});

describe('scale to zero and cold starts', () => {
  it('holds requests at the router until a replica is ready, then drains and switches it off', () => {
    // No replica at 0. r0 (10 tokens) arrives at 0: cold start, ready at 5, runs 5-15. The tick at 5
    // sees an empty queue (< 0.5) 5 s after the last scale event (cooldown 1): drain, off at 15.
    // r1 (1 token) arrives at 30: cold start again, ready at 35, runs 35-36; drained at the 35 tick, off at 36.
    const res = run([req(0, 0, 5, 10), req(1, 30, 5, 1)], slotsGroup(tokenTimeCost(1), 1, 1), { ...base, initial: 0, upAbove: 0.5, downBelow: 0.5, downCooldownS: 1, min: 0, max: 1 });
    expect(Array.from(res.records.status)).toEqual([STATUS_FINISHED, STATUS_FINISHED]);
    expect(Array.from(res.records.startS)).toEqual([5, 35]);
    expect(Array.from(res.records.finishS)).toEqual([15, 36]);
    expect(res.fleet!.events.map((e) => `${e.timeS} ${e.event}`)).toEqual(['0 up', '5 ready', '5 down', '15 off', '30 up', '35 ready', '35 down', '36 off']);
    expect(res.fleet!.heldRequests).toBe(2);
    expect(res.fleet!.groups[0]!.replicaS).toBe(15 + 6);
    // TTFT includes the cold start: queueing delay 5 s each.
    const s = summarize(res);
    expect(s.latency.queueingDelayS.max).toBe(5);
  });

  it('a request that times out while held is recorded at its timeout and never routed', () => {
    const res = run([{ ...req(0, 0, 5, 10), timeoutS: 2 }], slotsGroup(tokenTimeCost(1), 1, 1), { ...base, initial: 0, min: 0, max: 1 });
    expect(res.records.timedOutS[0]).toBe(2);
    expect(res.records.device[0]).toBe(-1);
  });
});

describe('cost', () => {
  it('GPU-hours x price; idle energy only while provisioned', () => {
    const cost = { ...tokenTimeCost(1), idlePowerW: 10 };
    const res = run([req(0, 0, 5, 10), req(1, 30, 5, 1)], slotsGroup(cost, 1, 1), { ...base, initial: 0, downBelow: 0.5, downCooldownS: 1, min: 0, max: 1 }, { pricePerGpuHour: 3.6 });
    const g = res.fleet!.groups[0]!;
    expect(g.costUsd).toBeCloseTo((21 / 3600) * 3.6, 12);
    // Provisioned 21 s, busy 11 s: 10 s idle at 10 W.
    expect(res.devices[0]!.idleEnergyJ).toBeCloseTo(100, 9);
  });
});

describe('invariants', () => {
  it('an autoscaler pinned at min = max = initial gives the fixed fleet, and prices change nothing else', async () => {
    const { loadScenario } = await import('../../src/scenario/load.js');
    const { runScenario } = await import('../../src/scenario/run.js');
    const { checkScenario } = await import('../../src/scenario/load.js');
    const base = loadScenario('test/golden/cb-fifo-least-loaded.yaml');
    const name = base.scenario.cluster.devices[0]!.name;
    const n = base.scenario.cluster.devices[0]!.replicas;
    const plain = runScenario(base).summary;
    const withFleet = (fleet: unknown) => runScenario(checkScenario({ ...base.scenario, fleet }, { file: base.file, baseDir: base.baseDir })).summary;
    const priced = withFleet({ groups: { [name]: { pricePerGpuHour: 2 } } });
    const pinned = withFleet({ groups: { [name]: { pricePerGpuHour: 2, autoscale: { min: n, max: n, signal: 'queue', upAbove: 0, downBelow: 0 } } } });
    const { fleet: f1, ...rest1 } = priced;
    const { fleet: f2, ...rest2 } = pinned;
    expect(rest1).toEqual(plain);
    // Identical but for the engine's event count, which includes the controller's decision ticks.
    expect({ ...rest2, sim: { ...rest2.sim, events: 0 } }).toEqual({ ...plain, sim: { ...plain.sim, events: 0 } });
    expect(rest2.sim.events).toBeGreaterThan(plain.sim.events);
    expect(f2!.gpuHours).toBe(f1!.gpuHours);
    expect(f1!.costUsd).toBeCloseTo(f1!.gpuHours! * 2, 4);
  });
});
