/**
 * The sharded model the STI planner and pipeline work on: N layers x M shards, each with bytes at
 * every stored bit-width, a compute time as a function of sequence length, and an importance.
 * Arrays are flat and typed (shard s = layer * M + j) so planning and simulation allocate little.
 */

/** Accuracy model: accuracy = chance + (fullPrecision - chance) * (1 - sum_s importance_s * loss_s). */
export interface AccuracyModel {
  readonly metric: string;
  readonly fullPrecision: number;
  readonly chance: number;
  /** Loss fraction of a shard at bitWidths[b] (non-increasing in b, 0 at 32 bits). */
  readonly degradation: Float64Array;
  /** Loss fraction of a shard that is not executed. */
  readonly omitted: number;
}

/** A model split into shards, ready for planning. */
export interface ShardedModel {
  readonly name: string;
  readonly layers: number;
  readonly shardsPerLayer: number;
  /** Stored bit-widths, strictly increasing, last one 32. */
  readonly bitWidths: readonly number[];
  /** shardBytes[s * K + b]: bytes of shard s at bitWidths[b]. */
  readonly shardBytes: Float64Array;
  /** computeCoeffs[3s..3s+2]: shard s takes c0 + c1*L + c2*L^2 seconds for L tokens. */
  readonly computeCoeffs: Float64Array;
  /** Importance of each shard to accuracy; sums to 1. */
  readonly importance: Float64Array;
  readonly maxSeqLen: number;
  readonly accuracy: AccuracyModel;
  /** Compute unit the times were derived for, and its power while computing. */
  readonly computeDevice: string;
  readonly computePowerW: number;
}

/** Explicit description of a sharded model (what the file loader and tests build models from). */
export interface ShardedModelInit {
  readonly name: string;
  readonly layers: number;
  readonly shardsPerLayer: number;
  readonly bitWidths: readonly number[];
  /** Bytes of shard s at bitWidths[b]. */
  bytes(s: number, b: number): number;
  /** [c0, c1, c2] of shard s (seconds = c0 + c1*L + c2*L^2). */
  compute(s: number): readonly [number, number, number];
  /** Raw importance of shard s (normalized to sum 1 here). */
  importance(s: number): number;
  readonly maxSeqLen: number;
  readonly accuracy: Omit<AccuracyModel, 'degradation'> & { readonly degradation: readonly number[] };
  readonly computeDevice?: string;
  readonly computePowerW?: number;
}

/** Builds a ShardedModel, checking its invariants (plain Errors: callers validate user input first). */
export function defineShardedModel(init: ShardedModelInit): ShardedModel {
  const { layers, shardsPerLayer: m, bitWidths } = init;
  const count = layers * m;
  const k = bitWidths.length;
  if (!(count > 0)) throw new Error(`sharded model ${init.name}: needs at least one shard`);
  for (let b = 0; b < k; b++) if (b > 0 && !(bitWidths[b]! > bitWidths[b - 1]!)) throw new Error(`sharded model ${init.name}: bit-widths must increase`);
  if (bitWidths[k - 1] !== 32) throw new Error(`sharded model ${init.name}: the last bit-width must be 32`);
  if (init.accuracy.degradation.length !== k) throw new Error(`sharded model ${init.name}: one degradation per bit-width`);
  const shardBytes = new Float64Array(count * k);
  const computeCoeffs = new Float64Array(count * 3);
  const importance = new Float64Array(count);
  let total = 0;
  for (let s = 0; s < count; s++) {
    for (let b = 0; b < k; b++) {
      const bytes = init.bytes(s, b);
      if (!(bytes > 0) || (b > 0 && bytes < shardBytes[s * k + b - 1]!)) throw new Error(`sharded model ${init.name}: shard ${s} bytes must be positive and grow with bits`);
      shardBytes[s * k + b] = bytes;
    }
    const c = init.compute(s);
    if (!(c[0] >= 0 && c[1] >= 0 && c[2] >= 0 && c[0] + c[1] + c[2] > 0)) throw new Error(`sharded model ${init.name}: shard ${s} compute coefficients must be >= 0 and not all 0`);
    computeCoeffs.set(c, 3 * s);
    const imp = init.importance(s);
    if (!(imp >= 0)) throw new Error(`sharded model ${init.name}: shard ${s} importance must be >= 0`);
    importance[s] = imp;
    total += imp;
  }
  if (!(total > 0)) throw new Error(`sharded model ${init.name}: importances sum to 0`);
  for (let s = 0; s < count; s++) importance[s]! /= total;
  return {
    name: init.name,
    layers,
    shardsPerLayer: m,
    bitWidths: [...bitWidths],
    shardBytes,
    computeCoeffs,
    importance,
    maxSeqLen: init.maxSeqLen,
    accuracy: { ...init.accuracy, degradation: Float64Array.from(init.accuracy.degradation) },
    computeDevice: init.computeDevice ?? 'unnamed',
    computePowerW: init.computePowerW ?? 0,
  };
}

/** Compute seconds of every shard for a sequence of `seqLen` tokens. */
export function shardComputeTimes(model: ShardedModel, seqLen: number): Float64Array {
  const n = model.layers * model.shardsPerLayer;
  const out = new Float64Array(n);
  const c = model.computeCoeffs;
  for (let s = 0; s < n; s++) out[s] = c[3 * s]! + seqLen * (c[3 * s + 1]! + seqLen * c[3 * s + 2]!);
  return out;
}

/** Index of `bits` in the model's bit-widths, or -1. */
export function bitIndex(model: ShardedModel, bits: number): number {
  return model.bitWidths.indexOf(bits);
}

/** Bytes of the whole sharded part of the model at one bit-width (e.g. 32 for full precision). */
export function modelBytes(model: ShardedModel, bits = 32): number {
  const k = model.bitWidths.length;
  const b = bitIndex(model, bits);
  if (b < 0) throw new Error(`model ${model.name} has no ${bits}-bit shards`);
  let total = 0;
  for (let s = 0; s < model.layers * model.shardsPerLayer; s++) total += model.shardBytes[s * k + b]!;
  return total;
}
