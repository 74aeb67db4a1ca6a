import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineShardedModel, modelBytes, shardComputeTimes, type ShardedModel } from '../../src/sti/model.js';
import { simulatePipeline } from '../../src/sti/pipeline.js';
import { layerwisePlan, loadThenExecutePlan, readTimeS, type StorageSpec } from '../../src/sti/plan.js';
import { planSti } from '../../src/sti/planner.js';
import { runStrategy } from '../../src/sti/strategy.js';
import { BITS, DEGRADATION } from './tiny-model.js';

interface Case {
  model: ShardedModel;
  seqLen: number;
  bandwidthBps: number;
  readLatencyS: number;
  targetLatencyS: number;
  memoryBudgetBytes: number;
  preloadBytes: number;
}

/** Uniform in [min, max] (fc.double spreads over float bit patterns, crowding the small end). */
const uniform = (min: number, max: number) => fc.integer({ min: 0, max: 10_000 }).map((i) => min + ((max - min) * i) / 10_000);

/** Random cases whose target is `targetMin`..`targetMax` times the compute of the whole model. */
const casesWithTarget = (targetMin: number, targetMax: number): fc.Arbitrary<Case> => fc
  .record({
    layers: fc.integer({ min: 1, max: 6 }),
    m: fc.integer({ min: 1, max: 5 }),
    seed: fc.array(fc.tuple(fc.integer({ min: 100, max: 100_000 }), fc.integer({ min: 0, max: 5000 }), uniform(1e-3, 0.2), uniform(0, 1e-4), uniform(0, 1)), { minLength: 30, maxLength: 30 }),
    seqLen: fc.integer({ min: 1, max: 512 }),
    logBandwidth: uniform(5, 9),
    readLatencyS: uniform(0, 0.01),
    targetFrac: uniform(targetMin, targetMax),
    budgetFrac: uniform(0.001, 1.2),
    preloadFrac: uniform(0, 1),
  })
  .map((r) => {
    const model = defineShardedModel({
      name: 'random',
      layers: r.layers,
      shardsPerLayer: r.m,
      bitWidths: BITS,
      // Quantization metadata (below 32 bits only) is at most the size of the weights at 1 bit.
      bytes: (s, b) => r.seed[s]![0] * BITS[b]! + (BITS[b]! < 32 ? Math.min(r.seed[s]![1], r.seed[s]![0]) : 0),
      compute: (s) => [r.seed[s]![2], r.seed[s]![3], 0],
      importance: (s) => r.seed[s]![4] + 1e-3,
      maxSeqLen: 512,
      accuracy: { metric: 'acc', fullPrecision: 90, chance: 50, degradation: DEGRADATION, omitted: 1 },
    });
    const total = shardComputeTimes(model, r.seqLen).reduce((a, b) => a + b, 0);
    const memoryBudgetBytes = Math.max(1, Math.round(modelBytes(model) * r.budgetFrac));
    return {
      model,
      seqLen: r.seqLen,
      bandwidthBps: 10 ** r.logBandwidth,
      readLatencyS: r.readLatencyS,
      targetLatencyS: total * r.targetFrac,
      memoryBudgetBytes,
      preloadBytes: Math.round(memoryBudgetBytes * r.preloadFrac),
    };
  });

/** Targets from far below to somewhat above the whole model's compute. */
const caseArb = casesWithTarget(0.005, 1.5);
/** Targets well above compute: the planner has slack to spend as a planned start delay. */
const slackCaseArb = casesWithTarget(1.2, 6);

/**
 * Independent oracle: the easiest STI plan runs only layer 0's most important shard (2 bits at
 * least). It works if its compute fits T and the shard is preloaded, or - when the buffer cannot
 * hold it - if it fits the memory budget and reading it, then computing it, ends by T.
 */
function expectFeasible(c: Case, computeS: Float64Array, storage: StorageSpec): boolean {
  const { model } = c;
  let top = 0;
  for (let j = 1; j < model.shardsPerLayer; j++) if (model.importance[j]! > model.importance[top]!) top = j;
  const smallest = model.shardBytes[top * BITS.length]!;
  if (computeS[top]! > c.targetLatencyS) return false;
  if (smallest <= Math.min(c.preloadBytes, c.memoryBudgetBytes)) return true;
  return smallest <= c.memoryBudgetBytes && readTimeS(smallest, storage) + computeS[top]! <= c.targetLatencyS;
}

/** Plans one case and checks it against the event simulation. */
function checkCase(c: Case): void {
  const computeS = shardComputeTimes(c.model, c.seqLen);
  const storage = { bandwidthBps: c.bandwidthBps, readLatencyS: c.readLatencyS };
  const o = planSti({ model: c.model, computeS, storage, targetLatencyS: c.targetLatencyS, memoryBudgetBytes: c.memoryBudgetBytes, preloadBytes: c.preloadBytes });
  expect(o.feasible).toBe(expectFeasible(c, computeS, storage));
  if (!o.feasible) {
    expect(o.reason).toMatch(/target latency|preload buffer/);
    return;
  }
  const power = { computeW: 1, ioW: 1 };
  const r = simulatePipeline(c.model, o.plan, computeS, storage, power);
  // Never an unplanned stall; the planned waits are reported apart and fit in the slack.
  expect(r.stallS).toBe(0);
  expect(r.plannedDelayS).toBe(o.plannedDelayS);
  expect(o.plannedDelayS).toBeGreaterThanOrEqual(0);
  expect(o.plannedDelayS).toBeLessThanOrEqual(o.slackS + 1e-12 * c.targetLatencyS);
  expect(Math.abs(r.latencyS - (r.computeS + r.plannedDelayS))).toBeLessThanOrEqual(1e-12 * c.targetLatencyS);
  expect(r.peakMemoryBytes).toBeLessThanOrEqual(c.memoryBudgetBytes);
  expect(r.latencyS).toBeLessThanOrEqual(c.targetLatencyS);
  // The planner's analysis and the event simulation agree exactly.
  expect(r.latencyS).toBe(o.predictedLatencyS);
  expect(Array.from(r.layerStartS)).toEqual(Array.from(o.plan.plannedStartS));
  expect(r.peakMemoryBytes).toBe(o.peakMemoryBytes);
  for (let k = 0; k < o.aibS.length; k++) expect(o.aibS[k]).toBeGreaterThanOrEqual(0);
  // The waits are the least possible: without planned starts the same schedule runs, every wait
  // then counting as a stall - so the plan never holds compute back once it could run.
  const unplanned = simulatePipeline(c.model, { ...o.plan, plannedStartS: new Float64Array(o.plan.layers) }, computeS, storage, power);
  expect(Array.from(unplanned.layerStartS)).toEqual(Array.from(r.layerStartS));
  expect([unplanned.plannedDelayS, unplanned.stallS]).toEqual([0, r.plannedDelayS]);
  expect(r.accuracy).toBeGreaterThanOrEqual(50);
  expect(r.accuracy).toBeLessThanOrEqual(90 + 1e-9);
}

describe('STI planner + pipeline properties', () => {
  it('a feasible plan never stalls, stays in budget and meets the target; infeasibility is exactly the documented cases', () => {
    fc.assert(fc.property(caseArb, checkCase), { seed: 20230325, numRuns: 1000 });
  });

  it('with targets well above compute, the slack becomes planned waits for IO, never a stall or a miss', () => {
    fc.assert(fc.property(slackCaseArb, checkCase), { seed: 4242, numRuns: 500 });
  });

  it('with slack to read the whole model at 32 bits and memory to hold it, STI runs it at full precision', () => {
    // No preload buffer (preloaded shards keep the preload width), budget >= the 32-bit model, and
    // T >= compute + every read at 32 bits: with the IO channel or compute always busy until the
    // end, uniform 32 bits ends by compute + reads <= T.
    fc.assert(
      fc.property(slackCaseArb, uniform(0, 1), (c, extra) => {
        const computeS = shardComputeTimes(c.model, c.seqLen);
        const storage = { bandwidthBps: c.bandwidthBps, readLatencyS: c.readLatencyS };
        let compute = 0;
        let reads = 0;
        for (let s = 0; s < computeS.length; s++) {
          compute += computeS[s]!;
          reads += readTimeS(c.model.shardBytes[s * BITS.length + BITS.length - 1]!, storage);
        }
        const targetLatencyS = (compute + reads) * (1 + 1e-9 + extra);
        const o = planSti({ model: c.model, computeS, storage, targetLatencyS, memoryBudgetBytes: modelBytes(c.model), preloadBytes: 0 });
        if (!o.feasible) throw new Error(o.reason);
        expect(o.plan.layers).toBe(c.model.layers);
        expect(o.plan.shard.length).toBe(computeS.length);
        expect(o.accuracy).toBeCloseTo(90, 9);
        const r = simulatePipeline(c.model, o.plan, computeS, storage, { computeW: 1, ioW: 1 });
        expect([r.stallS, r.latencyS]).toEqual([0, o.predictedLatencyS]);
        // Compute waits at least for the first read, at most for all of them.
        expect(o.plannedDelayS).toBeGreaterThanOrEqual(readTimeS(c.model.shardBytes[o.plan.shard[0]! * BITS.length + BITS.length - 1]!, storage) * (1 - 1e-12));
        expect(o.plannedDelayS).toBeLessThanOrEqual(reads * (1 + 1e-12));
      }),
      { seed: 31, numRuns: 200 },
    );
  });

  it('infeasible targets come back as refusals with a reason, never as a violating run', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const o = runStrategy({ model: c.model, storage: { bandwidthBps: c.bandwidthBps, readLatencyS: c.readLatencyS }, memoryBudgetBytes: c.memoryBudgetBytes, preloadBytes: c.preloadBytes, targetLatencyS: c.targetLatencyS, strategy: 'sti', power: { computeW: 1, ioW: 1 } }, c.seqLen);
        if (o.ok) {
          expect(o.meetsTarget && o.withinBudget && o.result.stallS === 0).toBe(true);
        } else {
          expect(o.reason).toMatch(/^STI cannot plan \d+ tokens: /);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('baselines obey the pipeline invariants: latency >= compute and >= IO, stall = latency - compute', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(...BITS), (c, bits) => {
        const computeS = shardComputeTimes(c.model, c.seqLen);
        const storage = { bandwidthBps: c.bandwidthBps, readLatencyS: c.readLatencyS };
        for (const plan of [layerwisePlan(c.model, bits), loadThenExecutePlan(c.model)]) {
          const r = simulatePipeline(c.model, plan, computeS, storage, { computeW: 1, ioW: 1 });
          const tol = 1e-9 * r.latencyS;
          expect(r.latencyS).toBeGreaterThanOrEqual(r.computeS - tol);
          expect(r.latencyS).toBeGreaterThanOrEqual(r.ioBusyS - tol);
          expect(Math.abs(r.stallS - (r.latencyS - r.computeS))).toBeLessThanOrEqual(tol);
          expect(r.peakMemoryBytes).toBeLessThanOrEqual(plan.streamCapBytes);
          if (plan.loadAllFirst) expect(Math.abs(r.stallS - r.ioBusyS)).toBeLessThanOrEqual(tol);
        }
      }),
      { seed: 99, numRuns: 200 },
    );
  });
});
