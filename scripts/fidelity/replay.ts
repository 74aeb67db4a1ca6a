/** Replays hand-made requests through one continuous-batching replica (the simulator's own device). */
import { continuousBatchingDeviceSchema, createContinuousBatchingDevice } from '../../src/devices/continuous-batching.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import type { IterationModel } from '../../src/profiles/model.js';
import { simulate } from '../../src/simulation/simulate.js';
import type { SimResult } from '../../src/simulation/result.js';
import type { Request } from '../../src/workload/request.js';

/**
 * `count` identical requests (prompt, output) arriving together at t = 0. An idle replica starts
 * its first iteration only after every request arriving at that instant is queued, so all `count`
 * are admitted in one batch (within the batch limits), as a measured batch run is.
 */
export function burst(count: number, promptTokens: number, outputTokens: number): Request[] {
  return Array.from({ length: count }, (_, i) => ({ id: i, arrivalS: 0, promptTokens, outputTokens }));
}

/** Runs `requests` on one replica with the given device settings (vLLM-style names). */
export function replay(model: IterationModel, requests: Request[], device: { maxBatchSize: number; maxBatchedTokens: number }): SimResult {
  const spec = continuousBatchingDeviceSchema.parse({ name: 'replay', kind: 'continuous-batching', profile: '-', ...device });
  const group = { name: spec.name, kind: spec.kind, model: 'm', replicas: 1, create: (ctx: Parameters<typeof createContinuousBatchingDevice>[2], id: Parameters<typeof createContinuousBatchingDevice>[3]) => createContinuousBatchingDevice(spec, model, ctx, id) };
  return simulate({ requests, cluster: [group], policy: fifoPolicy, policyParams: {}, seed: 1 });
}

/** Seconds from the first admission to the last finish. */
export function burstSpanS(sim: SimResult): number {
  let start = Infinity, end = 0;
  for (let i = 0; i < sim.requests.length; i++) {
    start = Math.min(start, sim.records.startS[i]!);
    end = Math.max(end, sim.records.finishS[i]!);
  }
  return end - start;
}
