import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulation/simulate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { STATUS_FINISHED, STATUS_TIMED_OUT } from '../../src/metrics/records.js';
import { summarize } from '../../src/metrics/summary.js';
import type { Request } from '../../src/workload/request.js';
import { cbGroup, req, testIterationModel } from '../support/models.js';

// A pass costs 0.1 + 0.001 per prompt token (0.05 when it only decodes); nothing per context token.
const model = testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0, 0], kvTokens: 100_000 });
const run = (requests: Request[], spec: Record<string, unknown> = {}) =>
  simulate({ requests, cluster: [cbGroup(model, { scheduler: 'vllm-v1', ...spec })], policy: fifoPolicy, policyParams: { routing: 'round-robin' }, seed: 1 });

describe('client timeouts', () => {
  it('a waiting request leaves the queue at its timeout; a running one leaves at the next step boundary, counted as timed out then', () => {
    // maxBatchSize 2. A (100, 50 out) at 0; B (100, 50 out, timeout 0.52) at 0.1; C (100, 5 out, timeout 1) at 0.15.
    // t=0: A's prompt -> 0.2. t=0.2: A decodes + B's prompt: 0.1 + 0.1 -> 0.4 (B's first token). From 0.4
    // both decode, 0.05 s a step. C waits (batch full). B's client gives up at 0.62; the run is cut at
    // 0.65, where B leaves and C, still waiting, joins: C's prompt + A's decode: 0.2 -> 0.85. C's client gave
    // up at 1.15: C has 4 steps left -> its last token at 1.05: finished. A: 50 tokens -> 2 + 48 steps...
    const requests: Request[] = [req(0, 0, 100, 50), { ...req(1, 0.1, 100, 50), timeoutS: 0.52 }, { ...req(2, 0.15, 100, 5), timeoutS: 1 }];
    const res = run(requests, { maxBatchSize: 2 });
    const r = res.records;
    expect(r.status[1]).toBe(STATUS_TIMED_OUT);
    expect(r.timedOutS[1]).toBeCloseTo(0.62, 12);
    expect(r.firstTokenS[1]).toBeCloseTo(0.4, 12);
    expect(Number.isNaN(r.finishS[1]!)).toBe(true);
    expect(r.startS[2]).toBeCloseTo(0.65, 12);
    expect(r.firstTokenS[2]).toBeCloseTo(0.85, 12);
    expect(r.finishS[2]).toBeCloseTo(1.05, 12);
    expect(r.status[2]).toBe(STATUS_FINISHED);
    // A: first token 0.2, second 0.4, steps at 0.45 .. 0.65 (tokens 3-7), C's pass to 0.85 (8), then 42 steps.
    expect(r.finishS[0]).toBeCloseTo(0.85 + 42 * 0.05, 9);
    const s = summarize(res);
    expect(s.requests).toMatchObject({ total: 3, finished: 2, rejected: 0, timedOut: 1, timedOutFraction: 0.333333, pending: 0 });
    expect(s.latency.e2eS.count).toBe(2); // latencies are over finished requests only
  });

  it('a request timing out in the queue never starts', () => {
    const requests: Request[] = [req(0, 0, 100, 50), { ...req(1, 0.1, 100, 5), timeoutS: 1 }];
    const r = run(requests, { maxBatchSize: 1 }).records;
    expect(r.status[1]).toBe(STATUS_TIMED_OUT);
    expect(r.timedOutS[1]).toBeCloseTo(1.1, 12);
    expect(Number.isNaN(r.startS[1]!)).toBe(true);
  });
});

describe('closed-loop conversations', () => {
  it('sends turn 2 a think time after turn 1 ends, and finds turn 1 (prompt and answer) in the prefix cache', () => {
    // Turn 1: a 96-token message (u1), 32-token answer (a1). Prefill 0.196 s, 31 steps -> ends 1.746.
    // Its 6 prompt blocks and the answer's first block (96 + 31 computed tokens: block 7 never fills) stay cached.
    const turn1: Request = { ...req(0, 0, 96, 32), prefix: [{ id: 1, tokens: 96 }], outputId: 2 };
    // Turn 2 = u1 + a1 + u2 (64): sent 1 s after turn 1 ends; hits 7 blocks = 112 tokens, prefills 80: 0.18 s.
    const turn2: Request = { ...req(1, NaN, 192, 4), prefix: [{ id: 1, tokens: 96 }, { id: 2, tokens: 32 }, { id: 3, tokens: 64 }], followUp: { after: 0, thinkS: 1 } };
    const res = run([turn1, turn2]);
    expect(res.records.finishS[0]).toBeCloseTo(1.746, 12);
    expect(res.requests[1]!.arrivalS).toBeCloseTo(2.746, 12);
    expect(res.records.cachedTokens[1]).toBe(112);
    expect(res.records.firstTokenS[1]).toBeCloseTo(2.926, 12);
    expect(summarize(res).latency.ttftS.max).toBeCloseTo(0.196, 9); // turn 2's TTFT is 0.18, from its own arrival
  });

  it('sends the next turn even when the previous one timed out', () => {
    const turn1: Request = { ...req(0, 0, 96, 100), timeoutS: 0.3 };
    const turn2: Request = { ...req(1, NaN, 50, 2), followUp: { after: 0, thinkS: 0.5 } };
    const res = run([turn1, turn2]);
    // Turn 1: first token 0.196, the client gives up at 0.3 (the replica drops it at its boundary 0.346);
    // the client sends turn 2 a think time after giving up: 0.8.
    expect(res.records.status[0]).toBe(STATUS_TIMED_OUT);
    expect(res.records.status[1]).toBe(STATUS_FINISHED);
    expect(res.requests[1]!.arrivalS).toBeCloseTo(0.8, 12);
  });
});

describe('past saturation with timeouts (scenarios/timeouts-overload.yaml)', () => {
  it('the run ends with every request settled, and the share of time-outs grows with the load', async () => {
    const { fileURLToPath } = await import('node:url');
    const { loadScenario } = await import('../../src/scenario/load.js');
    const { runScenario } = await import('../../src/scenario/run.js');
    const loaded = loadScenario(fileURLToPath(new URL('../../scenarios/timeouts-overload.yaml', import.meta.url)));
    const at = (rateRps: number) => {
      const w = loaded.scenario.workload;
      const scenario = { ...loaded.scenario, workload: { ...w, synthetic: { ...w.synthetic!, durationS: 120, arrival: { process: 'poisson' as const, rateRps } } } };
      return runScenario({ ...loaded, scenario }).summary.requests;
    };
    const fractions = [1, 4, 16].map((rate) => {
      const r = at(rate);
      expect(r.finished + r.rejected + r.timedOut).toBe(r.total);
      return r.timedOutFraction!;
    });
    expect(fractions[0]!).toBeLessThan(fractions[1]!);
    expect(fractions[1]!).toBeLessThan(fractions[2]!);
    expect(fractions[2]!).toBeGreaterThan(0.5);
  });
});
