import { z } from 'zod';
import { noiseField } from './noise-field.js';
import type { IterationModel } from '../profiles/model.js';
import type { Device, DeviceContext, DeviceStats } from './device.js';
import type { ReplicaIdentity } from './slots.js';
import { createWaitQueue } from './wait-queue.js';

/** Scenario entry of an iteration-level (vLLM/Orca style) batching device. */
export const continuousBatchingDeviceSchema = z.strictObject({
  name: z.string().min(1).describe('Name of this device group; replicas are named <name>/<i>'),
  kind: z.literal('continuous-batching'),
  profile: z.string().min(1).describe('Profile file (form: iteration), relative to the scenario file'),
  replicas: z.number().int().positive().default(1).describe('Identical replicas (model instances)'),
  maxBatchSize: z.number().int().positive().default(256).describe('Sequences in one iteration at most (vLLM max_num_seqs)'),
  maxBatchedTokens: z.number().int().positive().default(8192).describe('Prompt tokens prefilled in one iteration at most (vLLM max_num_batched_tokens)'),
  blockSize: z.number().int().positive().default(16).describe('KV-cache block size in tokens (1 = token-granular)'),
  kvCapacityTokens: z.number().int().positive().optional().describe('Override the KV capacity the profile derives from memory'),
  fastForward: z.boolean().default(true).describe('Advance many decode steps per event while the batch is unchanged (same results, far fewer events)'),
  noise: noiseField,
});
export type ContinuousBatchingDeviceSpec = z.output<typeof continuousBatchingDeviceSchema>;

const MIXED = -1; // `seg.steps` of an iteration that prefills new sequences
const KICK = -1; // event arg: an idle replica starts once every request arriving now is queued

/**
 * Iteration-level batching. At each iteration boundary the replica retires finished sequences,
 * preempts the most recently admitted ones (recompute) if the running batch's next token would not
 * fit in the KV cache, and admits waiting requests in queue order while batch size, prefill token
 * budget and KV blocks allow. An iteration that admits prefills the new sequences and decodes the
 * running ones (prefill time + decode-step time); its end gives the new sequences their first
 * token. Otherwise the batch decodes one token per sequence per step.
 *
 * Fast-forward: between boundaries where anything can change (a sequence finishes, the KV cache
 * would overflow, a request arrives) the batch is fixed, so k decode steps are one event whose
 * length is IterationModel.decodeRunS (closed form). An arrival cuts the run at the next step
 * boundary. The step-by-step mode (fastForward: false) exists to prove the two equal in tests.
 */
export function createContinuousBatchingDevice(spec: ContinuousBatchingDeviceSpec, model: IterationModel, ctx: DeviceContext, id: ReplicaIdentity): Device {
  const { requests, records, engine } = ctx;
  const bs = spec.blockSize;
  const capacityTokens = spec.kvCapacityTokens ?? model.kvCapacityTokens;
  const capacityBlocks = Math.floor(capacityTokens / bs);
  const queue = createWaitQueue(ctx.priority && ((rid: number) => ctx.priority!(requests[rid]!)));
  const maxBatch = spec.maxBatchSize;
  // Running batch, in admission order (preemption takes from the end).
  const runId = new Int32Array(maxBatch);
  const runGen = new Int32Array(maxBatch); // tokens generated so far
  let n = 0;
  // Sequences admitted by the current mixed iteration: runId[firstNew..n).
  let firstNew = 0;
  // Tokens generated before a preemption, by request id (preemption is rare: a map is fine).
  const resumeGen = new Map<number, number>();
  // Current segment: a mixed iteration, or `steps` decode steps of the fixed batch.
  const seg = { startS: 0, endS: 0, steps: 0, contextTokens: 0, prefillS: 0, epoch: 0, active: false };
  let busyS = 0, busyEnergyJ = 0, iterations = 0, preemptions = 0, finished = 0, peakBlocks = 0;
  let kickPending = false;
  let batchSeqS = 0; // sequence-seconds in iterations: mean batch size = batchSeqS / busyS

  const blocksFor = (tokens: number) => Math.ceil(tokens / bs);
  const promptOf = (i: number) => requests[runId[i]!]!.promptTokens;

  /** KV blocks the running batch needs after `j` more tokens each. */
  function blocksAfter(j: number, upto = n): number {
    let total = 0;
    for (let i = 0; i < upto; i++) total += blocksFor(promptOf(i) + runGen[i]! + j);
    return total;
  }

  function contextTokens(): number {
    let total = 0;
    for (let i = 0; i < n; i++) total += promptOf(i) + runGen[i]!;
    return total;
  }

  /** Applies the progress of the segment that just ended and retires finished sequences. */
  function completeSegment(): void {
    const durS = seg.endS - seg.startS;
    busyS += durS;
    iterations += seg.steps === MIXED ? 1 : seg.steps;
    const batch = n;
    batchSeqS += batch * durS;
    const energyJ = model.busyPowerW(batch) * durS;
    busyEnergyJ += energyJ;
    if (seg.steps === MIXED) {
      // Prefill energy goes to the new sequences by prompt tokens; decode energy is shared by the old.
      const prefillJ = durS > 0 ? energyJ * (seg.prefillS / durS) : 0;
      let newTokens = 0;
      for (let i = firstNew; i < n; i++) newTokens += promptOf(i) + (resumeGen.get(runId[i]!) ?? 0);
      for (let i = 0; i < n; i++) {
        const rid = runId[i]!;
        if (i >= firstNew) {
          const resumed = resumeGen.get(rid);
          records.energyJ[rid] += (prefillJ * (promptOf(i) + (resumed ?? 0))) / newTokens;
          if (resumed !== undefined) resumeGen.delete(rid);
          else records.firstTokenS[rid] = seg.endS;
        } else records.energyJ[rid] += (energyJ - prefillJ) / firstNew;
        runGen[i]! += 1;
      }
    } else {
      for (let i = 0; i < n; i++) {
        records.energyJ[runId[i]!] += energyJ / batch;
        runGen[i]! += seg.steps;
      }
    }
    // KV held now is the segment's peak; it can never exceed capacity (admission and preemption keep it so).
    const used = blocksAfter(0);
    if (used > capacityBlocks) throw new Error(`${id.name}: KV cache over capacity (${used} > ${capacityBlocks} blocks)`);
    if (used > peakBlocks) peakBlocks = used;
    // Retire finished sequences, keeping admission order.
    let w = 0;
    for (let i = 0; i < n; i++) {
      const rid = runId[i]!;
      if (runGen[i]! >= requests[rid]!.outputTokens) {
        finished++;
        records.finish(rid, seg.endS);
        ctx.onFinish(rid);
      } else {
        runId[w] = rid;
        runGen[w] = runGen[i]!;
        w++;
      }
    }
    n = w;
    seg.active = false;
  }

  /** Boundary: preempt if needed, admit, and start the next segment (or go idle). */
  function startSegment(): void {
    // The next token of every running sequence must fit; otherwise recompute the newest ones later.
    let need = blocksAfter(1);
    while (need > capacityBlocks) {
      n--;
      const rid = runId[n]!;
      need -= blocksFor(requests[rid]!.promptTokens + runGen[n]! + 1);
      resumeGen.set(rid, runGen[n]!);
      records.preemptions[rid]! += 1;
      preemptions++;
      queue.requeue(rid);
    }
    // Admit from the head of the queue while it fits (no overtaking: head-of-line order is policy order).
    firstNew = n;
    let prefillTokens = 0;
    while (queue.size > 0 && n < maxBatch) {
      const rid = queue.peek();
      const r = requests[rid]!;
      const done = resumeGen.get(rid) ?? 0;
      const tokens = r.promptTokens + done; // a recomputed sequence prefills its generated tokens too
      const blocks = blocksFor(tokens + 1);
      // A lone recompute may exceed the prefill budget; otherwise it could never resume.
      const overBudget = prefillTokens + tokens > spec.maxBatchedTokens && !(done > 0 && n === firstNew);
      if (overBudget || need + blocks > capacityBlocks) break;
      queue.shift();
      if (done === 0) records.startS[rid] = engine.nowS;
      records.device[rid] = id.index;
      runId[n] = rid;
      runGen[n] = done;
      n++;
      need += blocks;
      prefillTokens += tokens;
    }
    if (n === 0) return; // idle
    seg.startS = engine.nowS;
    seg.epoch++;
    seg.active = true;
    if (n > firstNew) {
      const old = firstNew;
      seg.steps = MIXED;
      seg.prefillS = model.prefillS(prefillTokens);
      let oldContext = 0;
      for (let i = 0; i < old; i++) oldContext += promptOf(i) + runGen[i]!;
      const decodeS = old > 0 ? model.decodeStepS(old, oldContext) : 0;
      seg.endS = engine.nowS + seg.prefillS + decodeS;
    } else {
      seg.contextTokens = contextTokens();
      let steps = Infinity;
      for (let i = 0; i < n; i++) steps = Math.min(steps, requests[runId[i]!]!.outputTokens - runGen[i]!);
      if (!spec.fastForward) steps = 1;
      else if (blocksAfter(steps) > capacityBlocks) steps = lastFittingStep(steps);
      seg.steps = steps;
      seg.endS = engine.nowS + model.decodeRunS(n, seg.contextTokens, steps);
    }
    if (!(seg.endS > seg.startS)) throw new Error(`${id.name}: iteration of non-positive length at t=${seg.startS}; check the profile`);
    ctx.schedule(seg.endS, seg.epoch);
  }

  /** Largest j in [1, hi) whose KV need fits (j = 1 fits: startSegment ensured it). */
  function lastFittingStep(hi: number): number {
    let lo = 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (blocksAfter(mid) <= capacityBlocks) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** An arrival cuts a decode run at the first step boundary at or after now. */
  function cutAtNextStep(): void {
    if (!seg.active || seg.steps === MIXED || seg.steps === 1) return;
    let lo = 0, hi = seg.steps; // boundary j ends at startS + decodeRunS(j); find the smallest >= now
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (seg.startS + model.decodeRunS(n, seg.contextTokens, mid) >= engine.nowS) hi = mid;
      else lo = mid;
    }
    if (hi === seg.steps) return;
    seg.steps = hi;
    seg.endS = seg.startS + model.decodeRunS(n, seg.contextTokens, hi);
    seg.epoch++;
    ctx.schedule(seg.endS, seg.epoch);
  }

  return {
    ...id,
    kind: 'continuous-batching',
    capacity: maxBatch,
    queued: () => queue.size,
    running: () => n,
    admit(rid) {
      const r = requests[rid]!;
      const needTokens = blocksFor(r.promptTokens + r.outputTokens) * bs;
      if (needTokens > capacityBlocks * bs) {
        // Reasons name the limit, not the request (its sizes are in requests.csv), so they group well.
        records.reject(rid, `prompt+output exceeds the KV capacity of a ${id.group} replica (${capacityBlocks * bs} tokens)`);
        return;
      }
      if (r.promptTokens > spec.maxBatchedTokens) {
        records.reject(rid, `prompt exceeds maxBatchedTokens of ${id.group} (${spec.maxBatchedTokens})`);
        return;
      }
      queue.push(rid);
      if (seg.active) cutAtNextStep();
      else if (!kickPending) {
        kickPending = true;
        ctx.schedule(engine.nowS, KICK, true);
      }
    },
    fire(epoch) {
      if (epoch === KICK) {
        kickPending = false;
        if (!seg.active) startSegment();
        return;
      }
      if (epoch !== seg.epoch || !seg.active) return; // superseded by a cut
      completeSegment();
      startSegment();
    },
    stats(endS): DeviceStats {
      return {
        name: id.name,
        group: id.group,
        kind: 'continuous-batching',
        busyS,
        busyEnergyJ,
        idleEnergyJ: model.idlePowerW * Math.max(0, endS - busyS),
        finished,
        iterations,
        preemptions,
        clampedCount: 0,
        peakKvTokens: peakBlocks * bs,
        kvCapacityTokens: capacityBlocks * bs,
        energyScope: `iteration energy = busy power(batch) x iteration time; idle ${model.idlePowerW} W`,
        extra: { meanBatchSize: busyS > 0 ? batchSeqS / busyS : 0 },
      };
    },
  };
}
