/**
 * One entry point for every edge strategy: build the plan (STI's planner or a baseline) for a
 * sequence length, run it through the pipeline simulator, and say whether it met the target and
 * the memory budget. Devices and the sweep both go through here, so they cannot disagree.
 */
import { shardComputeTimes, type ShardedModel } from './model.js';
import { simulatePipeline, type PipelinePower, type PipelineResult } from './pipeline.js';
import { holdInMemoryPlan, layerwisePlan, loadThenExecutePlan, type PipelinePlan, type StorageSpec, type StrategyName } from './plan.js';
import { planSti } from './planner.js';

/** An edge device's configuration, as far as one inference is concerned. */
export interface EdgeSetup {
  readonly model: ShardedModel;
  readonly storage: StorageSpec;
  readonly memoryBudgetBytes: number;
  readonly preloadBytes: number;
  /** Bit-width of preloaded shards (STI); default: the highest at which layer 0 fits the buffer. */
  readonly preloadBits?: number;
  readonly targetLatencyS: number;
  readonly strategy: StrategyName;
  /** Bit-width of the layerwise baseline; default 32. */
  readonly layerwiseBits?: number;
  readonly power: PipelinePower;
}

/** A plan that ran, with its simulated cost. */
export interface StrategyRun {
  readonly ok: true;
  readonly plan: PipelinePlan;
  readonly result: PipelineResult;
  readonly meetsTarget: boolean;
  readonly withinBudget: boolean;
}

/** STI found no plan that meets the target without stalls: reported, never silently violated. */
export interface StrategyRefusal {
  readonly ok: false;
  readonly reason: string;
}

/** A simulated run, or STI's refusal. */
export type StrategyOutcome = StrategyRun | StrategyRefusal;

/** Plans and simulates one inference of `seqLen` tokens under `setup`. */
export function runStrategy(setup: EdgeSetup, seqLen: number): StrategyOutcome {
  const { model } = setup;
  const computeS = shardComputeTimes(model, seqLen);
  let plan: PipelinePlan;
  switch (setup.strategy) {
    case 'sti': {
      const outcome = planSti({
        model,
        computeS,
        storage: setup.storage,
        targetLatencyS: setup.targetLatencyS,
        memoryBudgetBytes: setup.memoryBudgetBytes,
        preloadBytes: setup.preloadBytes,
        preloadBits: setup.preloadBits,
      });
      if (!outcome.feasible) return { ok: false, reason: `STI cannot plan ${seqLen} tokens: ${outcome.reason}` };
      plan = outcome.plan;
      break;
    }
    case 'hold-in-memory':
      plan = holdInMemoryPlan(model);
      break;
    case 'load-then-execute':
      plan = loadThenExecutePlan(model);
      break;
    case 'layerwise':
      plan = layerwisePlan(model, setup.layerwiseBits ?? 32);
      break;
  }
  const result = simulatePipeline(model, plan, computeS, setup.storage, setup.power);
  return {
    ok: true,
    plan,
    result,
    meetsTarget: result.latencyS <= setup.targetLatencyS,
    withinBudget: result.peakMemoryBytes <= setup.memoryBudgetBytes,
  };
}

/**
 * Sequence-length buckets: powers of two from 16 up to the model's maximum (which is always the
 * last bucket). Requests are padded to their bucket, as fixed-shape mobile engines do, so a plan
 * made for the bucket's length is exact for every request in it.
 */
export function defaultSeqBuckets(maxSeqLen: number): number[] {
  const out: number[] = [];
  for (let b = 16; b < maxSeqLen; b *= 2) out.push(b);
  out.push(maxSeqLen);
  return out;
}

/** Smallest bucket holding `tokens`, or undefined when it exceeds the last bucket. */
export function seqBucket(tokens: number, buckets: readonly number[]): number | undefined {
  for (const b of buckets) if (tokens <= b) return b;
  return undefined;
}

/**
 * Memo of plan outcomes keyed by (model, device, target latency, sequence bucket): planning runs
 * once per key, however many requests or replicas use it.
 */
export interface PlanCache {
  get(modelName: string, deviceKey: string, targetLatencyS: number, bucket: number, make: () => StrategyOutcome): StrategyOutcome;
  readonly size: number;
}

/** Creates an empty plan cache (one per device group; no globals). */
export function createPlanCache(): PlanCache {
  const map = new Map<string, StrategyOutcome>();
  return {
    get(modelName, deviceKey, targetLatencyS, bucket, make) {
      const key = `${modelName}\u0000${deviceKey}\u0000${targetLatencyS}\u0000${bucket}`;
      let hit = map.get(key);
      if (!hit) {
        hit = make();
        map.set(key, hit);
      }
      return hit;
    },
    get size() {
      return map.size;
    },
  };
}
