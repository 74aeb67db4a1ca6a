import { z } from 'zod';
import type { DeviceView } from '../devices/device.js';
import { createBacklog, estimatorOf } from './backlog.js';
import { bucketBatcher, lengthBucket } from './consolidation.js';
import { definePolicy, type RequestView } from './policy.js';
import { createLengthPredictor, predictorParams } from './predictor.js';

const NAME = 'uncertainty-priority';

/** Where a request would go and what is predicted for it there. */
interface Choice {
  device: number;
  finishS: number;
  serviceS: number;
  key: number;
}

/** Parameters of RT-LM's scheduler; each mechanism switches on and off on its own (an ablation is one sweep). */
export const uncertaintyPriorityParams = z.strictObject({
  predictor: predictorParams,
  overheadS: z.number().min(0).max(10).default(0.001).describe('Scheduler seconds per request for predicting its length (RT-LM reports a small overhead; 1 ms is an assumption)'),
  prioritize: z.boolean().default(true).describe('Order each queue by predicted work (with aging) or least slack; false = FCFS'),
  order: z.enum(['predicted-work', 'least-slack']).default('predicted-work').describe('predicted-work: shortest predicted service first, aged; least-slack: smallest deadline minus predicted service first (requests without a deadline go last, FCFS)'),
  agingWeight: z.number().min(0).default(0.1).describe('Seconds of predicted work forgiven per second waited (0 = pure shortest-predicted-first, which can starve long requests)'),
  consolidate: z.boolean().default(true).describe('Static-batching replicas batch requests of similar predicted length (false = the queue head and its successors)'),
  bucketRatio: z.number().gt(1).default(2).describe('Consolidation buckets are [r^k, r^(k+1)) predicted tokens'),
  offload: z.boolean().default(true).describe('Send a request to an offload replica (CPU) when it is predicted to finish there sooner, or a threshold below says so'),
  offloadGroups: z.array(z.string().min(1)).default(['cpu']).describe('Device groups that are offload targets; other eligible replicas are accelerators. Offload replicas get requests only by offloading'),
  offloadUncertainty: z.number().min(0).max(1).optional().describe('Also offload requests with uncertainty u >= this (none if omitted)'),
  offloadQueue: z.number().int().min(0).optional().describe('Also offload while the chosen accelerator has >= this many queued requests (none if omitted)'),
});
export type UncertaintyPriorityParams = z.output<typeof uncertaintyPriorityParams>;

/**
 * RT-LM (Li et al., RTSS 2023), reconstructed from its abstract: a run-time output-length
 * predictor (learned from completions, charged as scheduler time) drives
 *  - prioritization: each replica serves the smallest key first, where for `predicted-work`
 *      key = predicted service s_hat + w * arrivalS.
 *    Aging in static form: the dynamic priority "s_hat minus w times time waited" of a queued
 *    request at time t is s_hat - w*(t - arrivalS) = key - w*t. The term w*t is the same for every
 *    request queued at t, so at every instant the dynamic order equals the order of the static
 *    keys: a static-key queue implements linear aging exactly. No starvation for w > 0: a request
 *    with key k is passed only by requests arriving before (k - s_hat_min)/w (their keys are at
 *    least w*arrival), finitely many, so it is served. For `least-slack`, slack at t is
 *    (arrivalS + deadlineS - s_hat) - t: again a common shift, so the static key is exact.
 *  - consolidation: static batches of similar predicted length (consolidation.ts);
 *  - offloading: a request goes to an offload replica (CPU) when its predicted completion there
 *    beats the best accelerator's, or its uncertainty / the accelerator's queue passes a threshold.
 * Routing among accelerators: earliest predicted completion (the policy's own backlog account).
 *
 * Refits do not re-key queued requests: a request is predicted once, when the scheduler handles it
 * (that is what the overhead pays for), and its key stays; re-keying would cost O(queue) per refit
 * and make a request's place depend on completions unrelated to it.
 */
export const uncertaintyPriorityPolicy = definePolicy({
  name: NAME,
  needsWorkload: true, // reads env.workload by request id
  description: 'RT-LM: learned output-length prediction; shortest-predicted-first with aging or least slack, consolidation, CPU offloading',
  params: uncertaintyPriorityParams,
  create(params, env) {
    const n = env.workload.length;
    const predictor = createLengthPredictor(params.predictor);
    const backlog = createBacklog(n);
    const keys = new Float64Array(n);
    const buckets = new Int32Array(n);
    const offloadable = new Map<readonly number[], { accel: number[]; cpu: number[] }>();

    function split(eligible: readonly number[], devices: readonly DeviceView[]) {
      let s = offloadable.get(eligible);
      if (!s) {
        s = { accel: [], cpu: [] };
        for (const i of eligible) (params.offloadGroups.includes(devices[i]!.group) ? s.cpu : s.accel).push(i);
        // Nothing but offload replicas serve this model: they are its accelerators.
        if (s.accel.length === 0) s = { accel: s.cpu, cpu: [] };
        offloadable.set(eligible, s);
      }
      return s;
    }

    /** Queue key of `r` on a replica where its predicted service is `serviceS` (smaller is served first). */
    function keyOf(r: RequestView, serviceS: number): number {
      if (params.order === 'predicted-work') return serviceS + params.agingWeight * r.arrivalS;
      return r.deadlineS === undefined ? Infinity : r.arrivalS + r.deadlineS - serviceS;
    }

    /**
     * Replica of `set` with the earliest predicted completion. With prioritization on, only the
     * outstanding work whose key is not larger than the request's counts as ahead of it.
     */
    function earliest(set: readonly number[], devices: readonly DeviceView[], r: RequestView, tokens: number, out: Choice): Choice {
      out.device = set[0]!;
      out.finishS = Infinity;
      for (const i of set) {
        const d = devices[i]!;
        const serviceS = estimatorOf(d, NAME).serviceS(r.promptTokens, tokens);
        const key = keyOf(r, serviceS);
        const finishS = backlog.finishInS(d, serviceS, params.prioritize ? key : undefined);
        if (finishS < out.finishS) {
          out.device = i;
          out.finishS = finishS;
          out.serviceS = serviceS;
          out.key = key;
        }
      }
      return out;
    }
    // Reused for every request: routing allocates nothing.
    const onAccel: Choice = { device: 0, finishS: 0, serviceS: 0, key: 0 };
    const onCpu: Choice = { device: 0, finishS: 0, serviceS: 0, key: 0 };

    return {
      overheadS: params.overheadS,
      route(r, eligible, cluster) {
        const devices = cluster.devices;
        const tokens = predictor.predict(r);
        const { accel, cpu } = split(eligible, devices);
        let choice = earliest(accel, devices, r, tokens, onAccel);
        if (params.offload && cpu.length > 0) {
          const there = earliest(cpu, devices, r, tokens, onCpu);
          const uncertain = params.offloadUncertainty !== undefined && (r.uncertainty ?? 0) >= params.offloadUncertainty;
          const crowded = params.offloadQueue !== undefined && devices[choice.device]!.queued() >= params.offloadQueue;
          if (there.finishS < choice.finishS || uncertain || crowded) choice = there;
        }
        const id = r.id;
        backlog.add(id, choice.device, choice.serviceS, choice.key);
        buckets[id] = lengthBucket(tokens, params.bucketRatio);
        keys[id] = choice.key;
        return choice.device;
      },
      priority: params.prioritize ? (r) => keys[r.id]! : undefined,
      selectBatch: params.consolidate ? bucketBatcher((id) => buckets[id]!) : undefined,
      onFinish(r) {
        predictor.observe(r);
        backlog.finish(r.id);
      },
    };
  },
});
