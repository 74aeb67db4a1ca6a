import { describe, expect, it } from 'vitest';
import { simulate, type SimInput } from '../../src/simulation/simulate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { STATUS_FINISHED, STATUS_REJECTED } from '../../src/metrics/records.js';
import { summarize } from '../../src/metrics/summary.js';
import { jain } from '../../src/metrics/class-summary.js';
import type { ClassesSpec } from '../../src/simulation/admission.js';
import type { Request } from '../../src/workload/request.js';
import { cbGroup, testIterationModel } from '../support/models.js';

/**
 * Hand-computed cases of request classes and admission control. The test model (as in
 * scheduler-modes.test.ts) prices a prompt alone at 0.1 + 0.001 x tokens and one decode step of a
 * single sequence at 0.06 + 0.0001 x context (context = tokens computed + 1).
 */
const model = testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0.01, 0.0001], busyW: [100, 10], kvTokens: 100_000 });
const US = 6;
const r = (id: number, arrivalS: number, promptTokens: number, outputTokens: number, cls?: string): Request => ({ id, arrivalS, promptTokens, outputTokens, ...(cls ? { class: cls } : {}) });

function run(requests: Request[], spec: Record<string, unknown>, extra: Partial<SimInput>) {
  return simulate({ requests, cluster: [cbGroup(model, { scheduler: 'vllm-v1', ...spec })], policy: fifoPolicy, policyParams: { routing: 'round-robin' }, seed: 1, ...extra });
}

describe('token bucket per class', () => {
  it('rejects exactly the arrivals that find less than one token (rate 1/s, burst 2)', () => {
    // Bucket of "free" starts full (2). t=0: 2 -> 1.  t=0.1: 1.1 -> 0.1.  t=0.2: 0.2 < 1, rejected.
    // t=0.5: 0.5, rejected.  t=1.2: 1.2 -> 0.2.  t=1.3: 0.3, rejected.  t=3.5: min(2, 2.5) = 2 -> 1.
    // "paid" has no bucket: its arrival at 0.2 is admitted.
    const times = [0, 0.1, 0.2, 0.5, 1.2, 1.3, 3.5];
    const requests = times.map((t, i) => r(i, t, 10, 1, 'free'));
    requests.splice(3, 0, r(3, 0.2, 10, 1, 'paid'));
    requests.forEach((q, i) => ((q as { id: number }).id = i));
    const classes: ClassesSpec = { free: { priority: 0, rateLimit: { rateRps: 1, burst: 2 } }, paid: { priority: 0 } };
    const result = run(requests, { maxBatchSize: 8 }, { classes });
    const rejected = requests.filter((q) => result.records.status[q.id] === STATUS_REJECTED).map((q) => [q.arrivalS, q.class]);
    expect(rejected).toEqual([[0.2, 'free'], [0.5, 'free'], [1.3, 'free']]);
    expect(result.records.rejectReason.get(2)).toBe('admission: class "free" over its rate limit (1/s, burst 2)');
    const s = summarize(result, { classes });
    expect(s.requests.rejectReasons).toEqual([{ reason: 'admission: class "free" over its rate limit (1/s, burst 2)', count: 3 }]);
    expect(s.classes!.map((c) => [c.class, c.requests.total, c.requests.admissionRejected])).toEqual([['free', 7, 3], ['paid', 1, 0]]);
  });

  it('a class not listed shares the default entry\'s bucket', () => {
    const requests = [r(0, 0, 10, 1, 'x'), r(1, 0, 10, 1), r(2, 0, 10, 1, 'y')];
    const result = run(requests, { maxBatchSize: 8 }, { classes: { default: { priority: 0, rateLimit: { rateRps: 0.001, burst: 2 } } } });
    expect(Array.from(result.records.status)).toEqual([STATUS_FINISHED, STATUS_FINISHED, STATUS_REJECTED]);
  });
});

describe('queue-length limit', () => {
  it('rejects an arrival while maxQueue requests wait', () => {
    // Batch of one: A runs from 0 (prompt 50, 1 token: 0.15 s); B waits from 0.01; C at 0.02 finds 1
    // waiting = maxQueue: rejected.  B starts at 0.15; D at 1.0 finds the queue empty.
    const requests = [r(0, 0, 50, 1), r(1, 0.01, 50, 1), r(2, 0.02, 50, 1), r(3, 1, 50, 1)];
    const result = run(requests, { maxBatchSize: 1 }, { admission: { maxQueue: 1 } });
    expect(Array.from(result.records.status)).toEqual([STATUS_FINISHED, STATUS_FINISHED, STATUS_REJECTED, STATUS_FINISHED]);
    expect(result.records.rejectReason.get(2)).toBe('admission: queue full (maxQueue 1)');
    expect(result.records.startS[1]).toBeCloseTo(0.15, US);
  });
});

describe('class priorities', () => {
  it('serve a waiting higher-priority request first', () => {
    // Batch of one. A (low) runs 0..0.15; B (low) at 0.01 and C (high) at 0.02 wait: C goes first.
    const requests = [r(0, 0, 50, 1, 'low'), r(1, 0.01, 50, 1, 'low'), r(2, 0.02, 50, 1, 'high')];
    const classes: ClassesSpec = { low: { priority: 0 }, high: { priority: 1 } };
    const rec = run(requests, { maxBatchSize: 1 }, { classes }).records;
    expect(rec.startS[2]).toBeCloseTo(0.15, US);
    expect(rec.startS[1]).toBeCloseTo(0.3, US);
    const fifo = run(requests, { maxBatchSize: 1 }, {}).records;
    expect(fifo.startS[1]).toBeCloseTo(0.15, US);
  });

  const classes: ClassesSpec = { batch: { priority: 0 }, interactive: { priority: 1 } };
  // A (batch): prompt 50, 10 tokens, at 0.  B (interactive): prompt 50, 2 tokens, at 0.2.
  const requests = [r(0, 0, 50, 10, 'batch'), r(1, 0.2, 50, 2, 'interactive')];

  it('preempt a lower-priority running sequence when the batch is full (priorityPreemption)', () => {
    // A: prefill 0..0.15 (first token); decode step 1 at context 51: 0.0651 -> 0.2151. B arrives at
    // 0.2 and cuts A's decode run at 0.2151, where the batch (max 1) is full: A (priority 0 < 1) is
    // preempted with 2 tokens generated, B admitted: prefill 0.15 -> 0.3651 (first token), one
    // decode at context 51: 0.0651 -> 0.4302.  A recomputes 52 tokens: 0.152 -> 0.5822 (its third
    // token), then 7 steps at contexts 53..59: 0.42 + 0.0392 -> 1.0414.
    const rec = run(requests, { maxBatchSize: 1, priorityPreemption: true }, { classes }).records;
    expect(rec.startS[1]).toBeCloseTo(0.2151, US);
    expect(rec.firstTokenS[1]).toBeCloseTo(0.3651, US);
    expect(rec.finishS[1]).toBeCloseTo(0.4302, US);
    expect(rec.preemptions[0]).toBe(1);
    expect(rec.firstTokenS[0]).toBeCloseTo(0.15, US);
    expect(rec.finishS[0]).toBeCloseTo(1.0414, US);
  });

  it('without priorityPreemption (the default) the higher priority waits for the batch', () => {
    // A: 0.15 + 9 steps at contexts 51..59 (0.54 + 0.0495) -> 0.7395; B: 0.15 -> 0.8895, 0.0651 -> 0.9546.
    const rec = run(requests, { maxBatchSize: 1 }, { classes }).records;
    expect(rec.preemptions[0]).toBe(0);
    expect(rec.finishS[0]).toBeCloseTo(0.7395, US);
    expect(rec.startS[1]).toBeCloseTo(0.7395, US);
    expect(rec.finishS[1]).toBeCloseTo(0.9546, US);
  });

  it('never preempt an equal or higher priority', () => {
    const same = run(requests, { maxBatchSize: 1, priorityPreemption: true }, { classes: { batch: { priority: 1 }, interactive: { priority: 1 } } }).records;
    expect(same.preemptions[0]).toBe(0);
    expect(same.finishS[0]).toBeCloseTo(0.7395, US);
  });
});

describe('KV-shortage victims with priorities (priorityPreemption)', () => {
  // Token-granular KV cache of 40 tokens (vllm-v1: no lookahead). L (low) at 0: prompt 10, 20 tokens;
  // H (high) at 0.05: prompt 11, 20 tokens. L prefills 0..0.11; at 0.11 L decodes and H's whole
  // prompt joins, so both hold 11 tokens and then one more per iteration each: 40 in use (20 + 20)
  // after 10 iterations, with L (index 0, the older) first in line for the next block.
  //  - Default: L makes room by preempting the newest, H (generated 10 tokens). H's recompute needs
  //    11 + 10 = 21 tokens, more than the 40 - 20 free while L runs, so H waits for L: L ends first.
  //  - priorityPreemption: H is of higher priority, so L may not take it; L is not the newest, so it
  //    waits (0 tokens). H then needs a block and takes L's (L is lower priority, unscheduled): L is
  //    preempted (generated 11 tokens), needs 10 + 11 = 21 > 40 - 21 free while H runs, so H ends first.
  const kvModel = testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0.01, 0.0001], kvTokens: 40 });
  const requests = [r(0, 0, 10, 20, 'low'), r(1, 0.05, 11, 20, 'high')];
  const classes: ClassesSpec = { low: { priority: 0 }, high: { priority: 1 } };
  const runKv = (spec: Record<string, unknown>, c: ClassesSpec) =>
    simulate({ requests, cluster: [cbGroup(kvModel, { scheduler: 'vllm-v1', blockSize: 1, ...spec })], policy: fifoPolicy, policyParams: { routing: 'round-robin' }, seed: 1, classes: c }).records;

  it('default: the newest sequence (H) is the victim, whatever its priority', () => {
    const rec = runKv({}, classes);
    expect([rec.preemptions[0], rec.preemptions[1]]).toEqual([0, 1]);
    expect(rec.finishS[0]).toBeLessThan(rec.finishS[1]!);
  });

  it('priorityPreemption: the lowest-priority sequence (L, the older) is the victim, never H', () => {
    const rec = runKv({ priorityPreemption: true }, classes);
    expect([rec.preemptions[0], rec.preemptions[1]]).toEqual([1, 0]);
    expect(rec.finishS[1]).toBeLessThan(rec.finishS[0]!);
    expect([rec.status[0], rec.status[1]]).toEqual([STATUS_FINISHED, STATUS_FINISHED]);
  });

  it('equal priorities: the newest, as without priorities (same records)', () => {
    const equal: ClassesSpec = { low: { priority: 1 }, high: { priority: 1 } };
    const on = runKv({ priorityPreemption: true }, equal);
    const off = runKv({}, equal);
    expect([on.preemptions[0], on.preemptions[1]]).toEqual([0, 1]);
    expect(Array.from(on.finishS)).toEqual(Array.from(off.finishS));
  });
});

describe('per-class summary', () => {
  it('attainment per class under its own SLO, and Jain\'s index', () => {
    // From the preemption case: B (interactive) TTFT 0.1651 <= 0.2; A (batch) e2e 1.0414 > 1: attainment 1 and 0.
    const classes: ClassesSpec = { batch: { priority: 0, slo: { e2eS: 1 } }, interactive: { priority: 1, slo: { ttftS: 0.2 } } };
    const result = run([r(0, 0, 50, 10, 'batch'), r(1, 0.2, 50, 2, 'interactive')], { maxBatchSize: 1, priorityPreemption: true }, { classes });
    const s = summarize(result, { classes });
    expect(s.classes!.map((c) => [c.class, c.priority, c.goodput.attainment])).toEqual([['batch', 0, 0], ['interactive', 1, 1]]);
    expect(s.classes![1]!.latency.ttftS.p50).toBeCloseTo(0.1651, US);
    // (0 + 1)^2 / (2 (0 + 1)) = 0.5
    expect(s.fairness!.jainAttainment).toBe(0.5);
    expect(summarize(result, {})).not.toHaveProperty('classes');
  });

  it('Jain\'s index: 1 when equal, 1/n when one class gets everything', () => {
    expect(jain([0.8, 0.8, 0.8])).toBe(1);
    expect(jain([1, 0, 0, 0])).toBe(0.25);
    expect(jain([1, 0.5])).toBeCloseTo(2.25 / 2.5, 12);
  });
});
