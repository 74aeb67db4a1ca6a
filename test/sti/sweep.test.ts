import { describe, expect, it } from 'vitest';
import { loadShardedModel } from '../../src/sti/load-model.js';
import { formatSweepMarkdown, stiSweep, type SweepRow } from '../../src/sti/sweep.js';

const model = loadShardedModel('profiles/edge/bert-base.yaml');
const storage = { bandwidthBps: 300e6, readLatencyS: 1e-4 };
const FULL = 85054464 * 4; // BERT-base encoder layers at fp32
const rows = stiSweep({
  model, seqLen: 128, storage, preloadBytes: 4e6,
  targetsS: [0.001, 0.2, 0.4], budgetsBytes: [16e6, 32e6],
  strategies: [{ strategy: 'sti' }, { strategy: 'hold-in-memory' }, { strategy: 'load-then-execute' }, { strategy: 'layerwise', bits: 32 }],
  power: { computeW: 10, ioW: 0.5 },
});
const pick = (t: number, b: number, s: string): SweepRow => rows.find((r) => r.targetLatencyS === t && r.memoryBudgetBytes === b && r.strategy === s)!;

describe('STI vs baselines sweep on BERT-base', () => {
  it('has one row per target x budget x strategy, in that order', () => {
    expect(rows).toHaveLength(3 * 2 * 4);
    expect(rows.slice(0, 4).map((r) => r.strategy)).toEqual(['sti', 'hold-in-memory', 'load-then-execute', 'layerwise-32']);
  });

  it('reports a target below one shard of compute as infeasible for STI, not as a violating run', () => {
    const r = pick(0.001, 16e6, 'sti');
    expect(r.feasible).toBe(false);
    expect(r.reason).toMatch(/target latency 0.001 s is below/);
    expect(Number.isNaN(r.latencyS)).toBe(true);
  });

  it('baselines match closed forms: all IO is stall for load-then-execute', () => {
    const hold = pick(0.4, 16e6, 'hold-in-memory');
    const lte = pick(0.4, 16e6, 'load-then-execute');
    expect(hold.peakMemoryBytes).toBe(FULL);
    expect(hold.stallS).toBe(0);
    // 144 reads: 340,217,856 B / 300 MB/s + 144 x 0.1 ms.
    expect(lte.stallS).toBeCloseTo(FULL / 300e6 + 144 * 1e-4, 9);
    expect(lte.latencyS).toBeCloseTo(lte.stallS + hold.latencyS, 9);
    expect(pick(0.4, 16e6, 'layerwise-32').stallS).toBeGreaterThan(0.5);
  });

  it('STI: no stalls, within target and budget, wherever it plans', () => {
    for (const r of rows.filter((x) => x.strategy === 'sti' && x.feasible)) {
      expect(r.stallS).toBe(0);
      expect(r.plannedDelayS).toBeGreaterThanOrEqual(0);
      expect(r.latencyS).toBeLessThanOrEqual(r.targetLatencyS);
      expect(r.peakMemoryBytes).toBeLessThanOrEqual(r.memoryBudgetBytes);
    }
  });

  it("the paper's claim holds under our assumptions: near-full accuracy at over 10x less memory", () => {
    const sti = pick(0.4, 16e6, 'sti');
    const hold = pick(0.4, 16e6, 'hold-in-memory');
    expect(hold.peakMemoryBytes / sti.peakMemoryBytes).toBeGreaterThan(10);
    expect(hold.accuracy - sti.accuracy).toBeLessThan(3);
  });

  it('formats a markdown table with a line per row', () => {
    const md = formatSweepMarkdown(rows, model.accuracy.metric).split('\n');
    expect(md).toHaveLength(2 + rows.length);
    expect(md[0]).toContain('| planned delay (s) | stall (s) | SST-2 accuracy (%) |');
    expect(md[2]).toMatch(/^\| 0.001 \| 16.0 \| sti \| infeasible: STI cannot plan 128 tokens/);
  });
});
