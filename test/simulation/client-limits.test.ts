import { describe, expect, it } from 'vitest';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { simulate } from '../../src/simulation/simulate.js';
import { generateArrivals } from '../../src/workload/arrivals.js';
import { createStream } from '../../src/util/rng.js';
import type { Request } from '../../src/workload/request.js';
import { cbGroup, req, slotsGroup, testIterationModel, tokenTimeCost } from '../support/models.js';

describe('workload.maxConcurrency (a benchmark client with a concurrency limit)', () => {
  it('holds requests due while the limit is reached and sends each when one ends, its arrival then', () => {
    // 10 slots, 1 s per output token: A (2 s), B (1 s), C (1 s), D (1 s), all due at t=0, at most 2 in flight.
    // A and B start at 0; B ends at 1 -> C is sent at 1, ends at 2; A and C end at 2 -> D sent at 2, ends at 3.
    const requests: Request[] = [req(0, 0, 1, 2), req(1, 0, 1, 1), req(2, 0, 1, 1), req(3, 0, 1, 1)];
    const res = simulate({ requests, cluster: [slotsGroup(tokenTimeCost(1), 10)], policy: fifoPolicy, policyParams: {}, seed: 1, maxConcurrency: 2 });
    expect(res.requests.map((r) => r.arrivalS)).toEqual([0, 0, 1, 2]);
    expect(Array.from(res.records.finishS)).toEqual([2, 1, 2, 3]);
    // Latency counts from the send: nobody waits at the server.
    expect(Array.from(res.records.startS)).toEqual([0, 0, 1, 2]);
  });

  it('without a limit, the same requests run together', () => {
    const requests: Request[] = [req(0, 0, 1, 2), req(1, 0, 1, 1), req(2, 0, 1, 1), req(3, 0, 1, 1)];
    const res = simulate({ requests, cluster: [slotsGroup(tokenTimeCost(1), 10)], policy: fifoPolicy, policyParams: {}, seed: 1 });
    expect(Array.from(res.records.finishS)).toEqual([2, 1, 1, 1]);
  });
});

describe('front-end time of a batching server (IterationModel.frontendS)', () => {
  it('delays when the scheduler sees a request and counts in its TTFT, not in any iteration', () => {
    // Prefill 0.1 + 0.001/token; decode 0.05 a step; front end 0.02 s.
    const model = { ...testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0, 0], kvTokens: 100_000 }), frontendS: 0.02 };
    const requests: Request[] = [req(0, 0, 100, 3), req(1, 1, 100, 1)];
    const res = simulate({ requests, cluster: [cbGroup(model, { scheduler: 'vllm-v1' })], policy: fifoPolicy, policyParams: {}, seed: 1 });
    // A: sent at 0, scheduled at 0.02, prompt 0.2 -> first token 0.22, two steps -> 0.32.
    expect(res.records.firstTokenS[0]).toBeCloseTo(0.22, 12);
    expect(res.records.finishS[0]).toBeCloseTo(0.32, 12);
    expect(res.records.firstTokenS[1]).toBeCloseTo(1.22, 12);
    expect(res.devices[0]!.busyS).toBeCloseTo(0.3 + 0.2, 12);
  });
});

describe('synthetic arrivals with both count and durationS', () => {
  it('gives exactly count arrivals inside [0, durationS), spread like the unconditioned process', () => {
    const spec = { process: 'poisson', rateRps: 5 } as const;
    const out = generateArrivals(spec, () => createStream(7, 'arrivals'), 300, 60);
    expect(out.length).toBe(300);
    expect(out[299]!).toBeLessThan(60);
    for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThanOrEqual(out[i - 1]!);
    // Same draws as the count-only stream, rescaled: the ratio is constant.
    const raw = generateArrivals(spec, () => createStream(7, 'arrivals'), 300, undefined);
    const ratio = out[0]! / raw[0]!;
    for (let i = 0; i < out.length; i++) expect(out[i]! / raw[i]!).toBeCloseTo(ratio, 9);
    // Conditioned on 300 arrivals in [0, 60) the times are sorted uniforms: their mean is near 30.
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    expect(Math.abs(mean - 30)).toBeLessThan(3);
  });
});
