import { describe, expect, it } from 'vitest';
import { analyzeAib, createAibAnalysis } from '../../src/sti/aib.js';
import { defineShardedModel, shardComputeTimes } from '../../src/sti/model.js';
import { simulatePipeline } from '../../src/sti/pipeline.js';
import { holdInMemoryPlan, layerwisePlan, loadThenExecutePlan, type PipelinePlan } from '../../src/sti/plan.js';
import { planSti } from '../../src/sti/planner.js';
import { BITS, DEGRADATION, tinyModel } from './tiny-model.js';

// The planner test's 2 x 3 model: reading a shard at b bits takes 0.125 + b/16 s; 1 s of compute per layer.
const model = tinyModel(2, 3, 65536, [0.5, 0.25, 0.25, 0.25, 0.5, 0.25], [0.3, 0.1, 0.1, 0.1, 0.25, 0.15]);
const computeS = shardComputeTimes(model, 64);
const storage = { bandwidthBps: 2 ** 20, readLatencyS: 0.125 };
const power = { computeW: 10, ioW: 2 };
const FULL_BYTES = 6 * 32 * 65536; // 12582912

describe('pipeline simulator, hand-computed timelines', () => {
  it('runs the STI hand plan without stalls: latency 2 s, 1 s of IO', () => {
    const o = planSti({ model, computeS, storage, targetLatencyS: 2, memoryBudgetBytes: 10e6, preloadBytes: 393216, preloadBits: 2 });
    if (!o.feasible) throw new Error(o.reason);
    const r = simulatePipeline(model, o.plan, computeS, storage, power);
    // Layer 1 reads: shard 4 at 4 bits (0.375 s), shards 5 and 3 at 3 bits (0.3125 s each) -> done at 1.0 s.
    expect(r.latencyS).toBe(2);
    expect(r.stallS).toBe(0);
    expect(r.ioBusyS).toBe(1);
    expect(r.ioBytes).toBe(10 * 65536);
    expect(Array.from(r.layerStartS)).toEqual([0, 1]);
    expect(r.peakMemoryBytes).toBe(393216 + 655360);
    expect(r.residentBytes).toBe(393216);
    expect(r.energyJ).toBe(10 * 2 + 2 * 1);
    expect(r.accuracy).toBeCloseTo(80, 12);
  });

  it('runs the T = 3 s STI plan with a planned 0.5 s wait before layer 1, not a stall', () => {
    const o = planSti({ model, computeS, storage, targetLatencyS: 3, memoryBudgetBytes: 10e6, preloadBytes: 393216, preloadBits: 2 });
    if (!o.feasible) throw new Error(o.reason);
    // Reads of layer 1 at 6 bits (0.5 s each): [0, 0.5], [0.5, 1], [1, 1.5]. Layer 0 (resident)
    // computes [0, 1]; layer 1 waits for its last shard and computes [1.5, 2.5], as planned.
    const r = simulatePipeline(model, o.plan, computeS, storage, power);
    expect(Array.from(r.layerStartS)).toEqual([0, 1.5]);
    expect([r.latencyS, r.plannedDelayS, r.stallS, r.computeS, r.ioBusyS]).toEqual([2.5, 0.5, 0, 2, 1.5]);
    expect(r.energyJ).toBe(10 * 2 + 2 * 1.5);
    const at = (plannedStartS: number[]) => simulatePipeline(model, { ...o.plan, plannedStartS: Float64Array.from(plannedStartS) }, computeS, storage, power);
    // Had the plan expected layer 1 at 1.25, the last 0.25 s of the wait would be a stall.
    const early = at([0, 1.25]);
    expect([early.latencyS, early.plannedDelayS, early.stallS]).toEqual([2.5, 0.25, 0.25]);
    // Without planned starts (as for a baseline), the whole wait is a stall.
    const unplanned = at([0, 0]);
    expect([unplanned.latencyS, unplanned.plannedDelayS, unplanned.stallS]).toEqual([2.5, 0, 0.5]);
    // Planned starts hold compute back even when the shards are in: [0.5, 1.5] and [2, 3].
    const late = at([0.5, 2]);
    expect(Array.from(late.layerStartS)).toEqual([0.5, 2]);
    expect([late.latencyS, late.plannedDelayS, late.stallS]).toEqual([3, 1, 0]);
  });

  it('reads a non-resident layer 0 while compute waits, as planned', () => {
    // No preload buffer, T = 2 s: the m = 2 plan of the planner test. Reads: shards 0 and 1 at
    // 2 bits [0, 0.25], [0.25, 0.5]; shard 4 at 6 bits [0.5, 1]; shard 5 at 2 bits [1, 1.25].
    // Layer 0 (0.75 s) starts at 0.5; layer 1 (0.75 s) at 1.25, when its last shard arrives just
    // as layer 0 ends (the read is handled first).
    const o = planSti({ model, computeS, storage, targetLatencyS: 2, memoryBudgetBytes: 10e6, preloadBytes: 0, preloadBits: 2 });
    if (!o.feasible) throw new Error(o.reason);
    const r = simulatePipeline(model, o.plan, computeS, storage, power);
    expect(Array.from(r.layerStartS)).toEqual([0.5, 1.25]);
    expect([r.latencyS, r.plannedDelayS, r.stallS, r.ioBusyS, r.residentBytes]).toEqual([2, 0.5, 0, 1.25, 0]);
    const unplanned = simulatePipeline(model, { ...o.plan, plannedStartS: new Float64Array(2) }, computeS, storage, power);
    expect([unplanned.latencyS, unplanned.plannedDelayS, unplanned.stallS]).toEqual([2, 0, 0.5]);
  });

  it('hold-in-memory: no IO, latency = compute, memory = whole model at 32 bits', () => {
    const r = simulatePipeline(model, holdInMemoryPlan(model), computeS, storage, power);
    expect(r.latencyS).toBe(2);
    expect(r.stallS).toBe(0);
    expect(r.ioBytes).toBe(0);
    expect(r.peakMemoryBytes).toBe(FULL_BYTES);
    expect(r.accuracy).toBe(90);
  });

  it('load-then-execute: 6 reads of 2.125 s, then 2 s of compute; all IO is stall', () => {
    const r = simulatePipeline(model, loadThenExecutePlan(model), computeS, storage, power);
    expect(r.latencyS).toBe(14.75);
    expect(r.stallS).toBe(12.75);
    expect(r.ioBusyS).toBe(12.75);
    expect(r.peakMemoryBytes).toBe(FULL_BYTES);
    expect(r.energyJ).toBe(10 * 2 + 2 * 12.75);
  });

  it('layerwise at 32 bits: each layer waits for its own 6.375 s of reads', () => {
    // Layer 0 read [0, 6.375], compute [6.375, 7.375]; layer 1 read [6.375, 12.75], compute [12.75, 13.75].
    const r = simulatePipeline(model, layerwisePlan(model, 32), computeS, storage, power);
    expect(Array.from(r.layerStartS)).toEqual([6.375, 12.75]);
    expect(r.latencyS).toBe(13.75);
    expect(r.stallS).toBe(6.375 + (12.75 - 7.375));
    expect(r.accuracy).toBe(90);
  });

  it('layerwise at 2 bits scores the 2-bit loss on every shard', () => {
    const r = simulatePipeline(model, layerwisePlan(model, 2), computeS, storage, power);
    expect(r.accuracy).toBeCloseTo(50 + 40 * (1 - DEGRADATION[0]!), 12);
  });
});

describe('pipeline simulator, memory back-pressure', () => {
  // 3 layers x 1 shard of 105 B at 32 bits, 3 s of compute each, read at 105 B/s (1 s per read).
  const m3 = defineShardedModel({
    name: 'three',
    layers: 3,
    shardsPerLayer: 1,
    bitWidths: BITS,
    bytes: (_s, b) => 100 + b, // b is the bit-width index; only index 5 (32 bits -> 105 B) is used
    compute: () => [3, 0, 0],
    importance: () => 1,
    maxSeqLen: 8,
    accuracy: { metric: 'a', fullPrecision: 1, chance: 0, degradation: DEGRADATION, omitted: 1 },
  });
  const ct = shardComputeTimes(m3, 1);
  const plan = (cap: number): PipelinePlan => ({
    strategy: 'layerwise', layers: 3, layerStart: Int32Array.from([0, 1, 2, 3]), shard: Int32Array.from([0, 1, 2]),
    bitIndex: Uint8Array.from([5, 5, 5]), resident: new Uint8Array(3), streamCapBytes: cap, loadAllFirst: false, plannedStartS: new Float64Array(3),
  });
  const slow = { bandwidthBps: 105, readLatencyS: 0 }; // 1 s per read

  it('holds the third read until layer 0 frees its buffer', () => {
    // Reads: L0 [0,1], L1 [1,2]; L2 needs 315 > 210 B -> waits for L0's compute to end at 4: read [4,5].
    // Compute: L0 [1,4], L1 [4,7], L2 [7,10]. Peak 210 B; stall only the first second.
    const r = simulatePipeline(m3, plan(210), ct, slow, { computeW: 0, ioW: 0 });
    expect(r.latencyS).toBe(10);
    expect(r.stallS).toBe(1);
    expect(r.peakMemoryBytes).toBe(210);
    expect(Array.from(r.layerStartS)).toEqual([1, 4, 7]);
  });

  it('without a cap, reads run ahead and memory peaks at the whole model', () => {
    const r = simulatePipeline(m3, plan(Infinity), ct, slow, { computeW: 0, ioW: 0 });
    expect(r.latencyS).toBe(10);
    expect(r.peakMemoryBytes).toBe(315);
  });

  it('throws (a broken plan, not a user error) when a layer cannot fit under the cap', () => {
    expect(() => simulatePipeline(m3, plan(100), ct, slow, { computeW: 0, ioW: 0 })).toThrow(/deadlock/);
  });
});

describe('tie rule shared by the simulator and the AIB analysis', () => {
  // 4 layers x 1 shard, 1 s of compute each; 100 B at 32 bits read at 100 B/s (1 s per read).
  // Layer 0 is resident, so compute runs [0,1], [1,2], [2,3], [3,4] and reads run
  // L1 [0,1], L2 [1,2], L3 [2,3]: L3's read starts exactly when layer 1 ends.
  const m4 = defineShardedModel({
    name: 'four',
    layers: 4,
    shardsPerLayer: 1,
    bitWidths: BITS,
    bytes: (_s, b) => 10 * (b + 5), // index 5 (32 bits) -> 100 B
    compute: () => [1, 0, 0],
    importance: () => 1,
    maxSeqLen: 8,
    accuracy: { metric: 'a', fullPrecision: 1, chance: 0, degradation: DEGRADATION, omitted: 1 },
  });
  const ct = shardComputeTimes(m4, 1);
  const st = { bandwidthBps: 100, readLatencyS: 0 };
  const plan = (cap: number): PipelinePlan => ({
    strategy: 'sti', layers: 4, layerStart: Int32Array.from([0, 1, 2, 3, 4]), shard: Int32Array.from([0, 1, 2, 3]),
    bitIndex: Uint8Array.from([5, 5, 5, 5]), resident: Uint8Array.from([1, 0, 0, 0]), streamCapBytes: cap, loadAllFirst: false, plannedStartS: new Float64Array(4),
  });

  it('a read that fits starts before the simultaneous end of a layer frees memory', () => {
    // At t = 2 the L2 read completion is handled first; L3 starts with L1, L2 and L3 buffered.
    const a = createAibAnalysis(4);
    expect(analyzeAib(a, m4, plan(Infinity), 4, ct, st, Infinity, 4, new Float64Array(4))).toBe(true);
    expect(Array.from(a.aibS)).toEqual([0, 0, 0, 0]);
    expect(a.peakStreamedBytes).toBe(300);
    const r = simulatePipeline(m4, plan(Infinity), ct, st, { computeW: 0, ioW: 0 });
    expect(r.stallS).toBe(0);
    expect(r.peakMemoryBytes).toBe(100 + 300);
  });

  it('a read that does not fit waits for that end and starts at the same instant', () => {
    const a = createAibAnalysis(4);
    expect(analyzeAib(a, m4, plan(200), 4, ct, st, 200, 4, new Float64Array(4))).toBe(true);
    expect(a.peakStreamedBytes).toBe(200);
    const r = simulatePipeline(m4, plan(200), ct, st, { computeW: 0, ioW: 0 });
    expect(r.stallS).toBe(0);
    expect(r.latencyS).toBe(4);
    expect(r.peakMemoryBytes).toBe(100 + 200);
  });
});
