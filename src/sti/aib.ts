/**
 * The accumulated IO budget (AIB) of a plan, STI's test of whether IO hides behind compute.
 *
 * Timing assumptions (the same as the pipeline simulator's): the request starts at t = 0; the IO
 * channel starts reading the first streamed shard at t = 0 and reads shards back to back in plan
 * order; resident shards (the preload buffer) are already in memory and cost no IO. If compute
 * never stalls, layer k starts at S_k = Tcomp(0) + ... + Tcomp(k-1). Let E_k be the time the last
 * streamed shard of layers 0..k arrives (0 if none has been streamed). Then
 *
 *   AIB(k) = S_k - E_k,   and the plan is stall-free iff AIB(k) >= 0 for every k.
 *
 * Without memory back-pressure E_k = IO(0) + ... + IO(k), which gives STI's recurrence
 *   AIB(0) = -IO(0),   AIB(k) = AIB(k-1) + Tcomp(k-1) - IO(k),
 * where IO(k) is the read time of layer k's streamed shards: the preload buffer contributes by
 * removing its shards from IO(k) (a fully preloaded layer 0 gives AIB(0) = 0). The budget
 * available to layer k's reads before its compute must start is AIB(k-1) + Tcomp(k-1).
 *
 * With a memory budget, a read waits until the streamed bytes in memory plus its own fit under
 * the cap; memory of layer j is freed when j finishes, at S_{j+1} (on the stall-free hypothesis).
 * A read starting at the very moment a layer ends does not see that layer's memory freed unless
 * it had to wait for it - exactly the simulator's tie rule, so both give the same schedule.
 */
import type { ShardedModel } from './model.js';
import { readTimeS, type StorageSpec } from './plan.js';

/** Why a plan is not stall-free. */
export type AibFailure = 'io' | 'memory';

/** Scratch state for repeated analyses of plans with the same shards (the planner's inner loop). */
export interface AibAnalysis {
  /** AIB(k) of the last run, s. */
  readonly aibS: Float64Array;
  /** S_k of the last run (k = 0..n), s; S_n is the latency. */
  readonly layerStartS: Float64Array;
  /** First layer that failed in the last run, -1 if none. */
  failedLayer: number;
  failure: AibFailure | undefined;
  /** Largest streamed bytes in memory at once in the last run. */
  peakStreamedBytes: number;
}

/** The arrays of a plan under construction. */
export interface PlanArrays {
  readonly layerStart: Int32Array;
  readonly shard: Int32Array;
  readonly bitIndex: Uint8Array;
  readonly resident: Uint8Array;
}

/** Allocates scratch space for plans of up to `maxLayers` layers. */
export function createAibAnalysis(maxLayers: number): AibAnalysis {
  return {
    aibS: new Float64Array(maxLayers),
    layerStartS: new Float64Array(maxLayers + 1),
    failedLayer: -1,
    failure: undefined,
    peakStreamedBytes: 0,
  };
}

/**
 * Analyses the first `layers` layers of a plan; true when stall-free within `streamCapBytes`.
 * Stops at the first failing layer (later layers cannot repair an earlier stall).
 */
export function analyzeAib(
  out: AibAnalysis, model: ShardedModel, p: PlanArrays, layers: number,
  computeS: Float64Array, storage: StorageSpec, streamCapBytes: number, layerStreamed: Float64Array,
): boolean {
  const k = model.bitWidths.length;
  const S = out.layerStartS;
  S[0] = 0;
  for (let l = 0; l < layers; l++) {
    let c = 0;
    for (let i = p.layerStart[l]!; i < p.layerStart[l + 1]!; i++) c += computeS[p.shard[i]!]!;
    S[l + 1] = S[l]! + c;
  }
  out.failedLayer = -1;
  out.failure = undefined;
  let ioFree = 0;
  let arrived = 0;
  let inUse = 0;
  let freed = 0; // layers < freed have released their streamed bytes
  let peak = 0;
  for (let l = 0; l < layers; l++) {
    layerStreamed[l] = 0;
    for (let i = p.layerStart[l]!; i < p.layerStart[l + 1]!; i++) {
      if (p.resident[i]) continue;
      const bytes = model.shardBytes[p.shard[i]! * k + p.bitIndex[i]!]!;
      let start = ioFree;
      while (freed < l && S[freed + 1]! < start) inUse -= layerStreamed[freed++]!;
      while (inUse + bytes > streamCapBytes) {
        if (freed >= l) {
          out.failedLayer = l;
          out.failure = 'memory';
          out.peakStreamedBytes = peak;
          return false;
        }
        if (S[freed + 1]! > start) start = S[freed + 1]!;
        inUse -= layerStreamed[freed++]!;
        while (freed < l && S[freed + 1]! < start) inUse -= layerStreamed[freed++]!;
      }
      ioFree = start + readTimeS(bytes, storage);
      arrived = ioFree;
      inUse += bytes;
      layerStreamed[l] += bytes;
      if (inUse > peak) peak = inUse;
    }
    out.aibS[l] = S[l]! - arrived;
    if (out.aibS[l]! < 0) {
      out.failedLayer = l;
      out.failure = 'io';
      out.peakStreamedBytes = peak;
      return false;
    }
  }
  out.peakStreamedBytes = peak;
  return true;
}
