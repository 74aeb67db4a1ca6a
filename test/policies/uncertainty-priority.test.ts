import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketBatcher, lengthBucket } from '../../src/policies/consolidation.js';
import { createBacklog } from '../../src/policies/backlog.js';
import { uncertaintyPriorityPolicy } from '../../src/policies/uncertainty-priority.js';
import { cluster, linearEstimate, make, request, view } from './views.js';

// GPU: capacity 2, service 0.01 s/prompt token + 0.1 s/output token. CPU: capacity 1, 0.02 + 0.5.
const gpuCpu = () =>
  cluster([view(0, { group: 'gpu', capacity: 2, estimate: linearEstimate(0.01, 0.1) }), view(1, { group: 'cpu', capacity: 1, estimate: linearEstimate(0.02, 0.5) })]);
// Predictions stay at the prior (100 tokens) in these unit tests: no completions are observed.
const base = { predictor: { priorOutputTokens: 100 }, prioritize: false, consolidate: false };
const workload = Array.from({ length: 20 }, (_, i) => request(i, 0, 100, 5, { uncertainty: 0.5 }));
const BOTH = [0, 1];

describe('uncertainty-priority on hand-built views', () => {
  it('offloads when the CPU is predicted to finish first (hand-computed backlog)', () => {
    // Each request: 11 s on the GPU, 52 s on the CPU. With k requests on the GPU a newcomer is
    // predicted to finish at 11k/2 + 11 s: 49.5 s for k = 7, 55 s for k = 8 > 52, so the 9th goes
    // to the CPU; the 10th then sees 55 s on the GPU against 52 + 52 s on the CPU.
    const c = gpuCpu();
    const p = make(uncertaintyPriorityPolicy, base, workload, c);
    expect(workload.slice(0, 10).map((r) => p.route(r, BOTH, c))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    // Completions leave the backlog: after the GPU's nine finish, the GPU is best again at once.
    for (const id of [0, 1, 2, 3, 4, 5, 6, 7, 9]) p.onFinish!(workload[id]!, c);
    expect(p.route(workload[10]!, BOTH, c)).toBe(0);
  });

  it('counts only the work ahead of a request when prioritizing', () => {
    const c = gpuCpu();
    const p = make(uncertaintyPriorityPolicy, { ...base, prioritize: true }, workload, c);
    for (let i = 0; i < 8; i++) p.route(workload[i]!, BOTH, c); // 88 s of key-11 work on the GPU
    // A 10-token prompt: 10.1 s, key 10.1 < 11, so nothing is ahead: 10.1 s on the GPU, not offloaded.
    const short = request(19, 0, 10, 5, { uncertainty: 0.5 });
    expect(p.route(short, BOTH, c)).toBe(0);
    expect(p.priority!(short)).toBeCloseTo(10.1, 12);
    // The same load under FCFS accounting sends it to the CPU (44 + 10.1 > 0.2 + 50).
    const fcfs = make(uncertaintyPriorityPolicy, base, workload, c);
    for (let i = 0; i < 8; i++) fcfs.route(workload[i]!, BOTH, c);
    expect(fcfs.route(short, BOTH, c)).toBe(1);
  });

  it('offloads above the uncertainty and queue thresholds, and never when offload is off', () => {
    const c = gpuCpu();
    const uncertain = request(0, 0, 100, 5, { uncertainty: 0.95 });
    expect(make(uncertaintyPriorityPolicy, { ...base, offloadUncertainty: 0.9 }, workload, c).route(uncertain, BOTH, c)).toBe(1);
    expect(make(uncertaintyPriorityPolicy, { ...base, offloadUncertainty: 0.99 }, workload, c).route(uncertain, BOTH, c)).toBe(0);
    c.devices[0]!.q = 3;
    expect(make(uncertaintyPriorityPolicy, { ...base, offloadQueue: 3 }, workload, c).route(workload[0]!, BOTH, c)).toBe(1);
    expect(make(uncertaintyPriorityPolicy, { ...base, offloadQueue: 4 }, workload, c).route(workload[0]!, BOTH, c)).toBe(0);
    const off = make(uncertaintyPriorityPolicy, { ...base, offload: false, offloadUncertainty: 0 }, workload, c);
    expect(workload.map((r) => off.route(r, BOTH, c))).toEqual(workload.map(() => 0));
  });

  it('keys by predicted service plus aging, or by least slack', () => {
    const c = gpuCpu();
    const aged = make(uncertaintyPriorityPolicy, { ...base, prioritize: true, agingWeight: 0.1 }, workload, c);
    const late = request(0, 20, 100, 5);
    aged.route(late, BOTH, c);
    expect(aged.priority!(late)).toBeCloseTo(11 + 0.1 * 20, 12);
    const slack = make(uncertaintyPriorityPolicy, { ...base, prioritize: true, order: 'least-slack' }, workload, c);
    const due = request(1, 5, 100, 5, { deadlineS: 60 });
    const free = request(2, 5, 100, 5);
    slack.route(due, BOTH, c);
    slack.route(free, BOTH, c);
    expect(slack.priority!(due)).toBeCloseTo(5 + 60 - 11, 12);
    expect(slack.priority!(free)).toBe(Infinity);
    expect(make(uncertaintyPriorityPolicy, base, workload, c).priority).toBeUndefined();
    expect(make(uncertaintyPriorityPolicy, {}, workload, c).overheadS).toBe(0.001);
  });

  it('linear aging as a static key orders requests exactly like the aged priority at any time (property)', () => {
    // Dynamic priority at time t: s - w (t - a). Static key: s + w a. They differ by w t, the same for all.
    const queued = fc.array(fc.record({ s: fc.double({ min: 0, max: 100, noNaN: true }), a: fc.double({ min: 0, max: 1000, noNaN: true }) }), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(queued, fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 1000, noNaN: true }), (qs, w, dt) => {
        const t = Math.max(...qs.map((q) => q.a)) + dt;
        const byStatic = qs.map((q, i) => i).sort((i, j) => qs[i]!.s + w * qs[i]!.a - (qs[j]!.s + w * qs[j]!.a) || i - j);
        // Along the static order the dynamic priorities never decrease (compared with a rounding
        // slack rather than as permutations: near-ties may round either way).
        for (let k = 1; k < byStatic.length; k++) {
          const prev = qs[byStatic[k - 1]!]!, cur = qs[byStatic[k]!]!;
          expect(prev.s - w * (t - prev.a)).toBeLessThanOrEqual(cur.s - w * (t - cur.a) + 1e-9 * (1 + w * t));
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('consolidation', () => {
  it('buckets predicted lengths on a geometric grid', () => {
    expect([1, 63, 64, 127, 128, 0.2].map((t) => lengthBucket(t, 2))).toEqual([0, 5, 6, 6, 7, 0]);
    expect(lengthBucket(100, 10)).toBe(2);
  });

  it("takes the head, then its bucket, then the nearest buckets, in queue order", () => {
    const buckets = [3, 5, 3, 4, 7, 3, 2];
    const batch = bucketBatcher((id) => buckets[id]!);
    expect(batch([0, 1, 2, 3, 4, 5, 6], 4)).toEqual([0, 2, 5, 3]);
    expect(batch([4, 1, 6], 2)).toEqual([4, 1]);
    expect(batch([6], 8)).toEqual([6]);
  });
});

describe('backlog account', () => {
  it('sums outstanding predicted work per replica, by key when asked', () => {
    const b = createBacklog(5);
    b.add(0, 1, 3, 10);
    b.add(1, 1, 4, 20);
    b.add(2, 0, 5, 5);
    expect(b.aheadS(1)).toBe(7);
    expect(b.aheadS(1, 15)).toBe(3);
    expect(b.aheadS(1, 20)).toBe(7);
    b.finish(0);
    b.finish(0); // twice: ignored
    expect(b.aheadS(1)).toBe(4);
    expect(b.aheadS(1, 15)).toBe(0);
    expect(b.finishInS(view(1, { capacity: 2 }), 1)).toBe(4 / 2 + 1);
    expect(b.aheadS(3)).toBe(0);
  });
});
