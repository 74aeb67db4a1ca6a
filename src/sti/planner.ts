/**
 * STI's elastic pipeline planner - a documented reconstruction from the paper's abstract and a
 * secondary summary (Guo, Choe, Lin, ASPLOS 2023), not the authors' code. Given a target latency
 * T, a memory budget and a preload buffer it chooses:
 *
 * 1. a compute plan: m shards per layer (each layer's m most important) and n layers, the most
 *    layers whose compute fits in T ("fill T with compute"); compute time does not depend on
 *    bit-width. Every m in 1..M is tried and the plan with the best modelled accuracy wins.
 * 2. the preload buffer's content: the plan's first shards in IO order, at `preloadBits` (by
 *    default the highest width at which all of layer 0 fits), as many whole shards as fit in
 *    min(preloadBytes, memoryBudgetBytes). Layer 0 must fit entirely, or the first layer would
 *    stall on IO. Preloaded shards keep their width; passes 1 and 2 plan the streamed shards.
 * 3. an IO plan for the streamed shards, by the accumulated IO budget (aib.ts):
 *    pass 1: the highest uniform bit-width with AIB(k) >= 0 at every layer and memory within
 *            budget; if even the lowest fails at layer k, the compute plan is cut to layers 0..k-1;
 *    pass 2: shards in order of importance are upgraded, each to the highest bit-width that keeps
 *            the plan stall-free and within memory, while the budget lasts.
 */
import { analyzeAib, createAibAnalysis } from './aib.js';
import { planAccuracy } from './accuracy.js';
import type { ShardedModel } from './model.js';
import type { PipelinePlan, StorageSpec } from './plan.js';

/** What the planner is given. */
export interface PlannerInput {
  readonly model: ShardedModel;
  /** Compute seconds of each shard at the planned sequence length. */
  readonly computeS: Float64Array;
  readonly storage: StorageSpec;
  readonly targetLatencyS: number;
  readonly memoryBudgetBytes: number;
  readonly preloadBytes: number;
  /**
   * Bit-width of preloaded shards. Default (undefined): the highest stored width at which layer
   * 0's selected shards all fit the buffer, since layer 0 must be resident anyway.
   */
  readonly preloadBits?: number;
}

/** A stall-free plan and what the planner predicts for it. */
export interface FeasiblePlan {
  readonly feasible: true;
  readonly plan: PipelinePlan;
  /** S_n: the sum of layer compute times, s. */
  readonly predictedLatencyS: number;
  /** AIB(k) of the final plan, s. */
  readonly aibS: Float64Array;
  /** Resident plus peak streamed bytes. */
  readonly peakMemoryBytes: number;
  /** Bit-width chosen by pass 1. */
  readonly uniformBits: number;
  readonly accuracy: number;
}

/** No stall-free plan within the target and budget, and why. */
export interface InfeasiblePlan {
  readonly feasible: false;
  readonly reason: string;
}

/** What the planner returns: a plan, or the reason there is none. */
export type PlanOutcome = FeasiblePlan | InfeasiblePlan;

/** Plans one (model, device, T, sequence length); see the file comment for the algorithm. */
export function planSti(input: PlannerInput): PlanOutcome {
  const { model, targetLatencyS } = input;
  if (input.preloadBits !== undefined && model.bitWidths.indexOf(input.preloadBits) < 0) throw new Error(`preload bit-width ${input.preloadBits} is not stored for ${model.name}`);
  const order = importanceOrder(model);
  let best: FeasiblePlan | undefined;
  let firstReason = '';
  for (let m = 1; m <= model.shardsPerLayer; m++) {
    const outcome = planForWidth(input, order, m, input.preloadBits ?? autoPreloadBits(input, order, m));
    if (!outcome.feasible) {
      if (m === 1) firstReason = outcome.reason;
      continue;
    }
    if (!best || outcome.accuracy > best.accuracy || (outcome.accuracy === best.accuracy && outcome.predictedLatencyS < best.predictedLatencyS)) best = outcome;
  }
  // m = 1 is the easiest plan to satisfy (least compute, least to preload), so its reason stands for all.
  return best ?? { feasible: false, reason: firstReason || `no plan meets target ${targetLatencyS} s` };
}

/** Shards of each layer, most important first (ties: lower index first). */
function importanceOrder(model: ShardedModel): Int32Array {
  const m = model.shardsPerLayer;
  const order = new Int32Array(model.layers * m);
  for (let l = 0; l < model.layers; l++) {
    const ids = Array.from({ length: m }, (_, j) => l * m + j);
    ids.sort((a, b) => model.importance[b]! - model.importance[a]! || a - b);
    order.set(ids, l * m);
  }
  return order;
}

/** Highest stored width at which layer 0's m most important shards fit the preload buffer. */
function autoPreloadBits(input: PlannerInput, order: Int32Array, m: number): number {
  const { model } = input;
  const K = model.bitWidths.length;
  const cap = Math.min(input.preloadBytes, input.memoryBudgetBytes);
  for (let b = K - 1; b > 0; b--) {
    let need = 0;
    for (let j = 0; j < m; j++) need += model.shardBytes[order[j]! * K + b]!;
    if (need <= cap) return model.bitWidths[b]!;
  }
  return model.bitWidths[0]!;
}

function planForWidth(input: PlannerInput, order: Int32Array, m: number, preloadBits: number): PlanOutcome {
  const { model, computeS, storage, targetLatencyS } = input;
  const M = model.shardsPerLayer;
  const K = model.bitWidths.length;
  // Compute plan: the most layers of m shards that fit in T.
  let n = 0;
  let total = 0;
  for (let l = 0; l < model.layers; l++) {
    let c = 0;
    for (let j = 0; j < m; j++) c += computeS[order[l * M + j]!]!;
    if (total + c > targetLatencyS) break;
    total += c;
    n++;
  }
  if (n === 0) {
    let c = 0;
    for (let j = 0; j < m; j++) c += computeS[order[j]!]!;
    return { feasible: false, reason: `target latency ${targetLatencyS} s is below the compute time of layer 0 with its ${m} most important shard(s) (${round(c)} s)` };
  }
  const count = n * m;
  const layerStart = new Int32Array(n + 1);
  const shard = new Int32Array(count);
  for (let l = 0; l < n; l++) {
    layerStart[l + 1] = (l + 1) * m;
    for (let j = 0; j < m; j++) shard[l * m + j] = order[l * M + j]!;
  }
  // Preload: the longest prefix in IO order that fits the buffer (and the memory budget).
  const pb = model.bitWidths.indexOf(preloadBits);
  const preloadCap = Math.min(input.preloadBytes, input.memoryBudgetBytes);
  const resident = new Uint8Array(count);
  const bitIndex = new Uint8Array(count);
  let residentTotal = 0;
  for (let i = 0; i < count; i++) {
    const bytes = model.shardBytes[shard[i]! * K + pb]!;
    if (residentTotal + bytes > preloadCap) break;
    residentTotal += bytes;
    resident[i] = 1;
    bitIndex[i] = pb;
  }
  if (!resident[m - 1]) {
    let need = 0;
    for (let j = 0; j < m; j++) need += model.shardBytes[shard[j]! * K + pb]!;
    return { feasible: false, reason: `preload buffer of ${preloadCap} bytes cannot hold layer 0's ${m} shard(s) at ${preloadBits} bits (${need} bytes); without them the first layer stalls on IO` };
  }
  const cap = input.memoryBudgetBytes - residentTotal;
  const p = { layerStart, shard, bitIndex, resident };
  const analysis = createAibAnalysis(n);
  const scratch = new Float64Array(n);
  const setStreamed = (b: number) => {
    for (let i = 0; i < count; i++) if (!resident[i]) bitIndex[i] = b;
  };
  // Pass 1: highest uniform bit-width; if none, cut the compute plan before the failing layer.
  let uniform = -1;
  for (;;) {
    for (let b = K - 1; b >= 0 && uniform < 0; b--) {
      setStreamed(b);
      if (analyzeAib(analysis, model, p, n, computeS, storage, cap, scratch)) uniform = b;
    }
    if (uniform >= 0) break;
    // Even the lowest width fails at layer k >= 1 (layer 0 is resident): layers 0..k-1 still work.
    n = analysis.failedLayer;
  }
  const entries = layerStart[n]!;
  // Pass 2: upgrade streamed shards by importance, each as far as the budget allows.
  const candidates: number[] = [];
  for (let i = 0; i < entries; i++) if (!resident[i]) candidates.push(i);
  candidates.sort((a, b) => model.importance[shard[b]!]! - model.importance[shard[a]!]! || a - b);
  for (const i of candidates) {
    const current = bitIndex[i]!;
    for (let b = K - 1; b > current; b--) {
      bitIndex[i] = b;
      if (analyzeAib(analysis, model, p, n, computeS, storage, cap, scratch)) break;
      bitIndex[i] = current;
    }
  }
  if (!analyzeAib(analysis, model, p, n, computeS, storage, cap, scratch)) throw new Error('STI planner: final plan is not stall-free');
  const plan: PipelinePlan = {
    strategy: 'sti',
    layers: n,
    layerStart: layerStart.slice(0, n + 1),
    shard: shard.slice(0, entries),
    bitIndex: bitIndex.slice(0, entries),
    resident: resident.slice(0, entries),
    streamCapBytes: cap,
    loadAllFirst: false,
  };
  let residentUsed = 0;
  for (let i = 0; i < entries; i++) if (resident[i]) residentUsed += model.shardBytes[shard[i]! * K + pb]!;
  return {
    feasible: true,
    plan,
    predictedLatencyS: analysis.layerStartS[n]!,
    aibS: analysis.aibS.slice(0, n),
    peakMemoryBytes: residentUsed + analysis.peakStreamedBytes,
    uniformBits: model.bitWidths[uniform]!,
    accuracy: planAccuracy(model, plan),
  };
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
