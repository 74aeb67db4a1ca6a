/**
 * The accumulated IO budget (AIB) of a plan, STI's test of whether IO hides behind compute,
 * extended with planned waits for plans whose compute cannot fill the target latency.
 *
 * Timing assumptions (the same as the pipeline simulator's): the request starts at t = 0; the IO
 * channel starts reading the first streamed shard at t = 0 and reads shards back to back in plan
 * order; resident shards (the preload buffer) are already in memory and cost no IO. Layer k
 * starts as soon as layer k-1 has ended (at t = 0 for k = 0) and its last streamed shard has
 * arrived:
 *
 *   S_k = max(S_{k-1} + Tcomp(k-1), E_k),   latency = S_n = sum of Tcomp + sum of waits,
 *
 * where E_k is the arrival of the last streamed shard of layers 0..k (0 if none). The wait before
 * layer k is w_k = S_k - (S_{k-1} + Tcomp(k-1)) and AIB(k) = S_k - E_k >= 0 is what is left of
 * the budget when layer k starts. Without waits this is STI's recurrence
 *   AIB(0) = -IO(0),   AIB(k) = AIB(k-1) + Tcomp(k-1) - IO(k),
 * where IO(k) is the read time of layer k's streamed shards: the preload buffer contributes by
 * removing its shards from IO(k). A wait is what a negative AIB becomes: w_k = -min(0, that sum).
 *
 * A plan meets its deadline T iff S_n <= T, i.e. its waits fit in the slack T - sum Tcomp. When
 * compute fills T (no slack) that is STI's condition AIB(k) >= 0 with no wait at all; with slack,
 * the waits are planned (the simulator is told each S_k and reports only waits beyond it as
 * stalls). Starting every layer as early as it can is the fastest schedule for the plan's shards
 * and widths: an earlier end frees memory earlier, which never delays a read.
 *
 * With a memory budget, a read waits until the streamed bytes in memory plus its own fit under
 * the cap; memory of layer j is freed when j ends, at S_j + Tcomp(j). A read starting at the very
 * moment a layer ends does not see that layer's memory freed unless it had to wait for it -
 * exactly the simulator's tie rule, so both give the same schedule, to the bit.
 */
import type { ShardedModel } from './model.js';
import { readTimeS, type StorageSpec } from './plan.js';

/** Why a plan fails: it misses the deadline, or a layer's own shards exceed the stream cap. */
export type AibFailure = 'io' | 'memory';

/** Scratch state for repeated analyses of plans with the same shards (the planner's inner loop). */
export interface AibAnalysis {
  /** AIB(k) = S_k - E_k of the last run, s (>= 0: layers never start before their shards). */
  readonly aibS: Float64Array;
  /** S_k of the last run (k = 0..n-1), and at index n the end of the last layer: the latency, s. */
  readonly layerStartS: Float64Array;
  /** End of each layer, S_k + Tcomp(k), s: when its streamed memory is freed. */
  readonly layerEndS: Float64Array;
  /** Wait before each layer (S_k minus the end of layer k-1, or minus 0 for k = 0), s. */
  readonly waitS: Float64Array;
  /** Sum of the waits, s. */
  totalWaitS: number;
  /** Layer that failed in the last run (for 'io': the last layer), -1 if none. */
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
    layerEndS: new Float64Array(maxLayers),
    waitS: new Float64Array(maxLayers),
    totalWaitS: 0,
    failedLayer: -1,
    failure: undefined,
    peakStreamedBytes: 0,
  };
}

/**
 * Schedules the first `layers` layers of a plan as early as they can run; true when the last
 * layer ends by `deadlineS` and every read fits within `streamCapBytes`. With the deadline at the
 * plan's compute time this is STI's stall-free test. `layerStreamed` is scratch of `layers` slots.
 */
export function analyzeAib(
  out: AibAnalysis, model: ShardedModel, p: PlanArrays, layers: number,
  computeS: Float64Array, storage: StorageSpec, streamCapBytes: number, deadlineS: number, layerStreamed: Float64Array,
): boolean {
  const k = model.bitWidths.length;
  const S = out.layerStartS;
  const end = out.layerEndS;
  out.failedLayer = -1;
  out.failure = undefined;
  out.totalWaitS = 0;
  let ioFree = 0;
  let arrived = 0;
  let inUse = 0;
  let freed = 0; // layers < freed have released their streamed bytes
  let peak = 0;
  let prevEnd = 0; // end of layer l-1
  for (let l = 0; l < layers; l++) {
    layerStreamed[l] = 0;
    let c = 0;
    for (let i = p.layerStart[l]!; i < p.layerStart[l + 1]!; i++) {
      c += computeS[p.shard[i]!]!;
      if (p.resident[i]) continue;
      const bytes = model.shardBytes[p.shard[i]! * k + p.bitIndex[i]!]!;
      let start = ioFree;
      while (freed < l && end[freed]! < start) inUse -= layerStreamed[freed++]!;
      while (inUse + bytes > streamCapBytes) {
        if (freed >= l) {
          out.failedLayer = l;
          out.failure = 'memory';
          out.peakStreamedBytes = peak;
          return false;
        }
        if (end[freed]! > start) start = end[freed]!;
        inUse -= layerStreamed[freed++]!;
        while (freed < l && end[freed]! < start) inUse -= layerStreamed[freed++]!;
      }
      ioFree = start + readTimeS(bytes, storage);
      arrived = ioFree;
      inUse += bytes;
      layerStreamed[l] += bytes;
      if (inUse > peak) peak = inUse;
    }
    const s = arrived > prevEnd ? arrived : prevEnd;
    S[l] = s;
    out.waitS[l] = s - prevEnd;
    out.totalWaitS += s - prevEnd;
    out.aibS[l] = s - arrived;
    prevEnd = s + c;
    end[l] = prevEnd;
  }
  S[layers] = prevEnd;
  out.peakStreamedBytes = peak;
  if (prevEnd > deadlineS) {
    out.failedLayer = layers - 1;
    out.failure = 'io';
    return false;
  }
  return true;
}
