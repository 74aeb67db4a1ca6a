/**
 * STI's elastic pipeline planner - a documented reconstruction from the paper's abstract and a
 * secondary summary (Guo, Choe, Lin, ASPLOS 2023), not the authors' code. Given a target latency
 * T, a memory budget and a preload buffer it chooses:
 *
 * 1. a compute plan: m shards per layer (each layer's m most important) and n layers, the most
 *    layers whose compute fits in T ("fill T with compute"); compute time does not depend on
 *    bit-width. Every m in 1..M is tried and the plan with the best modelled accuracy wins (ties:
 *    the lower latency).
 * 2. the preload buffer's content: the plan's first shards in IO order, at `preloadBits` (by
 *    default the highest width at which all of layer 0 fits), as many whole shards as fit in
 *    min(preloadBytes, memoryBudgetBytes). Preloaded shards keep their width; passes 1 and 2 plan
 *    the streamed shards.
 * 3. an IO plan for the streamed shards, tested by the accumulated IO budget (aib.ts): every layer
 *    starts as soon as its shards are in and the previous layer is done, and the plan is accepted
 *    iff the last layer ends by T within the memory budget.
 *    pass 1: the highest uniform bit-width that passes. If even the lowest fails, layers are
 *            dropped from the end: one at a time after a missed deadline (each dropped layer
 *            frees its compute time for IO), straight to the failing layer k after a memory
 *            failure (layer k's own shards exceed the cap, which no time cures);
 *    pass 2: shards in order of importance are upgraded, each to the highest bit-width that
 *            still passes, while the budget lasts.
 *
 * Slack. When compute fills T the test is STI's stall-free condition AIB(k) >= 0: there is no
 * time to wait. When it cannot (short inputs: the whole model computes in less than T), the slack
 * T - compute is IO budget: compute may wait for IO - at the start, AIB(0) = wait - IO(0), or
 * before any later layer - as long as the waits fit in the slack. The waits are planned: the plan
 * records each layer's start, the simulator reports them as a planned delay and only waits beyond
 * the plan as stalls, so an STI plan never stalls. A single delay at the start would be the same
 * without a memory budget, but with one it can only prefetch up to the stream cap, after which
 * IO must keep pace with compute; waits between layers let IO run at its own pace within T.
 */
import { analyzeAib, createAibAnalysis, type AibFailure } from './aib.js';
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
   * 0's selected shards all fit the buffer, since layer 0 is needed first (the lowest width if
   * they never fit; the rest of layer 0 is then read while compute waits).
   */
  readonly preloadBits?: number;
}

/** A plan that meets the target without unplanned stalls, and what the planner predicts for it. */
export interface FeasiblePlan {
  readonly feasible: true;
  readonly plan: PipelinePlan;
  /** S_n: the end of the last layer = compute + planned delay, s; <= T. */
  readonly predictedLatencyS: number;
  /** Planned compute idle time, the sum of the waits for IO before each layer, s; <= slackS. */
  readonly plannedDelayS: number;
  /** T minus the compute of the plan's layers: the most the plan may wait, s. */
  readonly slackS: number;
  /** AIB(k) = S_k - E_k of the final plan, s. */
  readonly aibS: Float64Array;
  /** Resident plus peak streamed bytes. */
  readonly peakMemoryBytes: number;
  /** Bit-width chosen by pass 1. */
  readonly uniformBits: number;
  readonly accuracy: number;
}

/** No plan within the target and budget, and why. */
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
  let layer0S = 0;
  for (let l = 0; l < model.layers; l++) {
    let c = 0;
    for (let j = 0; j < m; j++) c += computeS[order[l * M + j]!]!;
    if (l === 0) layer0S = c;
    if (total + c > targetLatencyS) break;
    total += c;
    n++;
  }
  if (n === 0) return { feasible: false, reason: `target latency ${targetLatencyS} s is below the compute time of layer 0 with its ${m} most important shard(s) (${round(layer0S)} s)` };
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
  let residentCount = 0;
  for (let i = 0; i < count; i++) {
    const bytes = model.shardBytes[shard[i]! * K + pb]!;
    if (residentTotal + bytes > preloadCap) break;
    residentTotal += bytes;
    resident[i] = 1;
    bitIndex[i] = pb;
    residentCount++;
  }
  const cap = input.memoryBudgetBytes - residentTotal;
  const p = { layerStart, shard, bitIndex, resident };
  const analysis = createAibAnalysis(n);
  const scratch = new Float64Array(n);
  const setStreamed = (b: number) => {
    for (let i = 0; i < count; i++) if (!resident[i]) bitIndex[i] = b;
  };
  const passes = () => analyzeAib(analysis, model, p, n, computeS, storage, cap, targetLatencyS, scratch);
  // Pass 1: highest uniform width; if even the lowest fails, drop layers (see the file comment).
  let uniform = -1;
  for (;;) {
    setStreamed(0);
    if (passes()) {
      uniform = 0;
      for (let b = K - 1; b > 0 && uniform === 0; b--) {
        setStreamed(b);
        if (passes()) uniform = b;
      }
      setStreamed(uniform);
      break;
    }
    const failure = analysis.failure;
    n = failure === 'memory' ? analysis.failedLayer : n - 1;
    if (n === 0) return layerZeroReason(input, m, preloadBits, residentCount, cap, failure, targetLatencyS - layer0S);
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
      if (passes()) break;
      bitIndex[i] = current;
    }
  }
  if (!passes()) throw new Error('STI planner: final plan misses its target');
  let computeTotal = 0;
  for (let i = 0; i < entries; i++) computeTotal += computeS[shard[i]!]!;
  const plan: PipelinePlan = {
    strategy: 'sti',
    layers: n,
    layerStart: layerStart.slice(0, n + 1),
    shard: shard.slice(0, entries),
    bitIndex: bitIndex.slice(0, entries),
    resident: resident.slice(0, entries),
    streamCapBytes: cap,
    loadAllFirst: false,
    plannedStartS: analysis.layerStartS.slice(0, n),
  };
  let residentUsed = 0;
  for (let i = 0; i < entries; i++) if (resident[i]) residentUsed += model.shardBytes[shard[i]! * K + pb]!;
  return {
    feasible: true,
    plan,
    predictedLatencyS: analysis.layerStartS[n]!,
    plannedDelayS: analysis.totalWaitS,
    slackS: targetLatencyS - computeTotal,
    aibS: analysis.aibS.slice(0, n),
    peakMemoryBytes: residentUsed + analysis.peakStreamedBytes,
    uniformBits: model.bitWidths[uniform]!,
    accuracy: planAccuracy(model, plan),
  };
}

/** Why no plan with m shards per layer can even run layer 0 within T. */
function layerZeroReason(input: PlannerInput, m: number, preloadBits: number, residentCount: number, capBytes: number, failure: AibFailure | undefined, slackS: number): InfeasiblePlan {
  const preloadCap = Math.min(input.preloadBytes, input.memoryBudgetBytes);
  const held = `the preload buffer of ${preloadCap} bytes holds ${Math.min(residentCount, m)} of layer 0's ${m} shard(s) at ${preloadBits} bits`;
  if (failure === 'memory') return { feasible: false, reason: `${held}, and the ${capBytes} bytes of memory budget left for streaming cannot hold the rest` };
  return { feasible: false, reason: `${held}, and reading the rest takes longer than the ${round(slackS)} s that compute can wait within the target` };
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
