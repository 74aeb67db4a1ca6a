/**
 * `edge-pipeline`: a phone-class device that streams a sharded model from flash while computing
 * (STI, Guo et al. ASPLOS 2023 - a documented reconstruction), or runs one of the baselines.
 * It serves one request at a time; waiting requests queue FIFO or by the policy's priority.
 * A request's service time is the simulated pipeline latency of its plan, planned and simulated
 * once per sequence-length bucket (requests are padded to their bucket) and cached.
 */
import { resolve } from 'node:path';
import { MAX_REPLICAS, MAX_TIME_S, MAX_TOKENS } from '../limits.js';
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { PreparedDeviceGroup } from '../simulation/simulate.js';
import { loadShardedModel } from '../sti/load-model.js';
import type { ShardedModel } from '../sti/model.js';
import { STRATEGIES } from '../sti/plan.js';
import { createPlanCache, defaultSeqBuckets, runStrategy, seqBucket, type EdgeSetup, type PlanCache } from '../sti/strategy.js';
import { formatPath } from '../util/validate.js';
import type { Device, DeviceContext, DeviceStats } from './device.js';
import type { PrepareEnv } from './kinds/kind.js';
import type { ReplicaIdentity } from './slots.js';
import { createWaitQueue } from './kit/wait-queue.js';

/** Scenario entry of an edge device. */
export const edgePipelineDeviceSchema = z.strictObject({
  name: z.string().min(1).describe('Name of this device group; replicas are named <name>/<i>'),
  kind: z.literal('edge-pipeline'),
  replicas: z.number().int().positive().max(MAX_REPLICAS).default(1).describe(`Identical replicas of this device, at most ${MAX_REPLICAS}`),
  model: z.string().min(1).describe('Sharded model file (profiles/edge/*.yaml), relative to the scenario file'),
  storage: z.strictObject({
    bandwidthBps: z.number().positive().describe('Sustained sequential read bandwidth, bytes/s'),
    readLatencyS: z.number().nonnegative().max(MAX_TIME_S).default(0).describe('Fixed cost per read (one read per shard), s'),
  }),
  memoryBudgetBytes: z.number().positive().describe('Weight memory STI may use: preload buffer + streamed shards'),
  preloadBytes: z.number().nonnegative().default(0).describe('Preload buffer, resident between requests (part of the budget)'),
  preloadBits: z.number().int().optional().describe('Bit-width of preloaded shards; default: highest at which layer 0 fits'),
  targetLatencyS: z.number().positive().max(MAX_TIME_S).describe('Latency target STI plans for (baselines report against it)'),
  strategy: z.enum(STRATEGIES).default('sti').describe('sti | hold-in-memory | load-then-execute | layerwise'),
  bits: z.number().int().optional().describe('Bit-width of the layerwise baseline (default 32)'),
  power: z.strictObject({
    computeW: z.number().nonnegative().optional().describe('Power while computing, W (default: the model file\'s compute.powerW)'),
    ioW: z.number().nonnegative().default(0.5).describe('Power while reading flash, W (assumption)'),
    idleW: z.number().nonnegative().default(0).describe('Power while idle, W'),
  }).prefault({}),
  seqBuckets: z.array(z.number().int().positive().max(MAX_TOKENS)).min(1).max(64).optional().describe('Sequence-length buckets, increasing; default powers of two up to the model maximum'),
});
/** A validated edge-pipeline scenario entry. */
export type EdgePipelineDeviceSpec = z.output<typeof edgePipelineDeviceSchema>;

/** Per-device outcome of the STI-specific quantities (DeviceStats has no place for them). */
export interface EdgeDeviceSummary {
  readonly served: number;
  readonly rejected: number;
  /** Mean modelled accuracy over requests that started service. */
  readonly meanAccuracy: number;
  readonly maxPeakMemoryBytes: number;
  readonly totalStallS: number;
  readonly ioBytes: number;
  /** Served requests whose latency exceeded targetLatencyS (baselines only; STI never plans so). */
  readonly overTarget: number;
}

/** An edge replica: a Device plus its STI summary. */
export interface EdgePipelineDevice extends Device {
  edgeSummary(): EdgeDeviceSummary;
}

/** Loads the entry's model file, checks it against the entry, and returns its replica factory. */
export function prepareEdgePipelineGroup(spec: EdgePipelineDeviceSpec, env: PrepareEnv): PreparedDeviceGroup {
  const model = loadShardedModel(resolve(env.baseDir, spec.model));
  const fail = (field: string, message: string): never => {
    const path = [...env.path, field];
    const pos = env.source?.locate(path);
    throw new InputError({ file: env.source?.file, line: pos?.line, column: pos?.column, field: formatPath(path) }, message);
  };
  const widths = `one of the stored bit-widths [${model.bitWidths.join(', ')}] of ${model.name}`;
  if (spec.bits !== undefined && !model.bitWidths.includes(spec.bits)) fail('bits', `expected ${widths}, found ${spec.bits}`);
  if (spec.preloadBits !== undefined && !model.bitWidths.includes(spec.preloadBits)) fail('preloadBits', `expected ${widths}, found ${spec.preloadBits}`);
  if (spec.preloadBytes > spec.memoryBudgetBytes) fail('preloadBytes', `expected at most memoryBudgetBytes (${spec.memoryBudgetBytes}), since the preload buffer is part of the budget, found ${spec.preloadBytes}`);
  const buckets = spec.seqBuckets ?? defaultSeqBuckets(model.maxSeqLen);
  buckets.forEach((b, i) => {
    if (i > 0 && !(b > buckets[i - 1]!)) fail('seqBuckets', `expected increasing lengths, found ${b} after ${buckets[i - 1]}`);
    if (b > model.maxSeqLen) fail('seqBuckets', `expected lengths up to the model's maximum ${model.maxSeqLen}, found ${b}`);
  });
  const cache = createPlanCache();
  return {
    name: spec.name,
    kind: spec.kind,
    model: model.name,
    replicas: spec.replicas,
    create: (ctx, id) => createEdgePipelineDevice(spec, model, ctx, id, cache),
  };
}

/** Creates one replica; `cache` may be shared by replicas of the same entry. */
export function createEdgePipelineDevice(spec: EdgePipelineDeviceSpec, model: ShardedModel, ctx: DeviceContext, id: ReplicaIdentity, cache: PlanCache = createPlanCache()): EdgePipelineDevice {
  const { requests, lifecycle, engine } = ctx;
  const queue = createWaitQueue(ctx.priority && ((rid: number) => ctx.priority!(requests[rid]!)));
  const buckets = spec.seqBuckets ?? defaultSeqBuckets(model.maxSeqLen);
  const setup: EdgeSetup = {
    model,
    storage: spec.storage,
    memoryBudgetBytes: spec.memoryBudgetBytes,
    preloadBytes: spec.preloadBytes,
    preloadBits: spec.preloadBits,
    targetLatencyS: spec.targetLatencyS,
    strategy: spec.strategy,
    layerwiseBits: spec.bits,
    power: { computeW: spec.power.computeW ?? model.computePowerW, ioW: spec.power.ioW },
  };
  const deviceKey = JSON.stringify([spec.storage, spec.memoryBudgetBytes, spec.preloadBytes, spec.preloadBits, spec.strategy, spec.bits, setup.power]);
  let busy = false;
  let busyS = 0;
  let busyEnergyJ = 0;
  let started = 0;
  let finished = 0;
  let served = 0; // finished, and abandoned by their client but run to their end
  let rejected = 0;
  let accuracySum = 0;
  let maxPeak = 0;
  let stallS = 0;
  let plannedDelayS = 0;
  let ioBytes = 0;
  let overTarget = 0;

  function outcomeFor(rid: number) {
    const tokens = requests[rid]!.promptTokens;
    const bucket = seqBucket(tokens, buckets);
    if (bucket === undefined) return { ok: false as const, reason: `prompt of ${tokens} tokens exceeds the longest sequence bucket (${buckets[buckets.length - 1]}) of ${model.name}` };
    return cache.get(model.name, deviceKey, spec.targetLatencyS, bucket, () => runStrategy(setup, bucket));
  }

  function start(rid: number): void {
    const outcome = outcomeFor(rid);
    if (!outcome.ok) throw new Error('edge-pipeline: a request without a plan was queued');
    const r = outcome.result;
    busy = true;
    started++;
    busyS += r.latencyS;
    busyEnergyJ += r.energyJ;
    accuracySum += r.accuracy;
    if (r.peakMemoryBytes > maxPeak) maxPeak = r.peakMemoryBytes;
    stallS += r.stallS;
    plannedDelayS += r.plannedDelayS;
    ioBytes += r.ioBytes;
    if (!outcome.meetsTarget) overTarget++;
    lifecycle.started(rid, id.index, engine.nowS);
    lifecycle.chargeEnergy(rid, r.energyJ);
    ctx.schedule(engine.nowS + r.latencyS, rid);
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
    kind: 'edge-pipeline',
    capacity: 1,
    queued: () => queue.size,
    running: () => (busy ? 1 : 0),
    admit(rid) {
      const outcome = outcomeFor(rid);
      if (!outcome.ok) {
        // Infeasible targets are reported per request, never served in violation of the plan.
        rejected++;
        lifecycle.rejected(rid, outcome.reason);
        return;
      }
      if (busy) queue.push(rid);
      else start(rid);
    },
    cancel(rid) {
      // The pipeline cannot stop a request in service: it runs to its end (then counts as timed out).
      if (lifecycle.hasStarted(rid)) return false;
      queue.remove(rid);
      return true;
    },
    fire(rid) {
      busy = false;
      served++;
      // A request whose client gave up ran to its end but counts as timed out, not finished.
      if (!lifecycle.abandoned(rid)) finished++;
      // Single-pass inference: the output is ready when the last layer finishes.
      lifecycle.firstToken(rid, engine.nowS);
      lifecycle.finished(rid, engine.nowS);
      if (queue.size > 0) start(queue.shift());
    },
    stats(windowS): DeviceStats {
      return {
        name: id.name,
        group: id.group,
        kind: 'edge-pipeline',
        busyS,
        busyEnergyJ,
        idleEnergyJ: spec.power.idleW * Math.max(0, windowS - busyS),
        finished,
        iterations: served,
        preemptions: 0,
        clampedCount: 0,
        peakKvTokens: 0,
        kvCapacityTokens: 0,
        energyScope: `per request: compute ${setup.power.computeW} W x compute time + flash ${setup.power.ioW} W x read time; idle ${spec.power.idleW} W`,
        extra: {
          meanAccuracyPct: started > 0 ? accuracySum / started : NaN,
          maxPeakMemoryBytes: maxPeak,
          totalStallS: stallS,
          // STI's planned compute-start delays (slack spent on IO), kept apart from unplanned stalls.
          totalPlannedDelayS: plannedDelayS,
          ioBytes,
          overTarget,
          rejected,
        },
      };
    },
    edgeSummary: () => ({
      served,
      rejected,
      meanAccuracy: started > 0 ? accuracySum / started : NaN,
      maxPeakMemoryBytes: maxPeak,
      totalStallS: stallS,
      ioBytes,
      overTarget,
    }),
  };
}
