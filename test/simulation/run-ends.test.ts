/**
 * When a run ends and what its devices count, where requests end in other ways than finishing:
 * found by the fuzz test (test/reliability/fuzz.test.ts), each case computed by hand here.
 */
import { describe, expect, it } from 'vitest';
import { createStaticBatchingDevice, staticBatchingDeviceSchema } from '../../src/devices/static-batching.js';
import { summarize } from '../../src/metrics/summary.js';
import { STATUS_FINISHED, STATUS_TIMED_OUT } from '../../src/metrics/records.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import type { IterationModel } from '../../src/profiles/model.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import type { Request } from '../../src/workload/request.js';
import { cbGroup, req, slotsGroup, testIterationModel, tokenTimeCost } from '../support/models.js';

const withTimeout = (r: Request, timeoutS: number): Request => ({ ...r, timeoutS });

function staticGroup(model: IterationModel, spec: Record<string, unknown> = {}): PreparedDeviceGroup {
  const parsed = staticBatchingDeviceSchema.parse({ name: 'sb', kind: 'static-batching', profile: 'test', ...spec });
  return { name: parsed.name, kind: parsed.kind, model: 'm', replicas: 1, create: (ctx, id) => createStaticBatchingDevice(parsed, model, ctx, id) };
}

describe('a request whose client gives up while a replica that cannot stop it serves it', () => {
  it('slots: counts as timed out, not as a finish of the replica', () => {
    // One slot, 1 s per output token: A (10 tokens) runs 0-10, its client gives up at 2. B arrives at 1
    // (1 token), waits for the slot, runs 10-11.
    const res = simulate({
      requests: [withTimeout(req(0, 0, 5, 10), 2), req(1, 1, 5, 1)],
      cluster: [slotsGroup(tokenTimeCost(1), 1)],
      policy: fifoPolicy,
      policyParams: {},
      seed: 1,
    });
    expect(res.records.status[0]).toBe(STATUS_TIMED_OUT);
    expect(res.records.timedOutS[0]).toBe(2);
    expect(res.records.finishS[1]).toBe(11);
    const d = res.devices[0]!;
    expect(d.finished).toBe(1); // B only (was 2: A's service was counted as a finish)
    expect(d.iterations).toBe(2); // both services
    const s = summarize(res);
    expect(s.requests.finished).toBe(1);
    expect(s.groups[0]!.finished).toBe(1);
  });

  it('slots: the window ends when the replica is done with it, so utilization stays <= 1', () => {
    // Two slots, 1 s per output token, idle 7 W per slot: A (10 tokens) runs 0-10 and its client
    // gives up at 2; B (1 token) runs 0-1. The window was [0, 2] (the last time-out) while the slots
    // were busy for 10 + 1 s: utilization 5.5 / 2 = 2.75. It is now [0, 10]: 5.5 / 10.
    const res = simulate({
      requests: [withTimeout(req(0, 0, 5, 10), 2), req(1, 0, 5, 1)],
      cluster: [slotsGroup({ ...tokenTimeCost(1), idlePowerW: 7 }, 2)],
      policy: fifoPolicy,
      policyParams: {},
      seed: 1,
    });
    expect(res.window).toEqual({ startS: 0, endS: 10 });
    expect(res.devices[0]!.busyS).toBe(5.5);
    expect(res.devices[0]!.idleEnergyJ).toBe(7 * (2 * 10 - 11)); // idle slot-seconds in the window
    expect(summarize(res).devices[0]!.utilization).toBe(0.55);
    expect(res.endS).toBe(10);
  });

  it('static batching: a member that timed out is not a finish of the replica', () => {
    // Prefill 1 s + 0.01 s/token, decode steps 1 s. A (out 5) and B (out 2) form one batch at 0:
    // prefill of 2 x 10 tokens = 1.2 s, then 4 decode steps: ends at 5.2. B's client gives up at 3.
    const model = testIterationModel({ prefill: [1, 0.01], decode: [1, 0, 0], kvTokens: 1000 });
    const res = simulate({ requests: [req(0, 0, 10, 5), withTimeout(req(1, 0, 10, 2), 3)], cluster: [staticGroup(model)], policy: fifoPolicy, policyParams: {}, seed: 1 });
    expect(res.records.status[0]).toBe(STATUS_FINISHED);
    expect(res.records.finishS[0]).toBeCloseTo(5.2, 12);
    expect(res.records.status[1]).toBe(STATUS_TIMED_OUT);
    expect(res.devices[0]!.finished).toBe(1);
  });
});

describe('static batching without a memory bound', () => {
  it('reports an unbounded KV capacity as continuous batching does (Infinity, null in summary.json), not 0 below its peak', () => {
    const model = testIterationModel({ prefill: [1, 0.01], decode: [1, 0, 0], kvTokens: Infinity });
    const res = simulate({ requests: [req(0, 0, 10, 5), req(1, 0, 20, 2)], cluster: [staticGroup(model)], policy: fifoPolicy, policyParams: {}, seed: 1 });
    const d = res.devices[0]!;
    expect(d.peakKvTokens).toBe(2 * (20 + 5));
    expect(d.kvCapacityTokens).toBe(Infinity);
    expect(JSON.parse(JSON.stringify(summarize(res))).devices[0].kvCapacityTokens).toBeNull();
  });
});

describe('the run end (SimResult.endS, summary sim.endS)', () => {
  // Prefill 0.1 s, decode steps 0.05 s. A: 10 prompt tokens, 100 output tokens; its client gives up
  // at 1 s, during its decode run (first token at 0.1, then 99 steps to 5.05).
  const model = testIterationModel({ prefill: [0.1, 0], decode: [0.05, 0, 0], kvTokens: 100_000 });
  const run = (fastForward: boolean) =>
    simulate({ requests: [withTimeout(req(0, 0, 10, 100), 1)], cluster: [cbGroup(model, { scheduler: 'vllm-v1', fastForward })], policy: fifoPolicy, policyParams: {}, seed: 1 });

  it('is the last event that did something: the same with and without fast-forwarding', () => {
    // The time-out cuts the run at the first step boundary after 1 s: 0.1 + 18 x 0.05 = 1.0 is not
    // after 1, so 1.05, where A is dropped. The cut run's old end (5.05) still fires when
    // fast-forwarding, but does nothing, and used to be reported as the end.
    const fast = run(true);
    const slow = run(false);
    expect(fast.records.timedOutS[0]).toBe(1);
    expect(fast.endS).toBeCloseTo(1.05, 9);
    expect(slow.endS).toBe(fast.endS);
    expect(fast.window).toEqual(slow.window);
    expect(fast.window.endS).toBe(fast.endS);
    expect(summarize(fast).sim.endS).toBe(summarize(slow).sim.endS);
  });

  it('is not a timer of a request that had already finished', () => {
    // One slot, 1 s per token: A finishes at 1; its 100 s timeout would fire at 100 and was the end.
    const res = simulate({ requests: [withTimeout(req(0, 0, 5, 1), 100)], cluster: [slotsGroup(tokenTimeCost(1), 1)], policy: fifoPolicy, policyParams: {}, seed: 1 });
    expect(res.records.finishS[0]).toBe(1);
    expect(res.endS).toBe(1);
  });
});
