import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulation/simulate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { STATUS_FINISHED, STATUS_REJECTED } from '../../src/metrics/records.js';
import type { Request } from '../../src/workload/request.js';
import { cbGroup, req, testIterationModel } from '../support/models.js';

/**
 * Hand-computed cases of each scheduler mode. The test model prices one pass as
 *   max(0.1 if any prompt chunk, 0.05 if any decode) + 0.001 x chunk tokens + 0.01 x decodes
 *   + 0.0001 x (decode context + tokens the chunks find cached),
 * so a prompt alone costs 0.1 + 0.001 x tokens and a decode step 0.06 + 0.0001 x context.
 * Power 100 + 10 W per sequence in the pass.
 */
const model = testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0.01, 0.0001], busyW: [100, 10], kvTokens: 100_000 });
const run = (requests: Request[], spec: Record<string, unknown>, m = model) =>
  simulate({ requests, cluster: [cbGroup(m, spec)], policy: fifoPolicy, policyParams: { routing: 'round-robin' }, seed: 1 }).records;
const US = 6; // decimal places: exact to the microsecond and far beyond

describe('vllm-v1: chunked prefill under one token budget', () => {
  it('chunks a prompt longer than the budget over 3 iterations; TTFT is the end of the last chunk', () => {
    const r = run([req(0, 0, 250, 2)], { scheduler: 'vllm-v1', maxBatchedTokens: 100 });
    // t=0: chunk 100 (nothing cached): 0.1 + 0.1 = 0.2.  t=0.2: chunk 100 after 100 cached:
    // 0.1 + 0.1 + 0.01 = 0.21 -> 0.41.  t=0.41: chunk 50 after 200: 0.1 + 0.05 + 0.02 = 0.17 -> 0.58:
    // first token.  Then one decode at context 251: 0.06 + 0.0251 -> 0.6651.
    expect(r.status[0]).toBe(STATUS_FINISHED);
    expect(r.firstTokenS[0]).toBeCloseTo(0.58, US);
    expect(r.finishS[0]).toBeCloseTo(0.6651, US);
    // Every pass holds one sequence: 110 W for the whole 0.6651 s.
    expect(r.energyJ[0]).toBeCloseTo(110 * 0.6651, 9);
  });

  it('spends the budget on running decodes first, then on a new prompt, in one pass', () => {
    // A (50 tokens, 10 out) at 0; B (200 tokens, 1 out) arrives at 0.1, during A's prefill.
    const r = run([req(0, 0, 50, 10), req(1, 0.1, 200, 1)], { scheduler: 'vllm-v1', maxBatchedTokens: 100 });
    // t=0: A's prompt: 0.15.  t=0.15: A decodes (context 51), B gets the other 99 tokens:
    // 0.1 + 0.099 + 0.01 + 0.0051 = 0.2141 -> 0.3641.  t=0.3641: A (52) + B's next 99 (99 cached):
    // 0.1 + 0.099 + 0.01 + 0.0151 = 0.2241 -> 0.5882.  t=0.5882: A (53) + B's last 2 (198 cached):
    // 0.1 + 0.002 + 0.01 + 0.0251 = 0.1371 -> 0.7253: B's only token.  A: 6 more steps at
    // contexts 54..59: 0.36 + 0.0339 -> 1.1192.
    expect(r.firstTokenS[0]).toBeCloseTo(0.15, US);
    expect(r.startS[1]).toBeCloseTo(0.15, US);
    expect(r.firstTokenS[1]).toBeCloseTo(0.7253, US);
    expect(r.finishS[1]).toBeCloseTo(0.7253, US);
    expect(r.finishS[0]).toBeCloseTo(1.1192, US);
    // Energy by tokens computed: in the 0.2141 s pass (120 W) A computed 1 of 100 tokens.
    const shared = 120 * (0.2141 + 0.2241) + 120 * 0.1371;
    expect(r.energyJ[1]).toBeCloseTo(120 * 0.2141 * 0.99 + 120 * 0.2241 * 0.99 + 120 * 0.1371 * (2 / 3), 9);
    expect(r.energyJ[0] + r.energyJ[1]).toBeCloseTo(110 * 0.15 + shared + 110 * 0.3939, 9);
  });

  it('caps each chunk at longPrefillThreshold', () => {
    const r = run([req(0, 0, 100, 1)], { scheduler: 'vllm-v1', maxBatchedTokens: 100, longPrefillThreshold: 40 });
    // Chunks 40, 40, 20: 0.14; 0.1 + 0.04 + 0.004 = 0.144 -> 0.284; 0.1 + 0.02 + 0.008 = 0.128 -> 0.412.
    expect(r.firstTokenS[0]).toBeCloseTo(0.412, US);
    expect(r.finishS[0]).toBeCloseTo(0.412, US);
  });

  it('never rejects a prompt for being longer than the budget, only beyond maxModelLen', () => {
    const r = run([req(0, 0, 5000, 2), req(1, 0, 900, 100)], { scheduler: 'vllm-v1', maxBatchedTokens: 256, maxModelLen: 1024 });
    expect(r.status[0]).toBe(STATUS_REJECTED);
    expect(r.rejectReason.get(0)).toBe('prompt+output exceeds maxModelLen of gpu (1024)');
    expect(r.status[1]).toBe(STATUS_FINISHED);
  });

  it('preempts the newest sequence when the KV cache runs out and recomputes its prompt and tokens', () => {
    // KV 12 tokens in blocks of 1; a pass costs 0.1 + 0.01 x chunk tokens, a decode step 0.05 flat.
    const tight = testIterationModel({ prefill: [0.1, 0.01], decode: [0.05, 0, 0], kvTokens: 12 });
    const r = run([req(0, 0, 4, 6), req(1, 0, 4, 6)], { scheduler: 'vllm-v1', blockSize: 1 }, tight);
    // t=0: both prompts in one pass: 0.1 + 0.08 -> 0.18 (first tokens; KV 8).  Two decode steps fill
    // the cache (2 x 6 = 12) -> 0.28.  t=0.28: A's next token needs a block: B, the newest, is
    // preempted with 3 tokens; A decodes its last 3 -> 0.43.  t=0.43: B recomputes 4 + 3 tokens:
    // 0.1 + 0.07 -> 0.60 (its 4th token), 2 steps -> 0.70.
    expect(r.firstTokenS[0]).toBeCloseTo(0.18, US);
    expect(r.firstTokenS[1]).toBeCloseTo(0.18, US);
    expect(r.finishS[0]).toBeCloseTo(0.43, US);
    expect(r.finishS[1]).toBeCloseTo(0.7, US);
    expect(Array.from(r.preemptions)).toEqual([0, 1]);
  });

  it('aborts a sequence that outgrows the KV cache alone, at that moment, with a reason', () => {
    // KV 10 tokens; A (4 tokens, 20 out) fits on arrival (no server knows its true length).
    const tight = testIterationModel({ prefill: [0.1, 0.01], decode: [0.05, 0, 0], kvTokens: 10 });
    const r = run([req(0, 0, 4, 20), req(1, 1, 4, 2)], { scheduler: 'vllm-v1', blockSize: 1 }, tight);
    // 0.14: first token; 6 decode steps fill the cache (4 + 6 = 10) -> 0.44; its 8th token finds no block.
    expect(r.status[0]).toBe(STATUS_REJECTED);
    expect(r.rejectReason.get(0)).toBe('aborted: the sequence outgrew the KV cache of its replica while running alone');
    expect(r.firstTokenS[0]).toBeCloseTo(0.14, US);
    expect(r.status[1]).toBe(STATUS_FINISHED);
    // The legacy scheduler refuses it on arrival, using the true output length.
    const legacy = run([req(0, 0, 4, 20)], { scheduler: 'legacy', blockSize: 1 }, tight);
    expect(legacy.rejectReason.get(0)).toBe('prompt+output exceeds the KV capacity of a gpu replica (10 tokens)');
  });
});

describe('sarathi: stall-free batching with a fixed chunk size', () => {
  it('computes at most chunkSize tokens per pass, decodes included', () => {
    // A (50 tokens) first; B (150 tokens) arrives during A's prefill. chunkSize 64.
    const r = run([req(0, 0, 50, 4), req(1, 0.1, 150, 1)], { scheduler: 'sarathi', chunkSize: 64 });
    // t=0: A's 50: 0.15.  t=0.15: A decodes (51) + B 63: 0.1 + 0.063 + 0.01 + 0.0051 = 0.1781 -> 0.3281.
    // t=0.3281: A (52) + B 63 (63 cached): 0.1 + 0.063 + 0.01 + 0.0115 = 0.1845 -> 0.5126.
    // t=0.5126: A (53) + B 24 (126 cached): 0.1 + 0.024 + 0.01 + 0.0179 = 0.1519 -> 0.6645 (B done, A's 4th: done).
    expect(r.firstTokenS[1]).toBeCloseTo(0.6645, US);
    expect(r.finishS[0]).toBeCloseTo(0.6645, US);
  });
});

describe('prefill-first (vLLM V0): whole prompts pause the decodes', () => {
  it('runs an arriving prompt alone at the next step boundary, then decodes both', () => {
    // A (50 tokens, 5 out) at 0; B (100 tokens, 2 out) arrives at 0.2, during A's decode run.
    const r = run([req(0, 0, 50, 5), req(1, 0.2, 100, 2)], { scheduler: 'prefill-first' });
    // t=0: A's prompt 0.15.  Decode steps at 51, ... -> the first boundary after 0.2 is 0.2151.
    // t=0.2151: B's prompt alone (A paused): 0.2 -> 0.4151.  t=0.4151: both decode, context 52 + 101:
    // 0.05 + 0.02 + 0.0153 -> 0.5004 (B done).  A: 2 steps at 53, 54 -> 0.6311.
    expect(r.startS[1]).toBeCloseTo(0.2151, US);
    expect(r.firstTokenS[1]).toBeCloseTo(0.4151, US);
    expect(r.finishS[1]).toBeCloseTo(0.5004, US);
    expect(r.finishS[0]).toBeCloseTo(0.6311, US);
  });

  it('refuses a prompt longer than the budget (V0 never chunks)', () => {
    const r = run([req(0, 0, 300, 2)], { scheduler: 'prefill-first', maxBatchedTokens: 256 });
    expect(r.rejectReason.get(0)).toBe('prompt exceeds maxBatchedTokens of gpu (256); prefill-first does not chunk');
  });
});
