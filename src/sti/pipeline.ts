/**
 * Event-level simulation of one inference under a plan: a storage channel reading shards one at a
 * time in plan order, and a compute unit running layers in order, in parallel. Events are "shard
 * read finished", "layer compute finished" and "planned start of the next layer reached"; at most
 * one of each is ever pending, so the event list is three variables rather than a heap.
 *
 * Rules:
 * - The request starts at t = 0 with the IO channel idle and resident shards already in memory.
 * - A read of a streamed shard starts as soon as the channel is free and the shard fits under the
 *   plan's stream cap (memory back-pressure); its buffer is counted from the start of the read.
 * - Layer k computes once layer k-1 has finished and all its shards have arrived (and, for
 *   load-then-execute, once every read has finished) and the plan's plannedStartS[k] has come
 *   (all zeros for the baselines; IO never waits for it). Compute time does not depend on bit-width.
 * - When layer k finishes, its streamed shards are freed; resident shards stay.
 * - Compute idle time before the last layer ends is split in two. The planned delay of layer k is
 *   max(0, plannedStartS[k] - end of layer k-1) (the end of "layer -1" is t = 0); its stall is
 *   the rest of the wait, (start of layer k) - max(end of layer k-1, plannedStartS[k]). So
 *   latency = compute + planned delay + stall; an STI plan predicts its waits exactly, so its
 *   stall is 0.
 * - On a tie, a read completion is handled before a compute completion or a planned start.
 */
import { planAccuracy } from './accuracy.js';
import type { ShardedModel } from './model.js';
import { entryBytes, readTimeS, residentBytes, type PipelinePlan, type StorageSpec } from './plan.js';

/** Power draw of the two channels. */
export interface PipelinePower {
  /** While the compute unit runs, W. */
  readonly computeW: number;
  /** While the storage channel reads, W. */
  readonly ioW: number;
}

/** What one inference under a plan costs. */
export interface PipelineResult {
  /** Time from start to the end of the last layer, s. */
  readonly latencyS: number;
  /** Sum of layer compute times, s. */
  readonly computeS: number;
  /** Unplanned compute idle time: waits for shards beyond the plan's planned starts, s. */
  readonly stallS: number;
  /** Planned compute idle time: waits up to the plan's planned starts (STI's slack spent on IO), s. */
  readonly plannedDelayS: number;
  /** Time the storage channel spent reading, s. */
  readonly ioBusyS: number;
  /** Bytes read from storage for this inference. */
  readonly ioBytes: number;
  /** Largest weight memory in use at any moment: resident plus streamed buffers, bytes. */
  readonly peakMemoryBytes: number;
  /** Bytes resident between requests (preload buffer, or the whole model). */
  readonly residentBytes: number;
  /** computeW * computeS + ioW * ioBusyS, J. */
  readonly energyJ: number;
  /** Modelled accuracy of the plan (see accuracy.ts). */
  readonly accuracy: number;
  /** Start time of each layer's compute, s. */
  readonly layerStartS: Float64Array;
}

/** Simulates one inference; `computeS[s]` is shard s's compute time at the request's length. */
export function simulatePipeline(model: ShardedModel, plan: PipelinePlan, computeS: Float64Array, storage: StorageSpec, power: PipelinePower): PipelineResult {
  const n = plan.layers;
  const count = plan.shard.length;
  const layerOf = new Int32Array(count);
  const layerCompute = new Float64Array(n);
  const layerStreamed = new Float64Array(n);
  const pending = new Int32Array(n);
  let readsLeft = 0;
  for (let k = 0; k < n; k++) {
    for (let i = plan.layerStart[k]!; i < plan.layerStart[k + 1]!; i++) {
      layerOf[i] = k;
      layerCompute[k] += computeS[plan.shard[i]!]!;
      if (!plan.resident[i]) {
        layerStreamed[k] += entryBytes(model, plan, i);
        pending[k]++;
        readsLeft++;
      }
    }
  }
  const resident = residentBytes(model, plan);
  const cap = plan.streamCapBytes;
  const layerStartS = new Float64Array(n);
  let t = 0;
  let inMemory = 0; // streamed bytes currently buffered
  let peak = resident;
  let next = nextStreamed(plan, 0);
  let reading = -1; // entry being read, -1 when the channel is idle
  let readEnd = 0;
  let ioBusyS = 0;
  let ioBytes = 0;
  let layer = 0; // next layer to compute
  let computing = false;
  let computeEnd = 0;
  const planned = plan.plannedStartS;
  let lastEnd = 0;
  let stallS = 0;
  let plannedDelayS = 0;
  let computeTotal = 0;

  for (;;) {
    if (reading < 0 && next < count) {
      const bytes = entryBytes(model, plan, next);
      if (inMemory + bytes <= cap) {
        const d = readTimeS(bytes, storage);
        reading = next;
        readEnd = t + d;
        ioBusyS += d;
        ioBytes += bytes;
        inMemory += bytes;
        if (resident + inMemory > peak) peak = resident + inMemory;
        next = nextStreamed(plan, next + 1);
      }
    }
    if (!computing && layer < n && pending[layer] === 0 && (!plan.loadAllFirst || readsLeft === 0) && t >= planned[layer]!) {
      const due = planned[layer]! > lastEnd ? planned[layer]! : lastEnd;
      plannedDelayS += due - lastEnd;
      stallS += t - due;
      layerStartS[layer] = t;
      computing = true;
      computeEnd = t + layerCompute[layer]!;
      computeTotal += layerCompute[layer]!;
    }
    // While the next layer's planned start is ahead, it is the compute side's next event.
    const wakeS = !computing && layer < n && t < planned[layer]! ? planned[layer]! : Infinity;
    if (reading < 0 && !computing && wakeS === Infinity) {
      if (layer === n) break;
      throw new Error(`pipeline deadlock in ${plan.strategy} plan of ${model.name}: layer ${layer}'s shards do not fit the stream cap of ${cap} bytes`);
    }
    if (reading >= 0 && readEnd <= (computing ? computeEnd : wakeS)) {
      t = readEnd;
      pending[layerOf[reading]!]--;
      readsLeft--;
      reading = -1;
    } else if (!computing) {
      t = wakeS;
    } else {
      t = computeEnd;
      computing = false;
      inMemory -= layerStreamed[layer]!;
      lastEnd = t;
      layer++;
    }
  }
  return {
    latencyS: t,
    computeS: computeTotal,
    stallS,
    plannedDelayS,
    ioBusyS,
    ioBytes,
    peakMemoryBytes: peak,
    residentBytes: resident,
    energyJ: power.computeW * computeTotal + power.ioW * ioBusyS,
    accuracy: planAccuracy(model, plan),
    layerStartS,
  };
}

function nextStreamed(plan: PipelinePlan, from: number): number {
  let i = from;
  while (i < plan.shard.length && plan.resident[i]) i++;
  return i;
}
