import { describe, expect, it } from 'vitest';
import { costEstimator, iterationEstimator } from '../../src/devices/estimate.js';
import { createStaticBatchingDevice, staticBatchingDeviceSchema } from '../../src/devices/static-batching.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { uncertaintyPriorityPolicy } from '../../src/policies/uncertainty-priority.js';
import type { RequestCostModel } from '../../src/profiles/model.js';
import { simulate, type PreparedDeviceGroup } from '../../src/simulation/simulate.js';
import type { Request } from '../../src/workload/request.js';
import { slotsGroup, testIterationModel } from '../support/models.js';
import { request } from './views.js';

/** One single-slot replica: service = 0.01 s per prompt token + 1 s per output token, and that as its estimate. */
function slot(): PreparedDeviceGroup {
  const cost: RequestCostModel = { serviceS: (p, o) => 0.01 * p + o, energyJ: () => 0, clamped: () => false, idlePowerW: 0 };
  return { ...slotsGroup(cost, 1), estimate: costEstimator(cost) };
}

function run(requests: Request[], params: Record<string, unknown>, group = slot()) {
  const policyParams = uncertaintyPriorityPolicy.params.parse(params);
  return simulate({ requests, cluster: [group], policy: uncertaintyPriorityPolicy, policyParams, seed: 1 });
}

const QUIET = { consolidate: false, offload: false, overheadS: 0 };

describe('uncertainty-priority in the simulator', () => {
  it('charges the predictor overhead on one FCFS scheduler before routing', () => {
    // Three arrivals at t = 0 leave the scheduler at 0.5, 1.0 and 1.5 s; one at t = 10 at 10.5 s.
    // Service 0.01 + 1 = 1.01 s each on one slot.
    const requests = [request(0, 0, 1, 1), request(1, 0, 1, 1), request(2, 0, 1, 1), request(3, 10, 1, 1)];
    const res = run(requests, { ...QUIET, prioritize: false, overheadS: 0.5 });
    expect(res.records.startS[0]).toBeCloseTo(0.5, 12);
    expect(res.records.finishS[0]).toBeCloseTo(1.51, 12);
    expect(res.records.startS[1]).toBeCloseTo(1.51, 12);
    expect(res.records.startS[2]).toBeCloseTo(2.52, 12);
    expect(res.records.startS[3]).toBeCloseTo(10.5, 12);
    // No overhead, no delay (and FIFO is unchanged by the scheduler code path).
    const fifo = simulate({ requests, cluster: [slot()], policy: fifoPolicy, policyParams: fifoPolicy.params.parse({}), seed: 1 });
    expect(fifo.records.startS[0]).toBe(0);
    expect(fifo.records.startS[3]).toBe(10);
  });

  it('serves the smallest predicted service first (hand-computed)', () => {
    // Before any completion every prediction is the prior (10 tokens), so the key is
    // 0.01 * prompt + 10: request 3 (10.5) before 2 (12) before 1 (13). Request 0 starts at once.
    const requests = [request(0, 0, 100, 2), request(1, 0, 300, 1), request(2, 0, 200, 3), request(3, 0, 50, 1)];
    const res = run(requests, { ...QUIET, predictor: { priorOutputTokens: 10 } });
    // Service: 3 s, 4 s, 5 s, 1.5 s. Order 0, 3, 2, 1: finishes 3, 4.5, 9.5, 13.5.
    expect(Array.from(res.records.finishS)).toEqual([3, 13.5, 9.5, 4.5]);
    // Least slack: deadlines 100, 20, 60 s: slack keys 100 - 13, 20 - 12, 60 - 10.5 -> order 2, 3, 1.
    const due = requests.map((r, i) => ({ ...r, deadlineS: [50, 100, 20, 60][i] }));
    const slack = run(due, { ...QUIET, order: 'least-slack', predictor: { priorOutputTokens: 10 } });
    expect(Array.from(slack.records.finishS)).toEqual([3, 13.5, 8, 9.5]);
  });

  it('never starves a long request under sustained overload of short ones when aging is on', () => {
    // Short requests (1.01 s each) arrive every 0.5 s for 1,000 s: twice what the slot can serve.
    // A long request (10 + 1 = 11 s predicted) arrives at 0.25 s. Key = predicted + w * arrival,
    // predicted = 1 token for all (prior 1, then learned). Shorts arriving after (11.025 - 1.01) / w
    // = 100 s have larger keys than the long one, so with w = 0.1 it waits for at most the ~200
    // shorts that arrived before, about 200 s: it finishes while the overload goes on. With w = 0
    // it waits until every short is done, long after the last arrival.
    const requests: Request[] = [];
    for (let i = 0; i < 2000; i++) requests.push(request(requests.length, i * 0.5, 1, 1));
    const longAt = 1; // position of the long request: arrival 0.25 s, between the first two shorts
    requests.splice(longAt, 0, request(0, 0.25, 1000, 1));
    requests.forEach((r, i) => (requests[i] = { ...r, id: i }));
    const aged = run(requests, { ...QUIET, agingWeight: 0.1, predictor: { priorOutputTokens: 1 } });
    const lastArrivalS = requests[requests.length - 1]!.arrivalS;
    expect(aged.records.finishS[longAt]).toBeLessThan(0.25 + 100 + 200 * 1.01 + 11 + 2);
    expect(aged.records.finishS[longAt]).toBeLessThan(lastArrivalS);
    expect(aged.records.status.every((s) => s === 1)).toBe(true); // every request finished
    const starved = run(requests, { ...QUIET, agingWeight: 0, predictor: { priorOutputTokens: 1 } });
    expect(starved.records.finishS[longAt]).toBeGreaterThan(lastArrivalS);
  });

  it('consolidates static batches by predicted length (hand-computed)', () => {
    // Two warm-up requests teach the predictor output = 1 + 8u (exact fit after 2 samples).
    // At t = 99.5 one arrives (u = 1) and starts alone; at t = 100 three more arrive: u = 0, 1, 0
    // (outputs 1, 9, 1), while it runs. The
    // next batch of two is the head (u = 0) and the other u = 0 request when consolidating, or the
    // head and the next in queue (u = 1) when not.
    const model = testIterationModel({ prefill: [0.1, 0.01], decode: [0.05, 0.01, 0.001], kvTokens: 100000 });
    const parsed = staticBatchingDeviceSchema.parse({ name: 'gpu', kind: 'static-batching', profile: 'test', maxBatchSize: 2 });
    const group: PreparedDeviceGroup = { name: 'gpu', kind: 'static-batching', model: 'm', replicas: 1, estimate: iterationEstimator(model), create: (ctx, id) => createStaticBatchingDevice(parsed, model, ctx, id) };
    const requests = [
      request(0, 0, 10, 1, { uncertainty: 0 }), request(1, 10, 10, 9, { uncertainty: 1 }),
      request(2, 99.5, 10, 9, { uncertainty: 1 }), request(3, 100, 10, 1, { uncertainty: 0 }), request(4, 100, 10, 9, { uncertainty: 1 }), request(5, 100, 10, 1, { uncertainty: 0 }),
    ];
    const params = { ...QUIET, prioritize: false, predictor: { minSamples: 2, refitEvery: 1, usePrompt: false } };
    const batchS = (b: number, P: number, O: number) => {
      let t = 0.1 + 0.01 * b * P;
      for (let i = 0; i < O - 1; i++) t += 0.05 + 0.01 * b + 0.001 * (b * (P + 1) + b * i);
      return t;
    };
    const t0 = 99.5 + batchS(1, 10, 9);
    expect(t0).toBeGreaterThan(100); // the other three are queued when the first batch ends
    const cons = run(requests, { ...params, consolidate: true }, group);
    expect(cons.records.finishS[3]).toBeCloseTo(t0 + batchS(2, 10, 1), 9); // {3, 5}: one token each
    expect(cons.records.finishS[5]).toBeCloseTo(t0 + batchS(2, 10, 1), 9);
    expect(cons.records.finishS[4]).toBeCloseTo(t0 + batchS(2, 10, 1) + batchS(1, 10, 9), 9);
    const plain = run(requests, { ...params, consolidate: false }, group);
    expect(plain.records.finishS[3]).toBeCloseTo(t0 + batchS(2, 10, 9), 9); // {3, 4}: padded to 9 tokens
    expect(plain.records.finishS[5]).toBeCloseTo(t0 + batchS(2, 10, 9) + batchS(1, 10, 1), 9);
  });
});
