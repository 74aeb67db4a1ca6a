import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { summarize } from '../../src/metrics/summary.js';
import { buildResult, device, type Row } from './fixtures.js';

// Seven requests on three replicas (gpu/0, gpu/1 batching; cpu/0 non-streaming slots).
// Hand-derived per request (queue = start - arrival, ttft = first - arrival,
// tpot = (finish - first)/(out - 1), e2e = finish - arrival):
//   0: queue 1, ttft 2,   tpot 4/4 = 1,    e2e 6    deadline 7: met
//   1: queue 0, ttft 0.5, tpot -, (out 1)  e2e 0.5  preempted twice
//   2: queue 2, ttft -,   tpot -, (slots)  e2e 6    deadline 5: missed
//   3: rejected kv-capacity                          deadline 10: missed
//   4: queue 0, ttft 0.5, tpot 5/10 = 0.5, e2e 5.5
//   5: rejected too-long;  6: rejected kv-capacity
const rows: Row[] = [
  { req: { arrivalS: 0, promptTokens: 10, outputTokens: 5, deadlineS: 7 }, startS: 1, firstTokenS: 2, finishS: 6, energyJ: 10, device: 0 },
  { req: { arrivalS: 1, promptTokens: 20, outputTokens: 1 }, startS: 1, firstTokenS: 1.5, finishS: 1.5, energyJ: 5, device: 0, preemptions: 2 },
  { req: { arrivalS: 2, promptTokens: 30, outputTokens: 3, deadlineS: 5 }, startS: 4, finishS: 8, energyJ: 20, device: 2 },
  { req: { arrivalS: 3, promptTokens: 40, outputTokens: 2, deadlineS: 10 }, rejected: 'kv-capacity' },
  { req: { arrivalS: 4, promptTokens: 50, outputTokens: 11 }, startS: 4, firstTokenS: 4.5, finishS: 9.5, energyJ: 15, device: 0 },
  { req: { arrivalS: 5, promptTokens: 60, outputTokens: 4 }, rejected: 'too-long' },
  { req: { arrivalS: 6, promptTokens: 5, outputTokens: 2 }, rejected: 'kv-capacity' },
];
const devices = [
  device({ name: 'gpu/0', busyS: 4.75, busyEnergyJ: 30, idleEnergyJ: 5, finished: 3, iterations: 17, preemptions: 2, peakKvTokens: 300, kvCapacityTokens: 1000, energyScope: 'busy and idle power' }),
  device({ name: 'gpu/1', busyS: 0.95, busyEnergyJ: 0, idleEnergyJ: 5, energyScope: 'busy and idle power' }),
  device({ name: 'cpu/0', kind: 'slots', busyS: 4, busyEnergyJ: 20, finished: 1, iterations: 1, clampedCount: 3, energyScope: 'per-request energy' }),
];
const result = () => buildResult(rows, devices, { endS: 9.5, events: 42, warnings: ['profile value clamped 3 times'] });

describe('summarize', () => {
  const s = summarize(result(), { slo: { ttftS: 1, tpotS: 0.6 }, name: 'hand' });

  it('counts requests, rejection reasons (by count, then name) and preemptions', () => {
    expect(s.name).toBe('hand');
    expect(s.requests).toEqual({
      total: 7, finished: 4, rejected: 3, timedOut: 0, timedOutFraction: 0, pending: 0, preempted: 1,
      rejectReasons: [{ reason: 'kv-capacity', count: 2 }, { reason: 'too-long', count: 1 }],
    });
  });

  it('computes latency distributions over finished requests only', () => {
    // queue [0,0,1,2]; ttft [0.5,0.5,2]; tpot [0.5,1]; e2e [0.5,5.5,6,6] - see header.
    expect(s.latency.queueingDelayS).toEqual({ count: 4, mean: 0.75, p50: 0.5, p90: 1.7, p95: 1.85, p99: 1.97, max: 2 });
    expect(s.latency.ttftS).toEqual({ count: 3, mean: 1, p50: 0.5, p90: 1.7, p95: 1.85, p99: 1.97, max: 2 });
    expect(s.latency.tpotS).toEqual({ count: 2, mean: 0.75, p50: 0.75, p90: 0.95, p95: 0.975, p99: 0.995, max: 1 });
    expect(s.latency.e2eS).toEqual({ count: 4, mean: 4.5, p50: 5.75, p90: 6, p95: 6, p99: 6, max: 6 });
  });

  it('computes throughput over first arrival (0) to last finish (9.5)', () => {
    // 4 finished; output tokens 5+1+3+11 = 20; prompt tokens 10+20+30+50 = 110.
    expect(s.throughput).toEqual({ spanS: 9.5, requestsPerS: 0.421053, outputTokensPerS: 2.10526, promptTokensPerS: 11.5789 });
  });

  it('counts goodput against every SLO given and each deadline', () => {
    // 0: ttft 2 > 1; 2: misses its deadline; 1 and 4 are good.
    expect(s.goodput).toEqual({ slo: { ttftS: 1, tpotS: 0.6, e2eS: null }, requests: 2, requestsPerS: 0.210526, fraction: 0.285714 });
    expect(s.deadlines).toEqual({ withDeadline: 3, met: 1, missed: 2, missRatio: 0.666667 });
  });

  it('without SLOs, goodput is the finished requests that meet their deadlines', () => {
    const plain = summarize(result());
    expect(plain.name).toBeNull();
    expect(plain.goodput.requests).toBe(3); // 0, 1, 4
    expect(plain.goodput.slo).toEqual({ ttftS: null, tpotS: null, e2eS: null });
  });

  it('an SLO exactly met still counts (e2e 6 <= 6)', () => {
    expect(summarize(result(), { slo: { e2eS: 6 } }).goodput.requests).toBe(3);
    expect(summarize(result(), { slo: { e2eS: 5.9 } }).goodput.requests).toBe(2);
  });

  it('adds energy over replicas and says what it counts', () => {
    // busy 30 + 0 + 20 = 50, idle 5 + 5 + 0 = 10, total 60 J; 4 requests, 20 output tokens.
    expect(s.energy).toEqual({
      totalJ: 60, busyJ: 50, idleJ: 10, kWh: 1.66667e-5, perFinishedRequestJ: 15, perOutputTokenJ: 3,
      scope: ['gpu: busy and idle power', 'cpu: per-request energy'], // by group, in cluster order
    });
  });

  it('reports per-replica and per-group counters with utilization = busy / span', () => {
    expect(s.devices.map((d) => [d.name, d.utilization])).toEqual([['gpu/0', 0.5], ['gpu/1', 0.1], ['cpu/0', 0.421053]]);
    expect(s.devices[0]).toEqual({
      name: 'gpu/0', group: 'gpu', kind: 'continuous-batching', utilization: 0.5, busyS: 4.75, finished: 3, iterations: 17,
      preemptions: 2, energyJ: 35, peakKvTokens: 300, kvCapacityTokens: 1000, clampedCount: 0,
    });
    expect(s.devices[2].clampedCount).toBe(3);
    expect(s.groups).toEqual([
      { group: 'gpu', kind: 'continuous-batching', replicas: 2, utilization: 0.3, finished: 3, energyJ: 40 },
      { group: 'cpu', kind: 'slots', replicas: 1, utilization: 0.421053, finished: 1, energyJ: 20 },
    ]);
  });

  it('records the simulation counters', () => {
    expect(s.sim).toEqual({ events: 42, endS: 9.5, warnings: ['profile value clamped 3 times'] });
  });

  it('has a fixed key order and gives byte-identical JSON for equal inputs', () => {
    expect(Object.keys(s)).toEqual(['name', 'requests', 'latency', 'window', 'throughput', 'goodput', 'deadlines', 'prefixCache', 'energy', 'devices', 'deviceExtraMeans', 'groups', 'models', 'accuracy', 'sim']);
    const again = summarize(result(), { slo: { tpotS: 0.6, ttftS: 1 }, name: 'hand' }); // SLO keys in another order
    expect(JSON.stringify(again, null, 2)).toBe(JSON.stringify(s, null, 2));
  });
});

describe('summarize edge cases', () => {
  it('on a non-streaming device, a TTFT objective is judged on e2e and a TPOT objective does not apply', () => {
    const r = buildResult([{ req: { arrivalS: 0, promptTokens: 1, outputTokens: 9 }, startS: 0, finishS: 6, device: 0 }], [device({ name: 'cpu/0', kind: 'slots' })]);
    expect(summarize(r).latency.ttftS.count).toBe(0);
    expect(summarize(r).latency.ttftS.mean).toBeNull();
    expect(summarize(r, { slo: { ttftS: 5 } }).goodput.requests).toBe(0);
    expect(summarize(r, { slo: { ttftS: 6 } }).goodput.requests).toBe(1);
    expect(summarize(r, { slo: { tpotS: 0.001 } }).goodput.requests).toBe(1);
  });

  it('forgives floating-point rounding at a deadline: (0.1 + 0.2) - 0.1 > 0.2 in binary', () => {
    expect(0.1 + 0.2 - 0.1 > 0.2).toBe(true);
    const r = buildResult([{ req: { arrivalS: 0.1, promptTokens: 1, outputTokens: 1, deadlineS: 0.2 }, startS: 0.1, firstTokenS: 0.1 + 0.2, finishS: 0.1 + 0.2, device: 0 }], [device({ name: 'gpu/0' })]);
    expect(summarize(r).deadlines).toEqual({ withDeadline: 1, met: 1, missed: 0, missRatio: 0 });
  });

  it('reports nulls (not zeros or NaN) when nothing finished', () => {
    const r = buildResult([{ req: { arrivalS: 0, promptTokens: 1, outputTokens: 1 }, rejected: 'no device serves model x' }], [device({ name: 'gpu/0' })]);
    const s = summarize(r);
    expect(s.throughput).toEqual({ spanS: null, requestsPerS: null, outputTokensPerS: null, promptTokensPerS: null });
    expect(s.energy.perFinishedRequestJ).toBeNull();
    expect(s.devices[0].utilization).toBeNull();
    expect(s.goodput.fraction).toBe(0);
    expect(JSON.stringify(s)).not.toMatch(/NaN/);
  });

  it('counts requests still in flight at the end as pending, outside latency', () => {
    const r = buildResult([{ req: { arrivalS: 0, promptTokens: 1, outputTokens: 4 }, startS: 1, firstTokenS: 2, device: 0 }], [device({ name: 'gpu/0' })]);
    const s = summarize(r);
    expect(s.requests.pending).toBe(1);
    expect(s.latency.queueingDelayS.count).toBe(0);
  });

  it('rejects a non-positive SLO with an InputError naming the field', () => {
    expect(() => summarize(result(), { slo: { tpotS: -1 } })).toThrow(InputError);
    expect(() => summarize(result(), { slo: { tpotS: -1 } })).toThrow('slo.tpotS: expected a positive number of seconds, found -1');
  });
});

describe('summarize: kind-specific device figures', () => {
  it('reports each replica extra as is (rounded) and averages each figure over the replicas that have it', () => {
    const result = buildResult([], [
      device({ name: 'a/0', extra: { meanBatchSize: 1 } }),
      device({ name: 'a/1', extra: { meanBatchSize: 3, maxPeakMemoryBytes: 2.0000004 } }),
      device({ name: 'b/0' }),
    ]);
    const s = summarize(result);
    expect(s.devices[0]!.extra).toEqual({ meanBatchSize: 1 });
    expect(s.devices[1]!.extra).toEqual({ meanBatchSize: 3, maxPeakMemoryBytes: 2 });
    expect(s.devices[2]!.extra).toBeUndefined();
    expect(s.deviceExtraMeans).toEqual({ meanBatchSize: 2, maxPeakMemoryBytes: 2 });
  });
});
