import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simulate } from '../../src/simulation/simulate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { STATUS_FINISHED, STATUS_REJECTED, STATUS_TIMED_OUT } from '../../src/metrics/records.js';
import type { Request } from '../../src/workload/request.js';
import { summarize } from '../../src/metrics/summary.js';
import { cbGroup, req, testIterationModel } from '../support/models.js';
import { gramsCo2, stepSeries } from '../../src/fleet/carbon.js';

const run = (requests: Request[], group: ReturnType<typeof cbGroup>, routing = 'round-robin', fleet?: Parameters<typeof simulate>[0]['fleet']) =>
  simulate({ requests, cluster: [group], policy: fifoPolicy, policyParams: { routing }, seed: 1, ...(fleet && { fleet }) });

describe('continuous-batching: hand-computed cases', () => {
  it('two requests: prefill, mixed iteration, shared decode step, energy split', () => {
    // prefill = 0.1 + 0.001*tokens; decode step = 0.04 + 0.01*batch + 0.0001*context; power 100 + 10*batch W.
    const model = testIterationModel({ prefill: [0.1, 0.001], decode: [0.04, 0.01, 0.0001], busyW: [100, 10], idleW: 20, kvTokens: 100_000 });
    const res = run([req(0, 0, 100, 3), req(1, 0.12, 200, 2)], cbGroup(model));
    const r = res.records;
    // t=0: A prefills alone: 0.1 + 0.1 = 0.2 -> first token at 0.2.
    expect(r.firstTokenS[0]).toBeCloseTo(0.2, 12);
    // t=0.2: B joins: prefill(200) = 0.3 plus A's decode step (batch 1, context 101) = 0.0601 -> 0.5601.
    expect(r.startS[1]).toBeCloseTo(0.2, 12);
    expect(r.firstTokenS[1]).toBeCloseTo(0.5601, 12);
    // t=0.5601: one step for both (A needs its 3rd token, B its 2nd): batch 2, context 102+201 = 303 -> 0.0903.
    expect(r.finishS[0]).toBeCloseTo(0.6504, 12);
    expect(r.finishS[1]).toBeCloseTo(0.6504, 12);
    // Energy: 0.2 s at 110 W = 22 J (A's prefill); 0.3601 s at 120 W = 43.212 J, of which the prefill
    // share 0.3/0.3601 (36 J) goes to B and 7.212 J to A; last step 0.0903 s at 120 W = 10.836 J split evenly.
    expect(r.energyJ[0]).toBeCloseTo(22 + 7.212 + 5.418, 9);
    expect(r.energyJ[1]).toBeCloseTo(36 + 5.418, 9);
    expect(res.devices[0]!.busyEnergyJ).toBeCloseTo(76.048, 9);
    expect(res.devices[0]!.idleEnergyJ).toBeCloseTo(0, 12);
    expect(res.devices[0]!.iterations).toBe(3);
  });

  it('preempts the newest sequence when the KV cache is full and recomputes it later', () => {
    // KV 12 tokens, block size 1. prefill = 0.1 + 0.01*tokens; decode step 0.05 s flat.
    const model = testIterationModel({ prefill: [0.1, 0.01], decode: [0.05, 0, 0], kvTokens: 12 });
    const res = run([req(0, 0, 4, 6), req(1, 0, 4, 6)], cbGroup(model, { blockSize: 1 }));
    const r = res.records;
    // t=0: both arrive at once and are admitted together (5 + 5 = 10 <= 12 KV tokens): prefill of
    // 8 tokens = 0.18 s; both hold 5 tokens.
    expect(r.firstTokenS[0]).toBeCloseTo(0.18, 12);
    expect(r.firstTokenS[1]).toBeCloseTo(0.18, 12);
    // t=0.18: the next token needs 6 + 6 = 12: fits, but a second step would need 14, so the run is
    // one step -> 0.23. t=0.23: 7 + 7 = 14 > 12: B (newest) is preempted with 2 tokens generated; it
    // cannot come back (needs 4+2+1 = 7 more); A runs its last 4 steps alone -> 0.43.
    expect(r.finishS[0]).toBeCloseTo(0.43, 12);
    // t=0.43: B recomputes prompt + 2 generated tokens (prefill 6 tokens = 0.16) -> 0.59 (3rd token),
    // then 3 steps -> 0.74.
    expect(r.finishS[1]).toBeCloseTo(0.74, 12);
    expect(r.preemptions[1]).toBe(1);
    expect(r.preemptions[0]).toBe(0);
    expect(res.devices[0]!.preemptions).toBe(1);
    expect(res.devices[0]!.peakKvTokens).toBe(12);
  });

  it('rejects, with a reason, requests that can never fit, and still finishes the rest', () => {
    const model = testIterationModel({ prefill: [0.1, 0.01], decode: [0.05, 0, 0], kvTokens: 64 });
    const res = run([req(0, 0, 60, 10), req(1, 0.1, 8, 2), req(2, 0.2, 40, 1)], cbGroup(model, { blockSize: 16, maxBatchedTokens: 32 }));
    expect(res.records.status[0]).toBe(STATUS_REJECTED);
    expect(res.records.rejectReason.get(0)).toBe('prompt+output exceeds the KV capacity of a gpu replica (64 tokens)');
    expect(res.records.status[1]).toBe(STATUS_FINISHED);
    expect(res.records.status[2]).toBe(STATUS_REJECTED);
    expect(res.records.rejectReason.get(2)).toBe('prompt exceeds maxBatchedTokens of gpu (32)');
  });

  it('respects maxBatchSize: the third request waits for a free sequence slot', () => {
    const model = testIterationModel({ prefill: [0.1, 0], decode: [0.1, 0, 0], kvTokens: 10_000 });
    const res = run([req(0, 0, 10, 5), req(1, 0, 10, 5), req(2, 0, 10, 1)], cbGroup(model, { maxBatchSize: 2 }));
    const r = res.records;
    // A and B start together at 0 (prefill 0.1 s), then decode 4 steps -> both done at 0.5. C, which
    // arrived at 0 too, waits for a sequence slot: prefill at 0.5 gives its only token at 0.6.
    expect(r.startS[0]).toBe(0);
    expect(r.startS[1]).toBe(0);
    expect(r.finishS[0]).toBeCloseTo(0.5, 12);
    expect(r.finishS[1]).toBeCloseTo(0.5, 12);
    expect(r.startS[2]).toBeCloseTo(0.5, 12);
    expect(r.finishS[2]).toBeCloseTo(0.6, 12);
  });
});

describe('continuous-batching: fast-forward equals step-by-step, byte for byte', () => {
  // Dyadic times (multiples of 2^-7 s) and dyadic model coefficients make arrivals land exactly on
  // step boundaries, and bursts (gap 0) arrive together: the ties a fast-forward cut must get right.
  const gap = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 }).map((k) => k / 128), fc.double({ min: 0, max: 0.5, noNaN: true }));
  // Prefixes from a small pool so that prefix-cache hits, shared blocks and evictions happen; a
  // prompt made only of named segments may name its output too (as a conversation's answer is).
  const pool = { a: [{ id: 1, tokens: 48 }], b: [{ id: 2, tokens: 100 }], ab: [{ id: 1, tokens: 48 }, { id: 2, tokens: 100 }] };
  const item = fc.record({
    gap,
    prompt: fc.integer({ min: 1, max: 300 }),
    output: fc.integer({ min: 1, max: 120 }),
    prefix: fc.constantFrom(undefined, 'a', 'b', 'ab', 'ab!'),
    // Some clients give up, at dyadic times too (ties with step boundaries).
    timeoutS: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 200 }).map((k) => k / 128), fc.double({ min: 0.01, max: 3, noNaN: true })),
  });
  const workload = fc.array(item, { minLength: 1, maxLength: 60 });
  const device = fc.record({
    scheduler: fc.constantFrom('legacy', 'vllm-v1', 'sarathi', 'prefill-first'),
    maxBatchSize: fc.integer({ min: 1, max: 16 }),
    blockSize: fc.constantFrom(1, 4, 16),
    kvTokens: fc.integer({ min: 450, max: 3000 }),
    maxBatchedTokens: fc.integer({ min: 300, max: 2000 }),
    chunkSize: fc.constantFrom(16, 64, 256),
    longPrefillThreshold: fc.constantFrom(0, 48),
    prefixCaching: fc.boolean(),
    replicas: fc.integer({ min: 1, max: 3 }),
    routing: fc.constantFrom('round-robin', 'least-loaded'),
  });
  const model = testIterationModel({ prefill: [2 ** -6, 2 ** -12, 2 ** -30], decode: [2 ** -7, 2 ** -11, 2 ** -16], busyW: [256, 4], idleW: 32, kvTokens: 0 });

  it('gives identical records, device figures and summaries for random workloads in every scheduler mode', () => {
    const seen = new Set<string>();
    let sawPreemption = false, sawEviction = false, sawTimeout = false;
    let fewerEvents = 0;
    fc.assert(
      fc.property(workload, device, (items, d) => {
        let t = 0;
        const requests = items.map((it, i): Request => {
          const plain = req(i, (t += it.gap), it.prompt, it.output);
          const r = it.timeoutS === undefined ? plain : { ...plain, timeoutS: it.timeoutS };
          if (it.prefix === undefined) return r;
          const segs = pool[it.prefix.replace('!', '') as keyof typeof pool];
          const named = segs.reduce((a, s) => a + s.tokens, 0);
          // 'ab!': the whole prompt is named, and so is the output.
          if (it.prefix.endsWith('!')) return { ...r, promptTokens: named, prefix: segs, outputId: 9 };
          return { ...r, promptTokens: Math.max(it.prompt, named), prefix: segs };
        });
        const m = { ...model, kvCapacityTokens: d.kvTokens };
        const { replicas, routing, kvTokens: _k, ...spec } = d;
        const fast = run(requests, cbGroup(m, { ...spec, fastForward: true }, replicas), routing);
        const slow = run(requests, cbGroup(m, { ...spec, fastForward: false }, replicas), routing);
        // Under a carbon series every charge goes through the lifecycle as it happens (the replica
        // may not keep its requests' energy in its batch: Lifecycle.keptEnergy): the same sums.
        const charged = run(requests, cbGroup(m, { ...spec, fastForward: true }, replicas), routing, { groups: [{ carbon: stepSeries([0], [100]) }] });
        for (let i = 0; i < requests.length; i++) expect(Object.is(charged.records.energyJ[i], fast.records.energyJ[i]), `energyJ[${i}] charged one by one: ${charged.records.energyJ[i]} vs ${fast.records.energyJ[i]}`).toBe(true);
        // ... and each charge was priced: the request's CO2 is its energy at the series' 100 g/kWh.
        const co2 = charged.fleet!.requestCo2G!;
        for (let i = 0; i < requests.length; i++) expect(co2[i]).toBeCloseTo(gramsCo2(charged.records.energyJ[i]!, 100), 12);
        for (const col of ['startS', 'firstTokenS', 'finishS', 'energyJ', 'timedOutS'] as const) {
          for (let i = 0; i < requests.length; i++) expect(Object.is(fast.records[col][i], slow.records[col][i]), `${col}[${i}]: ${fast.records[col][i]} vs ${slow.records[col][i]}`).toBe(true);
        }
        expect(Array.from(fast.records.status)).toEqual(Array.from(slow.records.status));
        expect(Array.from(fast.records.device)).toEqual(Array.from(slow.records.device));
        expect(Array.from(fast.records.preemptions)).toEqual(Array.from(slow.records.preemptions));
        expect([...fast.records.rejectReason]).toEqual([...slow.records.rejectReason]);
        expect(fast.devices).toEqual(slow.devices);
        const { sim: _a, ...a } = summarize(fast);
        const { sim: _b, ...b } = summarize(slow);
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        seen.add(d.scheduler);
        if (fast.records.status.some((s) => s === STATUS_TIMED_OUT)) sawTimeout = true;
        if (d.prefixCaching && d.scheduler !== 'legacy') for (const s of fast.devices) if ((s.extra?.cacheEvictions ?? 0) > 0) sawEviction = true;
        for (const s of fast.devices) expect(s.peakKvTokens).toBeLessThanOrEqual(s.kvCapacityTokens);
        if (fast.devices.some((s) => s.preemptions > 0)) sawPreemption = true;
        if (fast.events < slow.events) fewerEvents++;
      }),
      { numRuns: 300, seed: 7 },
    );
    // The generator must exercise every mode, preemption and fast-forwarding, or the property is vacuous.
    expect(seen.size).toBe(4);
    expect(sawPreemption).toBe(true);
    expect(sawEviction).toBe(true);
    expect(sawTimeout).toBe(true);
    expect(fewerEvents).toBeGreaterThan(100);
  });

  it('an arrival exactly at a step boundary joins at the next boundary in both modes', () => {
    // Prefill 0.25 s flat, decode step 0.0625 s: A's first step ends at exactly 0.3125, when B arrives.
    // Device events at an instant run before arrivals, so the step-by-step replica has already started
    // its next step (to 0.375) when B is queued; a fast-forward run must not cut at 0.3125 either.
    const m = testIterationModel({ prefill: [0.25, 0], decode: [0.0625, 0, 0], kvTokens: 10_000 });
    const requests = [req(0, 0, 100, 5), req(1, 0.3125, 200, 3)];
    for (const scheduler of ['legacy', 'vllm-v1']) {
      const fast = run(requests, cbGroup(m, { scheduler, fastForward: true }));
      const slow = run(requests, cbGroup(m, { scheduler, fastForward: false }));
      expect(fast.records.startS[1]).toBe(0.375);
      expect(Array.from(fast.records.finishS)).toEqual(Array.from(slow.records.finishS));
      expect(Array.from(fast.records.firstTokenS)).toEqual(Array.from(slow.records.firstTokenS));
    }
  });

  it('does not cut a decode run for an arrival while the batch is full (fewer events, same results)', () => {
    // maxBatchSize 1: A decodes 99 steps of 0.01 s from t = 0.11; B arrives at 0.5 and can only start
    // when A finishes at 1.1. Events: 2 arrivals, 1 kick, A's prefill, A's one run, B's kick-free
    // prefill, B's run = 7. A cut at B's arrival would add one more.
    const m = testIterationModel({ prefill: [0.1, 0.0001], decode: [0.01, 0, 0], kvTokens: 10_000 });
    const res = run([req(0, 0, 100, 100), req(1, 0.5, 100, 10)], cbGroup(m, { maxBatchSize: 1 }));
    expect(res.records.startS[1]).toBeCloseTo(1.1, 9);
    expect(res.events).toBe(7);
  });
});
