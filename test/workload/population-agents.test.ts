/**
 * Closed-loop populations (`sessions.history: false`) and agent sessions (`sessions.tool`):
 * hand-computed prompts, arrival times and cache hits.
 */
import { describe, expect, it } from 'vitest';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { simulate } from '../../src/simulation/simulate.js';
import { buildWorkload, workloadSchema } from '../../src/workload/index.js';
import { cbGroup, slotsGroup, testIterationModel, tokenTimeCost } from '../support/models.js';

const build = (sessions: Record<string, unknown>) => buildWorkload(workloadSchema.parse({ sessions }), { baseDir: '.', seed: 1 });
const fixed = (tokens: number) => ({ dist: 'fixed', tokens });

describe('closed-loop population: N users, each sending its next request a think time after its previous answer', () => {
  // Two users (deterministic starts at 1 s and 2 s), 3 requests each, 20-token system prompt +
  // 10-token message, 2 output tokens, think 1 s. One one-slot replica, 1 s per output token (2 s).
  const requests = build({
    count: 2,
    arrival: { process: 'deterministic', rateRps: 1 },
    turns: fixed(3),
    userTokens: fixed(10),
    outputTokens: fixed(2),
    thinkS: { dist: 'fixed', valueS: 1 },
    systemTokens: 20,
    history: false,
  });

  it('every request is the system prompt and its own message: 30 tokens, no history', () => {
    expect(requests.map((r) => r.promptTokens)).toEqual([30, 30, 30, 30, 30, 30]);
    expect(requests.map((r) => r.prefix!.map((s) => s.tokens))).toEqual(Array(6).fill([20, 10]));
    expect(requests.every((r) => r.outputId === undefined)).toBe(true);
    expect(requests.map((r) => r.followUp?.after ?? -1)).toEqual([-1, 0, 1, -1, 3, 4]);
  });

  it('hand-traced on one server: A 1-3, B 3-5, A 5-7, B 7-9, A 9-11, B 11-13', () => {
    // A1 runs 1-3. B1 (at 2) waits, runs 3-5. A2 is sent at 3 + 1 = 4, waits, runs 5-7. B2 at 6, runs
    // 7-9. A3 at 8, runs 9-11. B3 at 10, runs 11-13. Throughput 6 / 12 s: the server never idles.
    const r = simulate({ requests, cluster: [slotsGroup(tokenTimeCost(1), 1)], policy: fifoPolicy, policyParams: { routing: 'round-robin' }, seed: 1 });
    expect(Array.from(r.records.finishS)).toEqual([3, 7, 11, 5, 9, 13]);
    expect(r.requests.map((q) => q.arrivalS)).toEqual([1, 4, 8, 2, 6, 10]);
  });

  it('with a slot per user nobody waits: the interactive response time law, X = N / (R + Z)', () => {
    // Each user cycles every R + Z = 2 + 1 = 3 s: A finishes at 3, 6, 9; B at 4, 7, 10.
    const r = simulate({ requests, cluster: [slotsGroup(tokenTimeCost(1), 2)], policy: fifoPolicy, policyParams: { routing: 'round-robin' }, seed: 1 });
    expect(Array.from(r.records.finishS)).toEqual([3, 6, 9, 4, 7, 10]);
  });
});

describe('agent sessions: each call sends the conversation so far plus the last tool result', () => {
  // One agent: system 100, task 50, 3 calls of 20 output tokens; tools take 3 s and return 30 tokens.
  const requests = build({
    count: 1,
    arrival: { process: 'deterministic', rateRps: 1 },
    turns: fixed(3),
    userTokens: fixed(50),
    outputTokens: fixed(20),
    tool: { durationS: { dist: 'fixed', valueS: 3 }, resultTokens: fixed(30) },
    systemTokens: 100,
  });

  it('prompts grow by the previous output and a tool result: 150, 200, 250', () => {
    expect(requests.map((r) => r.promptTokens)).toEqual([150, 200, 250]);
    expect(requests[2]!.prefix!.map((s) => s.tokens)).toEqual([100, 50, 20, 30, 20, 30]);
    // The answers are named (cacheable) and sent back under the same ids.
    expect(requests[2]!.prefix![2]!.id).toBe(requests[0]!.outputId);
    expect(requests[2]!.prefix![4]!.id).toBe(requests[1]!.outputId);
    expect(requests.map((r) => r.followUp?.thinkS ?? -1)).toEqual([-1, 3, 3]);
  });

  it('hand-traced: calls at 1, 24, 47 (20 s each, 3 s tools between), each reusing the previous call from the prefix cache', () => {
    const slots = simulate({ requests, cluster: [slotsGroup(tokenTimeCost(1), 1)], policy: fifoPolicy, policyParams: {}, seed: 1 });
    expect(Array.from(slots.records.finishS)).toEqual([21, 44, 67]);
    // Batching replica, blocks of 16: call 1 computes 150 + 19 tokens (the last output token is never
    // fed back): 10 full named blocks; call 2 reuses 160 of its 200. Call 2 computes 200 + 19 = 219:
    // 13 blocks, all named (sys, task, out1, tool1, out2 are all named): call 3 reuses 208 of 250.
    const model = testIterationModel({ prefill: [0.01, 0.001], decode: [0.01, 0, 0], kvTokens: 100_000 });
    const cb = simulate({ requests, cluster: [cbGroup(model, { scheduler: 'vllm-v1', blockSize: 16 })], policy: fifoPolicy, policyParams: {}, seed: 1 });
    expect(Array.from(cb.records.cachedTokens)).toEqual([0, 160, 208]);
  });

  it('thinkS and tool are exclusive; tool needs history', () => {
    const base = { count: 1, arrival: { process: 'deterministic', rateRps: 1 }, turns: fixed(2), userTokens: fixed(5), outputTokens: fixed(5) };
    const tool = { durationS: { dist: 'fixed', valueS: 1 }, resultTokens: fixed(5) };
    expect(workloadSchema.safeParse({ sessions: base }).success).toBe(false);
    expect(workloadSchema.safeParse({ sessions: { ...base, thinkS: { dist: 'fixed', valueS: 1 }, tool } }).success).toBe(false);
    expect(workloadSchema.safeParse({ sessions: { ...base, tool, history: false } }).success).toBe(false);
    expect(workloadSchema.safeParse({ sessions: { ...base, tool } }).success).toBe(true);
  });
});
