import { z } from 'zod';
import { MAX_BATCH_SIZE, MAX_KV_TOKENS, MAX_REPLICAS, MAX_TOKENS } from '../limits.js';
import { noiseField } from './noise-field.js';
import type { IterationModel } from '../profiles/model.js';
import type { Device, DeviceContext, DeviceStats } from './device.js';
import type { ReplicaIdentity } from './slots.js';

/** Scenario entry of a static-batching device (HuggingFace `generate` style). */
export const staticBatchingDeviceSchema = z.strictObject({
  name: z.string().min(1).describe('Name of this device group; replicas are named <name>/<i>'),
  kind: z.literal('static-batching'),
  profile: z.string().min(1).describe('Profile file (form: iteration or roofline), relative to the scenario file, or the name of a shipped profile (no "/", no .yaml/.json suffix; llmsim profiles lists them)'),
  replicas: z.number().int().positive().max(MAX_REPLICAS).default(1).describe(`Identical replicas (model instances), at most ${MAX_REPLICAS}`),
  maxBatchSize: z.number().int().positive().max(MAX_BATCH_SIZE).default(8).describe(`Requests in one batch at most (at most ${MAX_BATCH_SIZE})`),
  maxBatchedTokens: z.number().int().positive().max(MAX_TOKENS).default(16384).describe(`Padded prompt tokens of a batch at most: members x longest prompt (at most ${MAX_TOKENS})`),
  kvCapacityTokens: z.number().int().positive().max(MAX_KV_TOKENS).optional().describe(`Override the KV capacity the profile derives from memory, tokens, at most ${MAX_KV_TOKENS}`),
  noise: noiseField,
});
export type StaticBatchingDeviceSpec = z.output<typeof staticBatchingDeviceSchema>;

const KICK = 1; // event arg of a batch start (0 ends a batch)

/**
 * Static batching: a batch is formed when the replica is idle and runs until its longest member
 * finishes; nothing joins a running batch. Prompts are padded to the longest one, so a batch of b
 * costs a prefill of b x maxPrompt tokens, then maxOutput - 1 decode steps of b sequences whose
 * context starts at b x (maxPrompt + 1). Every member is returned when the batch ends (as
 * `generate` returns the whole padded batch), so none streams: first-token time stays NaN, and a
 * short request batched with a long one waits for it. This is where RT-LM's consolidation
 * (batching requests of similar predicted length, via the policy's `selectBatch`) pays off.
 *
 * Batch members: the policy's choice, else the queue's first maxBatchSize; then, in that order,
 * members are kept while the padded prompt tokens fit maxBatchedTokens and the padded KV cache,
 * b x (maxPrompt + maxOutput), fits the capacity (those that do not fit wait for the next batch).
 * A request that could never fit alone is rejected on arrival.
 */
export function createStaticBatchingDevice(spec: StaticBatchingDeviceSpec, model: IterationModel, ctx: DeviceContext, id: ReplicaIdentity): Device {
  const { requests, lifecycle, engine } = ctx;
  const capacityTokens = spec.kvCapacityTokens ?? model.kvCapacityTokens;
  const maxBatch = spec.maxBatchSize;
  // Waiting ids in queue order (policy key, then arrival), with their keys when keyed.
  const waiting: number[] = [];
  const keys: number[] = [];
  const priority = ctx.priority && ((rid: number) => ctx.priority!(requests[rid]!));
  let chosenFlag = new Uint8Array(requests.length); // scratch: members of the batch being formed
  const batch: number[] = [];
  let busyS = 0, busyEnergyJ = 0, batches = 0, finished = 0, peakKvTokens = 0;

  function enqueue(rid: number): void {
    if (!priority) {
      waiting.push(rid);
      return;
    }
    const key = priority(rid);
    if (Number.isNaN(key)) throw new Error(`priority of request ${rid} is NaN`);
    // After every equal key: equal keys keep arrival order.
    let lo = 0, hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! <= key) lo = mid + 1;
      else hi = mid;
    }
    waiting.splice(lo, 0, rid);
    keys.splice(lo, 0, key);
  }

  function choose(): readonly number[] {
    if (!ctx.selectBatch) return waiting.slice(0, maxBatch);
    const picked = ctx.selectBatch(waiting, maxBatch);
    if (picked.length === 0 || picked.length > maxBatch) throw new Error(`${id.name}: selectBatch returned ${picked.length} members (expected 1..${maxBatch})`);
    return picked;
  }

  let kickPending = false;
  let batchSeqS = 0; // request-seconds in batches: mean batch size = batchSeqS / busyS

  function startBatch(): void {
    const picked = choose();
    // A streamed run's request table grows (src/simulation/stream.ts); the flags follow it.
    if (chosenFlag.length < requests.length) chosenFlag = new Uint8Array(requests.length * 2);
    let maxPrompt = 0, maxOutput = 0;
    for (const rid of picked) {
      if (chosenFlag[rid]) throw new Error(`${id.name}: selectBatch chose request ${rid} twice`);
      const r = requests[rid]!;
      const p = Math.max(maxPrompt, r.promptTokens);
      const o = Math.max(maxOutput, r.outputTokens);
      const b = batch.length + 1;
      if (batch.length > 0 && (b * p > spec.maxBatchedTokens || b * (p + o) > capacityTokens)) continue;
      chosenFlag[rid] = 1;
      batch.push(rid);
      maxPrompt = p;
      maxOutput = o;
    }
    // Remove the members from the queue, keeping the others' order; every member must have been waiting.
    let w = 0;
    for (let i = 0; i < waiting.length; i++) {
      const rid = waiting[i]!;
      if (chosenFlag[rid]) continue;
      waiting[w] = rid;
      if (priority) keys[w] = keys[i]!;
      w++;
    }
    if (waiting.length - w !== batch.length) throw new Error(`${id.name}: selectBatch chose a request that is not waiting here`);
    waiting.length = w;
    if (priority) keys.length = w;
    const b = batch.length;
    peakKvTokens = Math.max(peakKvTokens, b * (maxPrompt + maxOutput));
    const durS = model.prefillS(b * maxPrompt) + model.decodeRunS(b, b * (maxPrompt + 1), maxOutput - 1);
    if (!(durS > 0)) throw new Error(`${id.name}: batch of non-positive length at t=${engine.nowS}; check the profile`);
    const energyJ = model.busyPowerW(b) * durS;
    busyS += durS;
    busyEnergyJ += energyJ;
    batchSeqS += b * durS;
    batches++;
    for (const rid of batch) {
      lifecycle.started(rid, id.index, engine.nowS);
      lifecycle.chargeEnergy(rid, energyJ / b);
    }
    ctx.schedule(engine.nowS + durS, 0);
  }

  // The identity's fields one by one, not spread: every replica's object then has one hidden
  // class, so routers reading queued() and running() on each replica stay monomorphic (a spread
  // gave the 11th and later replicas another). A field added to ReplicaIdentity fails here.
  const { index, name, group, model: modelName, accuracy, gpus, estimate, ...rest } = id;
  rest satisfies Record<string, never>;
  return {
    index,
    name,
    group,
    model: modelName,
    accuracy,
    gpus,
    estimate,
    kind: 'static-batching',
    capacity: maxBatch,
    queued: () => waiting.length,
    running: () => batch.length,
    admit(rid) {
      const r = requests[rid]!;
      if (r.promptTokens > spec.maxBatchedTokens) {
        lifecycle.rejected(rid, `prompt exceeds maxBatchedTokens of ${id.group} (${spec.maxBatchedTokens})`);
        return;
      }
      if (r.promptTokens + r.outputTokens > capacityTokens) {
        // Reasons name the limit, not the request (its sizes are in requests.csv), so they group well.
        lifecycle.rejected(rid, `prompt+output exceeds the KV capacity of a ${id.group} replica (${capacityTokens} tokens)`);
        return;
      }
      enqueue(rid);
      // An idle replica forms its batch once every request arriving at this instant is queued.
      if (batch.length === 0 && !kickPending) {
        kickPending = true;
        ctx.schedule(engine.nowS, KICK, true);
      }
    },
    cancel(rid) {
      // A running batch cannot shrink: a member runs to the batch's end (then counts as timed out).
      const at = waiting.indexOf(rid);
      if (at < 0) return false;
      waiting.splice(at, 1);
      if (priority) keys.splice(at, 1);
      return true;
    },
    fire(arg) {
      if (arg === KICK) {
        kickPending = false;
        if (batch.length === 0 && waiting.length > 0) startBatch();
        return;
      }
      for (const rid of batch) {
        chosenFlag[rid] = 0;
        // A member whose client gave up ran to the batch's end but counts as timed out, not finished.
        if (!lifecycle.abandoned(rid)) finished++;
        lifecycle.finished(rid, engine.nowS);
      }
      batch.length = 0;
      if (waiting.length > 0) startBatch();
    },
    stats(windowS): DeviceStats {
      return {
        name: id.name,
        group: id.group,
        kind: 'static-batching',
        busyS,
        busyEnergyJ,
        idleEnergyJ: model.idlePowerW * Math.max(0, windowS - busyS),
        finished,
        iterations: batches,
        preemptions: 0,
        clampedCount: 0,
        peakKvTokens,
        // Infinity when the profile gives no memory, as continuous batching reports it (null in summary.json): never below the peak.
        kvCapacityTokens: capacityTokens,
        energyScope: `batch energy = busy power(batch size) x batch time; idle ${model.idlePowerW} W`,
        extra: { meanBatchSize: busyS > 0 ? batchSeqS / busyS : 0 },
      };
    },
  };
}
