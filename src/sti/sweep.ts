/**
 * The STI-vs-baselines table of the issue: for each target latency x memory budget x strategy,
 * the simulated latency, planned start delay, stall, accuracy and peak memory of one inference. Pure: the caller
 * loads the model and prints.
 */
import type { ShardedModel } from './model.js';
import type { PipelinePower } from './pipeline.js';
import type { StorageSpec, StrategyName } from './plan.js';
import { runStrategy } from './strategy.js';

/** A strategy column: the layerwise baseline needs its bit-width. */
export interface SweepStrategy {
  readonly strategy: StrategyName;
  readonly bits?: number;
}

/** Everything the sweep varies and holds fixed. */
export interface SweepInput {
  readonly model: ShardedModel;
  readonly seqLen: number;
  readonly storage: StorageSpec;
  readonly preloadBytes: number;
  readonly targetsS: readonly number[];
  readonly budgetsBytes: readonly number[];
  readonly strategies: readonly SweepStrategy[];
  readonly power: PipelinePower;
}

/** One cell of the table. Numbers are NaN when the strategy refused (STI with no feasible plan). */
export interface SweepRow {
  readonly targetLatencyS: number;
  readonly memoryBudgetBytes: number;
  /** `sti`, `hold-in-memory`, `load-then-execute` or `layerwise-<bits>`. */
  readonly strategy: string;
  readonly feasible: boolean;
  readonly reason?: string;
  readonly latencyS: number;
  /** STI's planned compute-start delay (slack spent on IO); 0 for the baselines. */
  readonly plannedDelayS: number;
  /** Unplanned compute idle time waiting for shards. */
  readonly stallS: number;
  readonly accuracy: number;
  readonly peakMemoryBytes: number;
  readonly ioBytes: number;
  readonly energyJ: number;
  readonly meetsTarget: boolean;
  readonly withinBudget: boolean;
}

/** Runs every (target, budget, strategy) combination, in that nesting order. */
export function stiSweep(input: SweepInput): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const targetLatencyS of input.targetsS) {
    for (const memoryBudgetBytes of input.budgetsBytes) {
      for (const s of input.strategies) {
        const label = s.strategy === 'layerwise' ? `layerwise-${s.bits ?? 32}` : s.strategy;
        // The preload buffer is part of the budget; a budget below it shrinks the buffer.
        const preloadBytes = Math.min(input.preloadBytes, memoryBudgetBytes);
        const o = runStrategy({ model: input.model, storage: input.storage, memoryBudgetBytes, preloadBytes, targetLatencyS, strategy: s.strategy, layerwiseBits: s.bits, power: input.power }, input.seqLen);
        if (!o.ok) {
          rows.push({ targetLatencyS, memoryBudgetBytes, strategy: label, feasible: false, reason: o.reason, latencyS: NaN, plannedDelayS: NaN, stallS: NaN, accuracy: NaN, peakMemoryBytes: NaN, ioBytes: NaN, energyJ: NaN, meetsTarget: false, withinBudget: false });
          continue;
        }
        const r = o.result;
        rows.push({
          targetLatencyS, memoryBudgetBytes, strategy: label, feasible: true,
          latencyS: r.latencyS, plannedDelayS: r.plannedDelayS, stallS: r.stallS, accuracy: r.accuracy, peakMemoryBytes: r.peakMemoryBytes,
          ioBytes: r.ioBytes, energyJ: r.energyJ, meetsTarget: o.meetsTarget, withinBudget: o.withinBudget,
        });
      }
    }
  }
  return rows;
}

/** Formats sweep rows as a markdown table (MB = 10^6 bytes). */
export function formatSweepMarkdown(rows: readonly SweepRow[], metric: string): string {
  const head = `| target (s) | budget (MB) | strategy | latency (s) | planned delay (s) | stall (s) | ${metric} | peak memory (MB) | IO (MB) | energy (J) | meets target | within budget |`;
  const rule = '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|';
  const lines = rows.map((r) => {
    if (!r.feasible) return `| ${r.targetLatencyS} | ${mb(r.memoryBudgetBytes)} | ${r.strategy} | infeasible: ${r.reason} | | | | | | | no | |`;
    return `| ${r.targetLatencyS} | ${mb(r.memoryBudgetBytes)} | ${r.strategy} | ${r.latencyS.toFixed(3)} | ${r.plannedDelayS.toFixed(3)} | ${r.stallS.toFixed(3)} | ${r.accuracy.toFixed(2)} | ${mb(r.peakMemoryBytes)} | ${mb(r.ioBytes)} | ${r.energyJ.toFixed(2)} | ${r.meetsTarget ? 'yes' : 'no'} | ${r.withinBudget ? 'yes' : 'no'} |`;
  });
  return [head, rule, ...lines].join('\n');
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
