import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { continuousBatchingDeviceSchema, createContinuousBatchingDevice } from '../../src/devices/continuous-batching.js';
import type { DeviceContext } from '../../src/devices/device.js';
import { disaggregationSchema } from '../../src/disaggregation/schema.js';
import { STATUS_FINISHED, STATUS_PENDING } from '../../src/metrics/records.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import type { Request } from '../../src/workload/request.js';
import { holderLifecycle, type HolderSpy } from '../support/holder-spy.js';
import { testIterationModel } from '../support/models.js';

/**
 * Invariants of P/D runs over random workloads and clusters (small KV caches, several replicas per
 * stage, every scheduler mode but legacy, every link scope, client timeouts):
 * - a request is on one replica at a time: a replica starts it only when no other holds it, and
 *   a prefill replica hands over only what it holds;
 * - KV within capacity on every replica (each replica also checks this at every boundary and throws);
 * - every transfer starts after its prefill ends (first token), after its decode replica reserved
 *   the KV room, and lands before the request joins its decode batch (so before its first decode step);
 * - every request ends (finished, rejected or timed out), and a finished one that moved ended on
 *   a decode replica.
 */
const SCHEDULERS = ['vllm-v1', 'sarathi', 'prefill-first'] as const;

/** A role group whose replicas report, through a spying lifecycle, which replica holds which request. */
function spiedGroup(name: string, role: 'prefill' | 'decode', spec: Record<string, unknown>, kvTokens: number, replicas: number, spy: HolderSpy): PreparedDeviceGroup {
  const parsed = continuousBatchingDeviceSchema.parse({ name, kind: 'continuous-batching', profile: 'test', role, replicas, ...spec });
  const model = testIterationModel({ prefill: [0.02, 0.0001], decode: [0.01, 0.001, 0.00001], kvTokens });
  return {
    name,
    kind: parsed.kind,
    model: 'm',
    replicas,
    role,
    kvBytesPerToken: 1000,
    gpus: 1,
    create: (ctx, id) => {
      const { holder, violations } = spy;
      const { lifecycle, free } = holderLifecycle(ctx, spy);
      const handoff = {
        ...ctx.handoff!,
        prefilled(rid: number, from: number) {
          if (holder[rid] !== from) violations.push(`request ${rid} handed over by ${from}, which did not hold it (${holder[rid]})`);
          free(rid);
          ctx.handoff!.prefilled(rid, from);
        },
      };
      const spied: DeviceContext = { ...ctx, lifecycle, handoff };
      return createContinuousBatchingDevice(parsed, model, spied, id);
    },
  };
}

const requestsArb = fc
  .array(fc.record({ gap: fc.double({ min: 0, max: 0.2, noNaN: true }), prompt: fc.integer({ min: 1, max: 600 }), out: fc.integer({ min: 1, max: 40 }), timeout: fc.option(fc.double({ min: 0.05, max: 3, noNaN: true }), { freq: 4 }) }), { minLength: 1, maxLength: 60 })
  .map((rows) => {
    let t = 0;
    return rows.map((r, id): Request => {
      t += r.gap;
      return { id, arrivalS: t, promptTokens: r.prompt, outputTokens: r.out, ...(r.timeout !== null && { timeoutS: r.timeout }) };
    });
  });

const clusterArb = fc.record({
  prefillReplicas: fc.integer({ min: 1, max: 3 }),
  decodeReplicas: fc.integer({ min: 1, max: 3 }),
  prefillKv: fc.integer({ min: 700, max: 4000 }),
  decodeKv: fc.integer({ min: 700, max: 4000 }),
  blockSize: fc.constantFrom(1, 16),
  scheduler: fc.constantFrom(...SCHEDULERS),
  maxBatchSize: fc.integer({ min: 1, max: 8 }),
  scope: fc.constantFrom('per-prefill-replica', 'per-decode-replica', 'shared'),
  bandwidth: fc.constantFrom(1e5, 1e6, 1e8),
  latencyS: fc.constantFrom(0, 0.001, 0.05),
  decodeRouting: fc.constantFrom('least-loaded', 'round-robin'),
  fastForward: fc.boolean(),
});

describe('P/D invariants over random workloads', () => {
  it('one replica at a time, KV within capacity, transfers between prefill end and decode start', () => {
    fc.assert(
      fc.property(requestsArb, clusterArb, (requests, c) => {
        const spy: HolderSpy = { holder: new Int32Array(requests.length).fill(-1), violations: [] };
        const spec = { blockSize: c.blockSize, scheduler: c.scheduler, maxBatchSize: c.maxBatchSize, maxBatchedTokens: 700, chunkSize: 256, fastForward: c.fastForward };
        const cluster = [spiedGroup('p', 'prefill', spec, c.prefillKv, c.prefillReplicas, spy), spiedGroup('d', 'decode', spec, c.decodeKv, c.decodeReplicas, spy)];
        const disaggregation = disaggregationSchema.parse({ link: { bandwidthBytesPerS: c.bandwidth, latencyS: c.latencyS, scope: c.scope }, decodeRouting: c.decodeRouting });
        const res = simulate({ requests, cluster, policy: fifoPolicy, policyParams: { routing: 'least-loaded' }, seed: 1, disaggregation });
        expect(spy.violations).toEqual([]);
        const { records: r } = res;
        const t = res.disaggregation!.transfers;
        for (const d of res.devices) expect(d.peakKvTokens).toBeLessThanOrEqual(d.kvCapacityTokens);
        const prefillReplicas = c.prefillReplicas;
        for (let i = 0; i < requests.length; i++) {
          expect(r.status[i]).not.toBe(STATUS_PENDING);
          if (Number.isNaN(t.startS[i]!)) continue;
          // Prefill end (the first token, when its client still listened) <= reservation <= transfer start <= landing <= decode start.
          if (!Number.isNaN(r.firstTokenS[i]!)) expect(t.readyS[i]).toBe(r.firstTokenS[i]);
          expect(t.readyS[i]).toBeLessThanOrEqual(t.reservedS[i]!);
          expect(t.reservedS[i]).toBeLessThanOrEqual(t.startS[i]!);
          expect(t.startS[i]! + requests[i]!.promptTokens * 1000 / c.bandwidth + c.latencyS).toBe(t.endS[i]);
          if (!Number.isNaN(t.decodeStartS[i]!)) expect(t.endS[i]).toBeLessThanOrEqual(t.decodeStartS[i]!);
          expect(t.prefillDevice[i]).toBeLessThan(prefillReplicas);
          expect(t.decodeDevice[i]).toBeGreaterThanOrEqual(prefillReplicas);
          if (r.status[i] === STATUS_FINISHED) {
            expect(r.device[i]).toBeGreaterThanOrEqual(prefillReplicas);
            // Its first decode step ends after it joined the decode batch.
            expect(r.finishS[i]).toBeGreaterThan(t.decodeStartS[i]!);
          }
        }
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});
