import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { continuousBatchingDeviceSchema, createContinuousBatchingDevice } from '../../src/devices/continuous-batching.js';
import type { Device, DeviceContext } from '../../src/devices/device.js';
import { STATUS_PENDING, STATUS_REJECTED } from '../../src/metrics/records.js';
import { summarize } from '../../src/metrics/summary.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import type { Request } from '../../src/workload/request.js';
import { holderLifecycle, type HolderSpy } from '../support/holder-spy.js';
import { testIterationModel } from '../support/models.js';

/**
 * Invariants of runs with KV tiers over random workloads and clusters (small GPU KV caches and
 * small CPU tiers, so sequences swap, fall back to recompute and prefix blocks go to the CPU tier
 * and back; shared prefixes; client timeouts; every scheduler mode that takes kvTiers):
 * - a request is on one replica at a time (started again only where it was preempted);
 * - GPU KV within capacity after every segment (kvUtilization <= 1 each time energy is charged);
 *   CPU tier within capacity at its peak (the tier also checks every change and throws);
 * - every request ends (finished, rejected with a reason, or timed out);
 * - swap-outs = swap-ins + swapped sequences whose request ended while swapped (none left at the
 *   end: the device checks it and throws);
 * - fastForward on and off give the same floats (the PCIe stalls are outside decode runs).
 */
const SCHEDULERS = ['vllm-v1', 'sarathi', 'prefill-first'] as const;

function spiedGroup(spec: Record<string, unknown>, kvTokens: number, replicas: number, spy: HolderSpy): PreparedDeviceGroup {
  const parsed = continuousBatchingDeviceSchema.parse({ name: 'gpu', kind: 'continuous-batching', profile: 'test', replicas, ...spec });
  const model = testIterationModel({ prefill: [0.02, 0.0001], decode: [0.01, 0.001, 0.00001], kvTokens });
  return {
    name: 'gpu',
    kind: parsed.kind,
    model: 'm',
    replicas,
    create: (ctx, id) => {
      const { violations } = spy;
      let device: Device | undefined;
      const base = holderLifecycle(ctx, spy).lifecycle;
      const lifecycle = {
        ...base,
        chargeEnergy(rid: number, j: number) {
          const u = device!.kvUtilization!();
          if (u > 1) violations.push(`${id.name}: KV utilization ${u} at t=${ctx.engine.nowS}`);
          ctx.lifecycle.chargeEnergy(rid, j);
        },
      };
      const spied: DeviceContext = { ...ctx, lifecycle };
      device = createContinuousBatchingDevice(parsed, model, spied, id);
      return device;
    },
  };
}

const requestsArb = fc
  .array(
    fc.record({
      gap: fc.double({ min: 0, max: 0.03, noNaN: true }),
      prompt: fc.integer({ min: 1, max: 150 }),
      out: fc.integer({ min: 1, max: 60 }),
      prefix: fc.option(fc.record({ id: fc.integer({ min: 1, max: 5 }), tokens: fc.integer({ min: 16, max: 250 }) }), { freq: 3 }),
      timeout: fc.option(fc.double({ min: 0.05, max: 3, noNaN: true }), { freq: 5 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) => {
    let t = 0;
    return rows.map((r, id): Request => {
      t += r.gap;
      // A prompt is a shared prefix (when drawn) and tokens of its own.
      const prefix = r.prefix !== null ? { prefix: [r.prefix] } : {};
      return { id, arrivalS: t, promptTokens: r.prompt + (r.prefix?.tokens ?? 0), outputTokens: r.out, ...prefix, ...(r.timeout !== null && { timeoutS: r.timeout }) };
    });
  });

const clusterArb = fc.record({
  replicas: fc.integer({ min: 1, max: 3 }),
  kv: fc.integer({ min: 320, max: 900 }),
  blockSize: fc.constantFrom(1, 8, 16),
  scheduler: fc.constantFrom(...SCHEDULERS),
  maxBatchSize: fc.integer({ min: 1, max: 12 }),
  // CPU tier of 0 to 3000 tokens at 1000 bytes per token.
  cpuBytes: fc.oneof(fc.integer({ min: 1, max: 300_000 }), fc.integer({ min: 300_000, max: 3_000_000 })),
  pcieGBps: fc.constantFrom(0.001, 0.1, 32),
  latencyS: fc.constantFrom(0, 0.001, 0.02),
  preemptionMode: fc.constantFrom('swap', 'swap', 'recompute'),
  prefixOffload: fc.boolean(),
});

describe('KV-tier invariants over random workloads', () => {
  it('one replica at a time, KV in every tier within capacity, every request ends, swaps conserved', () => {
    // What the runs exercised, summed: each path must be taken somewhere, or the test proves little.
    const seen = { offloadedBlocks: 0, swapOuts: 0, swapFallbacks: 0, swapDiscards: 0, reloadedBlocks: 0, cpuEvictions: 0 };
    fc.assert(
      fc.property(requestsArb, clusterArb, (requests, c) => {
        const runOnce = (fastForward: boolean) => {
          const spy: HolderSpy = { holder: new Int32Array(requests.length).fill(-1), violations: [] };
          const spec = {
            blockSize: c.blockSize,
            scheduler: c.scheduler,
            maxBatchSize: c.maxBatchSize,
            maxBatchedTokens: 300,
            chunkSize: 128,
            fastForward,
            kvTiers: { cpu: { capacityGiB: c.cpuBytes / 2 ** 30, pcieGBps: c.pcieGBps, latencyS: c.latencyS }, preemptionMode: c.preemptionMode, prefixOffload: c.prefixOffload, kvBytesPerToken: 1000 },
          };
          const res = simulate({ requests, cluster: [spiedGroup(spec, c.kv, c.replicas, spy)], policy: fifoPolicy, policyParams: { routing: 'least-loaded' }, seed: 1 });
          expect(spy.violations).toEqual([]);
          return res;
        };
        const res = runOnce(true);
        const { records: r } = res;
        for (let i = 0; i < requests.length; i++) {
          expect(r.status[i]).not.toBe(STATUS_PENDING);
          if (r.status[i] === STATUS_REJECTED) expect(r.rejectReason.get(i)).toBeTruthy();
        }
        for (const d of res.devices) {
          expect(d.peakKvTokens).toBeLessThanOrEqual(d.kvCapacityTokens);
          const x = d.extra!;
          expect(x.cpuPeakUtilization).toBeLessThanOrEqual(1);
          expect(x.swapOuts).toBe(x.swapIns! + x.swapDiscards!);
          if (c.preemptionMode === 'recompute') expect(x.swapOuts! + x.swapFallbacks!).toBe(0);
          else expect(x.swapOuts! + x.swapFallbacks!).toBeLessThanOrEqual(d.preemptions);
          if (!c.prefixOffload) expect(x.offloadedBlocks! + x.reloadedBlocks!).toBe(0);
        }
        const s = summarize(res).kvTiers!;
        expect(s.swapOuts).toBe(s.swapIns + s.swapDiscards);
        for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] += s[k];
        const step = runOnce(false).records;
        for (let i = 0; i < requests.length; i++) {
          expect(Object.is(step.finishS[i], r.finishS[i])).toBe(true);
          expect(Object.is(step.firstTokenS[i], r.firstTokenS[i])).toBe(true);
        }
      }),
      { numRuns: 200, seed: 14 },
    );
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(0);
  });
});
