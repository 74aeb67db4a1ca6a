import { describe, expect, it } from 'vitest';
import { createStaticBatchingDevice, staticBatchingDeviceSchema } from '../../src/devices/static-batching.js';
import { iterationEstimator } from '../../src/devices/estimate.js';
import { STATUS_REJECTED } from '../../src/metrics/records.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { definePolicy, type PolicyDefinition } from '../../src/policies/policy.js';
import type { PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import { simulate } from '../../src/simulation/simulate.js';
import type { IterationModel } from '../../src/profiles/model.js';
import type { Request } from '../../src/workload/request.js';
import { req, testIterationModel } from '../support/models.js';
import { z } from 'zod';

// prefill(T) = 0.1 + 0.01 T; decode step(b, C) = 0.05 + 0.01 b + 0.001 C; busy power 100 + 10 b W; idle 5 W.
const MODEL = testIterationModel({ prefill: [0.1, 0.01], decode: [0.05, 0.01, 0.001], busyW: [100, 10], idleW: 5, kvTokens: 1000 });

function sbGroup(model: IterationModel, spec: Record<string, unknown> = {}): PreparedDeviceGroup {
  const parsed = staticBatchingDeviceSchema.parse({ name: 'gpu', kind: 'static-batching', profile: 'test', ...spec });
  return { name: parsed.name, kind: parsed.kind, model: 'm', replicas: parsed.replicas, create: (ctx, id) => createStaticBatchingDevice(parsed, model, ctx, id) };
}

function run(requests: Request[], spec: Record<string, unknown> = {}, policy: PolicyDefinition<any> = fifoPolicy, params: unknown = {}) {
  return simulate({ requests, cluster: [sbGroup(MODEL, spec)], policy, policyParams: params, seed: 1 });
}

/** Hand formula for one batch: prefill of b*P tokens, then O-1 steps with context b*(P+1) + b*i at step i. */
function batchS(b: number, P: number, O: number): number {
  let t = 0.1 + 0.01 * b * P;
  for (let i = 0; i < O - 1; i++) t += 0.05 + 0.01 * b + 0.001 * (b * (P + 1) + b * i);
  return t;
}

describe('static-batching device', () => {
  it('runs the first arrival alone, then batches the waiting ones padded to the longest member', () => {
    // Request 0 finds the device idle and starts alone; 1 and 2 arrive while it runs.
    const res = run([req(0, 0, 10, 3), req(1, 0.001, 20, 5), req(2, 0.001, 5, 2)], { maxBatchSize: 2 });
    const first = 0.1 + 0.01 * 10 + (0.05 + 0.01 + 0.011) + (0.05 + 0.01 + 0.012); // 0.343 s by hand
    expect(first).toBeCloseTo(0.343, 12);
    const second = batchS(2, 20, 5); // 0.5 + 4 steps: 0.112 + 0.114 + 0.116 + 0.118 = 0.96 s
    expect(second).toBeCloseTo(0.96, 12);
    expect(res.records.finishS[0]).toBeCloseTo(first, 12);
    expect(res.records.startS[1]).toBeCloseTo(first, 12);
    // The short request 2 (2 tokens) waits for request 1 (5 tokens): both end together.
    expect(res.records.finishS[1]).toBeCloseTo(first + second, 12);
    expect(res.records.finishS[2]).toBeCloseTo(first + second, 12);
    expect(Number.isNaN(res.records.firstTokenS[2]!)).toBe(true);
    // Energy: (100 + 10 b) W x batch time, shared equally by the members.
    expect(res.records.energyJ[0]).toBeCloseTo(110 * first, 9);
    expect(res.records.energyJ[1]).toBeCloseTo((120 * second) / 2, 9);
    const d = res.devices[0]!;
    expect(d.iterations).toBe(2);
    expect(d.busyS).toBeCloseTo(first + second, 12);
    expect(d.busyEnergyJ).toBeCloseTo(110 * first + 120 * second, 9);
    expect(d.idleEnergyJ).toBeCloseTo(0, 9);
    expect(d.peakKvTokens).toBe(2 * (20 + 5));
  });

  it('keeps a batch within the KV capacity and the padded prompt budget', () => {
    // Capacity 100 tokens: requests 1 and 2 together need 2 x (40 + 10) = 100 (fits), adding 3 needs 3 x 50 > 100.
    const requests = [req(0, 0, 10, 10), req(1, 0.001, 40, 10), req(2, 0.001, 40, 10), req(3, 0.001, 40, 10)];
    const res = run(requests, { maxBatchSize: 8, kvCapacityTokens: 100 });
    const a = batchS(1, 10, 10);
    const b = batchS(2, 40, 10);
    expect(res.records.finishS[1]).toBeCloseTo(a + b, 12);
    expect(res.records.finishS[2]).toBeCloseTo(a + b, 12);
    expect(res.records.finishS[3]).toBeCloseTo(a + b + batchS(1, 40, 10), 12);
    // Padded prompt budget 70: two 40-token prompts pad to 80 > 70, so they run one by one.
    const res2 = run(requests, { maxBatchSize: 8, maxBatchedTokens: 70 });
    expect(res2.devices[0]!.iterations).toBe(4);
  });

  it('batches requests that arrive at the same instant on an idle replica', () => {
    // Both arrive at 0: one batch of 2, padded to 20 prompt tokens and 5 output tokens.
    const res = run([req(0, 0, 10, 3), req(1, 0, 20, 5)], { maxBatchSize: 2 });
    expect(res.records.finishS[0]).toBeCloseTo(batchS(2, 20, 5), 12);
    expect(res.records.finishS[1]).toBeCloseTo(batchS(2, 20, 5), 12);
    expect(res.devices[0]!.iterations).toBe(1);
  });

  it('rejects a request that could never fit alone', () => {
    const res = run([req(0, 0, 200, 5), req(1, 0, 10, 995)], { maxBatchedTokens: 100 });
    expect(res.records.status[0]).toBe(STATUS_REJECTED);
    expect(res.records.rejectReason.get(0)).toBe('prompt exceeds maxBatchedTokens of gpu (100)');
    expect(res.records.status[1]).toBe(STATUS_REJECTED); // 1005 KV tokens > 1000
  });

  it('orders the queue by the policy priority and forms batches with selectBatch', () => {
    // Priority: shorter output first. selectBatch: only requests with the head's output length.
    const picky = definePolicy({
      name: 'picky',
      description: 'test',
      params: z.strictObject({}),
      create: () => ({
        route: () => 0,
        priority: (r) => (r as Request).outputTokens,
        selectBatch(waiting: readonly number[], maxBatch: number) {
          const head = waiting[0]!;
          const out = [head];
          for (let i = 1; i < waiting.length && out.length < maxBatch; i++) if (requests[waiting[i]!]!.outputTokens === requests[head]!.outputTokens) out.push(waiting[i]!);
          return out;
        },
      }),
    });
    const requests = [req(0, 0, 10, 4), req(1, 0.001, 10, 9), req(2, 0.001, 10, 3), req(3, 0.001, 10, 9), req(4, 0.001, 10, 3)];
    const res = run(requests, { maxBatchSize: 4 }, picky);
    const t0 = batchS(1, 10, 4);
    const t1 = t0 + batchS(2, 10, 3); // requests 2 and 4 (3 tokens) before the 9-token ones
    const t2 = t1 + batchS(2, 10, 9);
    expect(res.records.finishS[0]).toBeCloseTo(t0, 12);
    expect(res.records.finishS[2]).toBeCloseTo(t1, 12);
    expect(res.records.finishS[4]).toBeCloseTo(t1, 12);
    expect(res.records.finishS[1]).toBeCloseTo(t2, 12);
    expect(res.records.finishS[3]).toBeCloseTo(t2, 12);
  });

  it('estimates a lone request the way it runs one', () => {
    const est = iterationEstimator(MODEL);
    const res = run([req(0, 0, 37, 11)]);
    expect(est.serviceS(37, 11)).toBeCloseTo(res.records.finishS[0]!, 12);
    expect(est.energyJ(37, 11)).toBeCloseTo(res.records.energyJ[0]!, 9);
  });
});
