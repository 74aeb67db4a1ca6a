/**
 * An execution plan for one inference on an edge device: which shards run, at which bit-widths,
 * which are already resident in memory, and how the IO channel is allowed to run. STI plans and
 * the three baselines are all expressed as plans, so one pipeline simulator runs them all.
 */
import type { ShardedModel } from './model.js';

/** The strategies an edge device can use. */
export const STRATEGIES = ['sti', 'hold-in-memory', 'load-then-execute', 'layerwise'] as const;
/** One of STRATEGIES. */
export type StrategyName = (typeof STRATEGIES)[number];

/** Storage channel of the device: one sequential reader. */
export interface StorageSpec {
  /** Sustained sequential read bandwidth, bytes/s. */
  readonly bandwidthBps: number;
  /** Fixed cost of each read (one read per shard), s. */
  readonly readLatencyS: number;
}

/**
 * Shards in execution order. Entries layerStart[k] .. layerStart[k+1]-1 are layer k's shards, in
 * the order the IO channel reads them (the planner puts the most important first).
 */
export interface PipelinePlan {
  readonly strategy: StrategyName;
  /** Layers executed (n <= model.layers): always the first n. */
  readonly layers: number;
  readonly layerStart: Int32Array;
  /** Model shard index (layer * M + j) of each entry. */
  readonly shard: Int32Array;
  /** Index into model.bitWidths of each entry. */
  readonly bitIndex: Uint8Array;
  /** 1 when the shard stays in memory between requests (preload buffer, or the whole model). */
  readonly resident: Uint8Array;
  /** Most bytes of streamed (non-resident) shards that may be in memory at once; Infinity = no cap. */
  readonly streamCapBytes: number;
  /** Compute waits until every read has finished (load-then-execute). */
  readonly loadAllFirst: boolean;
  /**
   * Planned start of each layer's compute, s: layer k does not start before plannedStartS[k].
   * STI spends the slack between its compute and the target latency on waits for IO (planner.ts)
   * and records when each layer will start, so the simulator can report the planned waits apart
   * from stalls (waits beyond the plan). All zeros for the baselines: any wait of theirs is a stall.
   */
  readonly plannedStartS: Float64Array;
}

/** Seconds to read `bytes` in one read. One function, so planner and simulator agree to the bit. */
export function readTimeS(bytes: number, storage: StorageSpec): number {
  return storage.readLatencyS + bytes / storage.bandwidthBps;
}

/** Bytes of plan entry `i`. */
export function entryBytes(model: ShardedModel, plan: PipelinePlan, i: number): number {
  return model.shardBytes[plan.shard[i]! * model.bitWidths.length + plan.bitIndex[i]!]!;
}

/** Bytes of the resident entries of a plan. */
export function residentBytes(model: ShardedModel, plan: PipelinePlan): number {
  let total = 0;
  for (let i = 0; i < plan.shard.length; i++) if (plan.resident[i]) total += entryBytes(model, plan, i);
  return total;
}

/** A plan over all N x M shards in model order at one bit-width. */
function fullPlan(model: ShardedModel, strategy: StrategyName, bits: number, resident: boolean, streamCapBytes: number, loadAllFirst: boolean): PipelinePlan {
  const b = model.bitWidths.indexOf(bits);
  if (b < 0) throw new Error(`model ${model.name} is not stored at ${bits} bits (has ${model.bitWidths.join(', ')})`);
  const n = model.layers;
  const m = model.shardsPerLayer;
  const layerStart = new Int32Array(n + 1);
  for (let k = 0; k <= n; k++) layerStart[k] = k * m;
  const shard = new Int32Array(n * m);
  for (let s = 0; s < n * m; s++) shard[s] = s;
  return {
    strategy,
    layers: n,
    layerStart,
    shard,
    bitIndex: new Uint8Array(n * m).fill(b),
    resident: new Uint8Array(n * m).fill(resident ? 1 : 0),
    streamCapBytes,
    loadAllFirst,
    plannedStartS: new Float64Array(n),
  };
}

/** Baseline: the whole model resident at full precision; no IO per request. */
export function holdInMemoryPlan(model: ShardedModel): PipelinePlan {
  return fullPlan(model, 'hold-in-memory', 32, true, Infinity, false);
}

/** Baseline: read the whole model at full precision, then execute it. */
export function loadThenExecutePlan(model: ShardedModel): PipelinePlan {
  return fullPlan(model, 'load-then-execute', 32, false, Infinity, true);
}

/**
 * Baseline: layer-by-layer pipelining at one bit-width with double buffering: reads may run
 * ahead by at most the two largest consecutive layers (the layer computing and the next one).
 */
export function layerwisePlan(model: ShardedModel, bits: number): PipelinePlan {
  const k = model.bitWidths.length;
  const b = model.bitWidths.indexOf(bits);
  if (b < 0) throw new Error(`model ${model.name} is not stored at ${bits} bits (has ${model.bitWidths.join(', ')})`);
  const m = model.shardsPerLayer;
  let prev = 0;
  let cap = 0;
  for (let l = 0; l < model.layers; l++) {
    let layer = 0;
    for (let j = 0; j < m; j++) layer += model.shardBytes[(l * m + j) * k + b]!;
    cap = Math.max(cap, prev + layer);
    prev = layer;
  }
  return fullPlan(model, 'layerwise', bits, false, cap, false);
}
