import { describe, expect, it } from 'vitest';
import { createEdgePipelineDevice, edgePipelineDeviceSchema, prepareEdgePipelineGroup, type EdgePipelineDeviceSpec } from '../../src/devices/edge-pipeline.js';
import type { DeviceContext } from '../../src/devices/device.js';
import type { PrepareEnv } from '../../src/devices/kinds/kind.js';
import { Engine } from '../../src/engine/engine.js';
import { InputError } from '../../src/errors.js';
import { RecordTable, STATUS_FINISHED, STATUS_REJECTED } from '../../src/metrics/records.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { createLifecycle } from '../../src/simulation/lifecycle.js';
import { simulate } from '../../src/simulation/simulate.js';
import { createPlanCache } from '../../src/sti/strategy.js';
import type { Request } from '../../src/workload/request.js';
import { tinyModel } from './tiny-model.js';

// The planner test's hand case: an STI inference takes exactly 2 s with 1 s of reads.
const model = tinyModel(2, 3, 65536, [0.5, 0.25, 0.25, 0.25, 0.5, 0.25], [0.3, 0.1, 0.1, 0.1, 0.25, 0.15]);
const spec = (over: Record<string, unknown> = {}): EdgePipelineDeviceSpec => edgePipelineDeviceSchema.parse({
  name: 'phone', kind: 'edge-pipeline', model: 'unused.yaml',
  storage: { bandwidthBps: 2 ** 20, readLatencyS: 0.125 },
  memoryBudgetBytes: 10e6, preloadBytes: 393216, preloadBits: 2, targetLatencyS: 2,
  ...over,
});

function harness(prompts: number[], s: EdgePipelineDeviceSpec, priority?: (r: Request) => number) {
  const requests: Request[] = prompts.map((p, id) => ({ id, arrivalS: 0, promptTokens: p, outputTokens: 1 }));
  const engine = new Engine();
  const records = new RecordTable(requests.length);
  const scheduled: Array<[number, number]> = [];
  const finished: number[] = [];
  const lifecycle = createLifecycle(records, (id) => finished.push(id));
  const ctx: DeviceContext = { engine, requests, lifecycle, seed: 1, schedule: (t, arg) => scheduled.push([t, arg]), priority };
  const cache = createPlanCache();
  const device = createEdgePipelineDevice(s, model, ctx, { index: 3, name: 'phone/0', group: 'phone', model: model.name }, cache);
  /** Fires the last scheduled event at its time, as the engine would. */
  const step = () => {
    const [t, arg] = scheduled[scheduled.length - 1]!;
    engine.nowS = t;
    device.fire(arg);
  };
  return { engine, records, scheduled, finished, device, step, cache };
}

describe('edge-pipeline device', () => {
  it('serves one request at a time, FIFO, for the planned pipeline latency', () => {
    const h = harness([10, 10, 10], spec());
    h.device.admit(0);
    expect(h.scheduled).toEqual([[2, 0]]);
    h.engine.nowS = 0.5;
    h.device.admit(1);
    h.device.admit(2);
    expect([h.device.queued(), h.device.running()]).toEqual([2, 1]);
    h.step(); // t = 2: request 0 done, request 1 starts
    expect(h.scheduled[1]).toEqual([4, 1]);
    h.step(); // t = 4
    h.step(); // t = 6
    expect(h.finished).toEqual([0, 1, 2]);
    expect(Array.from(h.records.startS)).toEqual([0, 2, 4]);
    expect(Array.from(h.records.finishS)).toEqual([2, 4, 6]);
    expect(Array.from(h.records.firstTokenS)).toEqual([2, 4, 6]);
    expect(Array.from(h.records.status)).toEqual([STATUS_FINISHED, STATUS_FINISHED, STATUS_FINISHED]);
    expect(Array.from(h.records.device)).toEqual([3, 3, 3]);
    // Energy: model compute power 10 W x 2 s + default flash power 0.5 W x 1 s of reads.
    expect(Array.from(h.records.energyJ)).toEqual([20.5, 20.5, 20.5]);
    const st = h.device.stats(10);
    expect([st.busyS, st.busyEnergyJ, st.idleEnergyJ, st.finished, st.kind]).toEqual([6, 61.5, 0, 3, 'edge-pipeline']);
    const es = h.device.edgeSummary();
    expect([es.served, es.totalStallS, es.maxPeakMemoryBytes, es.overTarget]).toEqual([3, 0, 393216 + 655360, 0]);
    expect(es.meanAccuracy).toBeCloseTo(80, 12);
    // One plan for the one bucket (10 tokens -> 16), reused by all three requests.
    expect(h.cache.size).toBe(1);
  });

  it('orders its queue by the policy priority when one is given', () => {
    const h = harness([10, 90, 30, 60], spec(), (r) => r.promptTokens);
    h.device.admit(0);
    h.device.admit(1);
    h.device.admit(2);
    h.device.admit(3);
    h.step();
    h.step();
    h.step();
    h.step();
    expect(h.finished).toEqual([0, 2, 3, 1]);
    expect(h.cache.size).toBe(4); // 10, 90, 30, 60 tokens fall in buckets 16, 128, 32, 64
  });

  it('rejects, with the reason, prompts beyond the model and targets STI cannot meet', () => {
    const h = harness([600], spec());
    h.device.admit(0);
    expect(h.records.status[0]).toBe(STATUS_REJECTED);
    expect(h.records.rejectReason.get(0)).toMatch(/prompt of 600 tokens exceeds the longest sequence bucket \(512\)/);
    const tight = harness([10], spec({ targetLatencyS: 0.4 }));
    tight.device.admit(0);
    expect(tight.records.status[0]).toBe(STATUS_REJECTED);
    expect(tight.records.rejectReason.get(0)).toMatch(/^STI cannot plan 16 tokens: target latency 0.4 s is below/);
    expect(tight.scheduled).toEqual([]);
    expect(tight.device.edgeSummary().rejected).toBe(1);
  });

  it('reports STI\'s planned start delay apart from stalls', () => {
    // T = 3 s (the planner test's slack case): compute starts at 0.5 s, the inference ends at 2.5 s.
    // Energy: 10 W x 2 s of compute + 0.5 W x 1.5 s of reads (three 6-bit reads of 0.5 s).
    const h = harness([10, 10], spec({ targetLatencyS: 3 }));
    h.device.admit(0);
    h.device.admit(1);
    expect(h.scheduled).toEqual([[2.5, 0]]);
    h.step();
    h.step();
    expect(Array.from(h.records.finishS)).toEqual([2.5, 5]);
    expect(Array.from(h.records.energyJ)).toEqual([20.75, 20.75]);
    const extra = h.device.stats(5).extra!;
    expect([extra.totalPlannedDelayS, extra.totalStallS, extra.overTarget]).toEqual([1, 0, 0]);
    expect(extra.meanAccuracyPct).toBeCloseTo(81.8, 12);
  });

  it('runs the baselines through the same pipeline, counting target misses', () => {
    // Load-then-execute: six 32-bit reads of 2.125 s, then 2 s of compute.
    const h = harness([10], spec({ strategy: 'load-then-execute', power: { idleW: 1 } }));
    h.device.admit(0);
    expect(h.scheduled).toEqual([[14.75, 0]]);
    h.step();
    expect(h.device.edgeSummary().overTarget).toBe(1);
    expect(h.device.edgeSummary().totalStallS).toBe(12.75);
    expect(h.device.stats(20).idleEnergyJ).toBe(20 - 14.75);
  });
});

describe('edge-pipeline scenario entry', () => {
  it('fills defaults and rejects unknown keys', () => {
    const s = spec();
    expect([s.replicas, s.strategy, s.power.ioW, s.power.idleW, s.power.computeW]).toEqual([1, 'sti', 0.5, 0, undefined]);
    expect(edgePipelineDeviceSchema.safeParse({ ...s, strategey: 'sti' }).success).toBe(false);
    expect(edgePipelineDeviceSchema.safeParse({ ...s, strategy: 'magic' }).success).toBe(false);
  });

  const env: PrepareEnv = { baseDir: process.cwd(), path: ['cluster', 'devices', 1], profile: () => { throw new Error('unused'); } };
  const bert = (over: Record<string, unknown>) => spec({ model: 'profiles/edge/bert-base.yaml', preloadBits: undefined, ...over });

  it('loads the model file relative to the scenario and names the group after it', () => {
    const g = prepareEdgePipelineGroup(bert({ replicas: 2 }), env);
    expect([g.name, g.kind, g.model, g.replicas]).toEqual(['phone', 'edge-pipeline', 'bert-base', 2]);
  });

  it('checks the entry against the model: bit-widths, preload within budget, buckets', () => {
    const err = (over: Record<string, unknown>) => {
      try {
        prepareEdgePipelineGroup(bert(over), env);
      } catch (e) {
        if (e instanceof InputError) return e;
        throw e;
      }
      throw new Error('expected an InputError');
    };
    expect(err({ strategy: 'layerwise', bits: 7 }).message).toMatch(/^cluster\.devices\[1\]\.bits: expected one of the stored bit-widths \[2, 3, 4, 5, 6, 32\] of bert-base, found 7$/);
    expect(err({ preloadBytes: 2e7 }).location.field).toBe('cluster.devices[1].preloadBytes');
    expect(err({ seqBuckets: [64, 32] }).message).toMatch(/expected increasing lengths, found 32 after 64$/);
    expect(err({ seqBuckets: [1024] }).message).toMatch(/up to the model's maximum 512, found 1024$/);
  });
});

describe('edge-pipeline under the real engine', () => {
  it('queues back-to-back requests: the k-th of requests arriving every 0.5 s finishes at 2(k+1)', () => {
    const s = spec();
    const requests: Request[] = Array.from({ length: 5 }, (_, id) => ({ id, arrivalS: 0.5 * id, promptTokens: 12, outputTokens: 1 }));
    const result = simulate({
      requests,
      cluster: [{ name: s.name, kind: s.kind, model: model.name, replicas: 1, create: (ctx, id) => createEdgePipelineDevice(s, model, ctx, id) }],
      policy: fifoPolicy,
      policyParams: { routing: 'round-robin' },
      seed: 1,
    });
    expect(Array.from(result.records.finishS)).toEqual([2, 4, 6, 8, 10]);
    expect(Array.from(result.records.startS)).toEqual([0, 2, 4, 6, 8]);
    expect(result.devices[0]!.busyS).toBe(10);
  });
});
