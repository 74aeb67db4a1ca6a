import { describe, expect, it } from 'vitest';
import { analyzeAib, createAibAnalysis } from '../../src/sti/aib.js';
import { shardComputeTimes } from '../../src/sti/model.js';
import { planSti, type FeasiblePlan, type PlannerInput } from '../../src/sti/planner.js';
import { tinyModel } from './tiny-model.js';

/*
 * The brief's hand case: 2 layers x 3 shards, T = 2 s, 1 s of compute per layer, layer 0
 * preloaded at 2 bits. Numbers are chosen to be exact in binary floating point:
 *   shard bytes = 65536 * bits, bandwidth 2^20 B/s, 0.125 s per read
 *   => reading one shard at b bits takes 0.125 + b/16 s.
 *   compute: layer 0 shards [0.5, 0.25, 0.25] s, layer 1 shards [0.25, 0.5, 0.25] s (1 s per layer).
 *   importance: layer 0 [0.3, 0.1, 0.1], layer 1 [0.1, 0.25, 0.15] (sums to 1), so layer 1 is
 *   read in the order shard 4, shard 5, shard 3.
 *   preload buffer 393216 B = the three layer-0 shards at 2 bits (3 * 131072), nothing more.
 */
const model = tinyModel(2, 3, 65536, [0.5, 0.25, 0.25, 0.25, 0.5, 0.25], [0.3, 0.1, 0.1, 0.1, 0.25, 0.15]);
const base: PlannerInput = {
  model,
  computeS: shardComputeTimes(model, 128),
  storage: { bandwidthBps: 2 ** 20, readLatencyS: 0.125 },
  targetLatencyS: 2,
  memoryBudgetBytes: 10e6,
  preloadBytes: 393216,
  preloadBits: 2,
};

function feasible(input: PlannerInput): FeasiblePlan {
  const o = planSti(input);
  if (!o.feasible) throw new Error(`expected a plan, got: ${o.reason}`);
  return o;
}

function bitsOfLayer(p: FeasiblePlan, layer: number): number[] {
  const out: number[] = [];
  for (let i = p.plan.layerStart[layer]!; i < p.plan.layerStart[layer + 1]!; i++) out.push(model.bitWidths[p.plan.bitIndex[i]!]!);
  return out;
}

describe('STI planner on the hand-computed 2 x 3 case', () => {
  it('budget before layer 1 is 1 s; pass 1 picks 3 bits; pass 2 lifts the most important shard to 4', () => {
    // AIB(0) = 0 (layer 0 preloaded). Budget for layer 1's reads: AIB(0) + Tcomp(0) = 1 s.
    // Pass 1: IO(1) at b bits = 3 * (0.125 + b/16): b=4 -> 1.125 > 1, b=3 -> 0.9375 <= 1. AIB(1) = 0.0625.
    // Pass 2: shard 4 (importance 0.25): 32 (+1.8125), 6 (+0.1875), 5 (+0.125) too much; 4 (+0.0625) fits -> AIB(1) = 0.
    //         shards 5 and 3: +0.0625 each no longer fits.
    const p = feasible(base);
    expect(p.plan.layers).toBe(2);
    expect(Array.from(p.plan.shard)).toEqual([0, 1, 2, 4, 5, 3]);
    expect(Array.from(p.plan.resident)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(bitsOfLayer(p, 0)).toEqual([2, 2, 2]);
    expect(bitsOfLayer(p, 1)).toEqual([4, 3, 3]);
    expect(p.uniformBits).toBe(3);
    expect(Array.from(p.aibS)).toEqual([0, 0]);
    expect(p.predictedLatencyS).toBe(2);
    // Memory: preload 393216 + layer 1 streamed (4 + 3 + 3) * 65536 = 655360.
    expect(p.peakMemoryBytes).toBe(393216 + 655360);
    // Loss: layer 0 0.5 * 0.4 = 0.2; layer 1 0.25*0.05 + 0.15*0.15 + 0.1*0.15 = 0.05 -> 50 + 40 * 0.75.
    expect(p.accuracy).toBeCloseTo(80, 12);
  });

  it('reports the pass-1 budget through the AIB recurrence', () => {
    const p = feasible(base);
    const a = createAibAnalysis(2);
    // Uniform 3 bits on the streamed shards: AIB(1) = AIB(0) + Tcomp(0) - IO(1) = 0 + 1 - 0.9375.
    const bitIndex = Uint8Array.from(p.plan.bitIndex);
    for (let i = 3; i < 6; i++) bitIndex[i] = 1;
    const ok = analyzeAib(a, model, { ...p.plan, bitIndex }, 2, base.computeS, base.storage, Infinity, 2, new Float64Array(2));
    expect(ok).toBe(true);
    expect(Array.from(a.aibS)).toEqual([0, 0.0625]);
    expect(Array.from(a.layerStartS)).toEqual([0, 1, 2]);
  });

  it('a binding memory budget keeps layer 1 at a uniform 3 bits', () => {
    // Budget 983040 = preload 393216 + 589824 (layer 1 at 3+3+3 bits): the 4-bit upgrade needs
    // 655360 streamed bytes before layer 1 can start, so it is refused.
    const p = feasible({ ...base, memoryBudgetBytes: 983040 });
    expect(bitsOfLayer(p, 1)).toEqual([3, 3, 3]);
    expect(p.peakMemoryBytes).toBe(983040);
    expect(p.aibS[1]).toBe(0.0625);
    // Loss 0.2 + 0.5 * 0.15 = 0.275 -> 50 + 40 * 0.725.
    expect(p.accuracy).toBeCloseTo(79, 12);
  });

  it('with IO too slow for layer 1, runs fewer shards from the preload buffer rather than stall', () => {
    // Bandwidth 2^16 B/s: one 2-bit shard takes 0.125 + 2 = 2.125 s > the 1 s budget.
    // m = 3: layer 1 cut, layer 0 at 2 bits -> loss 0.2 + 0.5 = 0.7 -> 62.
    // m = 2: preload holds shards 0, 1 and 4; shard 5 cannot be hidden, layer 1 cut -> loss 0.16 + 0.1 + 0.5 -> 59.6.
    // m = 1: preload holds shard 0 and shard 4 (262144 B): no IO at all, 2 layers in 1 s
    //        -> loss 0.3*0.4 + 0.25*0.4 + (0.1+0.1+0.1+0.15) = 0.67 -> 63.2: the winner.
    const p = feasible({ ...base, storage: { bandwidthBps: 2 ** 16, readLatencyS: 0.125 } });
    expect(p.plan.layers).toBe(2);
    expect(Array.from(p.plan.shard)).toEqual([0, 4]);
    expect(Array.from(p.plan.resident)).toEqual([1, 1]);
    expect(p.predictedLatencyS).toBe(1);
    expect(p.accuracy).toBeCloseTo(63.2, 12);
  });

  it('reports a target below one shard of compute as infeasible, with the reason', () => {
    const o = planSti({ ...base, targetLatencyS: 0.4 });
    expect(o.feasible).toBe(false);
    if (!o.feasible) expect(o.reason).toMatch(/target latency 0.4 s is below the compute time of layer 0 .*0\.5 s/);
  });

  it('reports an empty preload buffer as infeasible when the slack cannot cover layer 0\'s reads', () => {
    // T = 0.625: m = 1 runs shard 0 only (0.5 s; adding shard 4 would need 1 s), so compute may
    // wait 0.125 s, but reading shard 0 at 2 bits takes 0.25 s. Larger m only adds compute and IO.
    const o = planSti({ ...base, preloadBytes: 0, targetLatencyS: 0.625 });
    expect(o.feasible).toBe(false);
    if (!o.feasible) expect(o.reason).toMatch(/preload buffer of 0 bytes holds 0 of layer 0's 1 shard\(s\) at 2 bits, and reading the rest takes longer than the 0.125 s/);
  });

  it('by default preloads at the highest width at which layer 0 fits', () => {
    // Buffer 600000 B: layer 0 at 3 bits is 589824 B (fits), at 4 bits 786432 B (does not).
    const p = feasible({ ...base, preloadBits: undefined, preloadBytes: 600000 });
    expect(bitsOfLayer(p, 0)).toEqual([3, 3, 3]);
  });
});

/*
 * The same model with slack: the compute plan cannot fill T, so compute may wait for IO - before
 * any layer - as long as the last layer ends by T. Each layer starts as soon as its shards are in
 * and the previous layer is done (S_k = max(end of layer k-1, E_k)); the waits are planned.
 */
describe('STI planner with slack between compute and the target', () => {
  it('T = 3 s: the 1 s of slack lifts layer 1 to 6 bits, at the cost of a planned 0.5 s wait', () => {
    // m = 3: compute 2 s, slack 1 s, layer 0 preloaded: runs [0, 1]. Layer 1 must end by 3, so
    // its shards must be in by 2. Pass 1: IO(1) = 3 * (0.125 + b/16): 32 bits 6.375 > 2; 6 bits
    // 1.5 <= 2 -> uniform 6. Pass 2: shard 4 to 32 bits gives E_1 = 3.125 > 2: refused; so are 5, 3.
    // Schedule: layer 1 waits from 1 to 1.5 and runs [1.5, 2.5]. AIB = [0 - 0, 1.5 - 1.5].
    // Loss 0.2 + 0.5 * 0.01 = 0.205 -> 50 + 40 * 0.795 = 81.8 (80 with T = 2 s).
    // m = 2 (slack 1.5 s): preload 0, 1, 4 at 2 bits, shard 5 at 32 bits; loss 0.26 + 0.2 -> 71.6.
    // m = 1 (slack 2 s): shards 0 and 4 preloaded, no IO; loss 0.22 + 0.45 -> 63.2.
    const p = feasible({ ...base, targetLatencyS: 3 });
    expect(Array.from(p.plan.shard)).toEqual([0, 1, 2, 4, 5, 3]);
    expect(bitsOfLayer(p, 0)).toEqual([2, 2, 2]);
    expect(bitsOfLayer(p, 1)).toEqual([6, 6, 6]);
    expect(p.uniformBits).toBe(6);
    expect(p.slackS).toBe(1);
    expect(p.plannedDelayS).toBe(0.5);
    expect(Array.from(p.plan.plannedStartS)).toEqual([0, 1.5]);
    expect(Array.from(p.aibS)).toEqual([0, 0]);
    expect(p.predictedLatencyS).toBe(2.5);
    // Memory: preload 393216 + layer 1 at 3 x 6 bits (1179648).
    expect(p.peakMemoryBytes).toBe(393216 + 1179648);
    expect(p.accuracy).toBeCloseTo(81.8, 12);
  });

  it('T = 3 s with a binding memory budget: 4 bits fit, and only 0.125 s of waiting is needed', () => {
    // Budget 1179648 leaves 786432 B to stream = layer 1 at 3 x 4 bits; 5 bits (983040 B) does not
    // fit however long compute waits. IO(1) = 3 * 0.375 = 1.125 s: layer 1 starts at 1.125.
    // Loss 0.2 + 0.5 * 0.05 = 0.225 -> 81.
    const p = feasible({ ...base, targetLatencyS: 3, memoryBudgetBytes: 1179648 });
    expect(bitsOfLayer(p, 1)).toEqual([4, 4, 4]);
    expect(Array.from(p.plan.plannedStartS)).toEqual([0, 1.125]);
    expect(p.plannedDelayS).toBe(0.125);
    expect(p.predictedLatencyS).toBe(2.125);
    expect(p.peakMemoryBytes).toBe(1179648);
    expect(p.accuracy).toBeCloseTo(81, 12);
  });

  it('without a preload buffer, layer 0 is read while compute waits (T = 2 s)', () => {
    // m = 3: compute 2 s leaves no time for layer 0's reads; dropping layer 1 gives 1 s of slack:
    //   layer 0 at 3 bits (0.9375 s), shard 0 lifted to 4 (1 s); loss 0.015 + 0.03 + 0.5 -> 68.2.
    // m = 2: compute 0.75 + 0.75, slack 0.5. Pass 1 at 2 bits: E_0 = 0.5, layer 0 [0.5, 1.25];
    //   E_1 = 1 -> layer 1 [1.25, 2]. At 3 bits E_0 = 0.625 and the end is 2.125 > 2. Pass 2:
    //   shard 0 cannot grow (layer 0 would end after 1.25); shard 4 to 6 bits: E_1 = 0.5 + 0.5 +
    //   0.25 = 1.25, just in time. Loss 0.12 + 0.04 + 0.0025 + 0.06 + 0.2 = 0.4225 -> 73.1: the winner.
    // m = 1: compute 1 s, shards 0 and 4 at 6 bits (E_0 = 0.5, E_1 = 1); loss 0.0055 + 0.45 -> 71.78.
    const p = feasible({ ...base, preloadBytes: 0 });
    expect(Array.from(p.plan.shard)).toEqual([0, 1, 4, 5]);
    expect(Array.from(p.plan.resident)).toEqual([0, 0, 0, 0]);
    expect(bitsOfLayer(p, 0)).toEqual([2, 2]);
    expect(bitsOfLayer(p, 1)).toEqual([6, 2]);
    expect(Array.from(p.plan.plannedStartS)).toEqual([0.5, 1.25]);
    expect(p.plannedDelayS).toBe(0.5);
    expect(Array.from(p.aibS)).toEqual([0, 0]);
    expect(p.predictedLatencyS).toBe(2);
    expect(p.peakMemoryBytes).toBe((2 + 2 + 6 + 2) * 65536);
    expect(p.accuracy).toBeCloseTo(73.1, 12);
  });

  it('spends none of the slack when there is nothing to read', () => {
    // T = 3 with a buffer of exactly two 2-bit shards and no memory left to stream: m = 1 with
    // shards 0 and 4 preloaded wins (63.2; m = 2 drops layer 1: 55.6; m = 3 cannot run layer 0).
    const p = feasible({ ...base, targetLatencyS: 3, preloadBytes: 262144, memoryBudgetBytes: 262144 });
    expect(Array.from(p.plan.shard)).toEqual([0, 4]);
    expect(p.slackS).toBe(2);
    expect(p.plannedDelayS).toBe(0);
    expect(Array.from(p.plan.plannedStartS)).toEqual([0, 0.5]);
    expect(p.predictedLatencyS).toBe(1);
  });
});
