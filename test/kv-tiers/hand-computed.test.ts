import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulation/simulate.js';
import { summarize } from '../../src/metrics/summary.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { STATUS_FINISHED } from '../../src/metrics/records.js';
import type { Request } from '../../src/workload/request.js';
import { cbGroup, req, testIterationModel } from '../support/models.js';

const EXACT = 12; // decimal places: the float sums below, to 1e-12

describe('swap preemption (kvTiers.preemptionMode: swap), hand-computed', () => {
  // KV 12 tokens in blocks of 1; a pass with a prompt chunk costs 0.1 + 0.01 x chunk tokens, a
  // decode step 0.05 flat (test/devices/scheduler-modes.test.ts's preemption case).
  // CPU tier: 1 MB of KV per token, PCIe 1 GB/s, 2 ms latency: moving b blocks takes 0.002 + 0.001 b s.
  const tight = testIterationModel({ prefill: [0.1, 0.01], decode: [0.05, 0, 0], kvTokens: 12 });
  const tiers = (over: Record<string, unknown> = {}) => ({ cpu: { capacityGiB: 1, pcieGBps: 1, latencyS: 0.002 }, kvBytesPerToken: 1e6, ...over });
  const run = (kvTiers?: Record<string, unknown>) =>
    simulate({
      requests: [req(0, 0, 4, 6), req(1, 0, 4, 6)],
      cluster: [cbGroup(tight, { scheduler: 'vllm-v1', blockSize: 1, ...(kvTiers && { kvTiers }) })],
      policy: fifoPolicy,
      policyParams: { routing: 'round-robin' },
      seed: 1,
    });

  it('swaps B out and back in: A and B end at the hand-computed times, and B computes nothing twice', () => {
    const res = run(tiers());
    const r = res.records;
    // t=0: both prompts in one pass: 0.1 + 0.08 -> 0.18 (first tokens; KV 8). Two decode steps fill
    // the cache (2 x 6 = 12) -> 0.28. t=0.28: A's next token needs a block: B, the newest, is
    // preempted with 6 tokens computed (3 generated) and swapped out: 6 blocks = 6 MB -> 0.002 +
    // 0.006 = 0.008 s, copied before the pass (vLLM v0: synchronous in the step), so A's decode
    // ends at 0.28 + 0.008 + 0.05 = 0.338.
    // t=0.338: B needs its 6 blocks + 1 = 7, 12 - 8 (A: 7 + 1) = 4 free: it waits; A decodes its
    // last 2 tokens -> 0.438 (finished).
    // t=0.438: B swaps in (6 blocks: 0.008 s) and decodes at once (no recompute): 0.438 + 0.008 +
    // 0.05 = 0.496 (its 4th token), then 2 steps -> 0.596.
    const aEnd = 0.28 + 0.008 + 0.05 + 2 * 0.05;
    const bEnd = aEnd + 0.008 + 0.05 + 2 * 0.05;
    expect(r.status[0]).toBe(STATUS_FINISHED);
    expect(r.status[1]).toBe(STATUS_FINISHED);
    expect(r.firstTokenS[1]).toBeCloseTo(0.18, EXACT);
    expect(r.finishS[0]).toBeCloseTo(aEnd, EXACT);
    expect(r.finishS[1]).toBeCloseTo(bEnd, EXACT);
    expect(bEnd).toBeCloseTo(0.596, EXACT);
    expect(Array.from(r.preemptions)).toEqual([0, 1]);
    const s = summarize(res).kvTiers!;
    expect(s).toMatchObject({ replicas: 1, swapOuts: 1, swapIns: 1, swapOutBytes: 6e6, swapInBytes: 6e6, swapFallbacks: 0, swapDiscards: 0 });
    expect(s.transferS).toBeCloseTo(0.016, EXACT);
    // Peak CPU use: 6 blocks of floor(2^30 / 1e6) = 1073.
    expect(s.cpuPeakUtilization).toBeCloseTo(6 / 1073, 6);
  });

  it('recompute (the mode, or a CPU tier too small to hold B) gives the recompute times instead', () => {
    // t=0.28: B is preempted (recompute) at no cost; A decodes its last 3 -> 0.43. t=0.43: B
    // recomputes 4 + 3 tokens: 0.1 + 0.07 -> 0.60 (its 4th token), 2 steps -> 0.70.
    for (const kvTiers of [tiers({ preemptionMode: 'recompute' }), tiers({ cpu: { capacityGiB: 4e6 / 2 ** 30, pcieGBps: 1, latencyS: 0.002 } }), undefined]) {
      const res = run(kvTiers);
      expect(res.records.finishS[0]).toBeCloseTo(0.43, EXACT);
      expect(res.records.finishS[1]).toBeCloseTo(0.7, EXACT);
      expect(Array.from(res.records.preemptions)).toEqual([0, 1]);
    }
    // The 4-block tier cannot hold B's 6 blocks: one fallback, said so in the summary.
    const small = summarize(run(tiers({ cpu: { capacityGiB: 4e6 / 2 ** 30, pcieGBps: 1, latencyS: 0.002 } }))).kvTiers!;
    expect(small).toMatchObject({ swapOuts: 0, swapIns: 0, swapFallbacks: 1, transferS: 0 });
    expect(summarize(run(tiers({ preemptionMode: 'recompute' }))).kvTiers).toMatchObject({ swapOuts: 0, swapFallbacks: 0 });
    expect(summarize(run()).kvTiers).toBeUndefined();
  });
});

describe('prefix offload (kvTiers.prefixOffload), hand-computed', () => {
  // Prefill 0.1 + 0.001 per computed token, nothing per cached token; blocks of 16 tokens; a GPU
  // cache of 6 blocks. CPU tier: 125 kB per token (2 MB per block), 3 GB/s, 1 ms latency.
  const model = testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0, 0], kvTokens: 6 * 16 });
  const withPrefix = (id: number, arrivalS: number, seg: number): Request => ({ id, arrivalS, promptTokens: 80, outputTokens: 1, prefix: [{ id: seg, tokens: 64 }] });
  const run = (prefixOffload: boolean) =>
    simulate({
      // A (prefix a) at 0, B (prefix b) at 10, C (prefix a again) at 20: one at a time.
      requests: [withPrefix(0, 0, 1), withPrefix(1, 10, 2), withPrefix(2, 20, 1)],
      cluster: [cbGroup(model, { scheduler: 'vllm-v1', kvTiers: { cpu: { capacityGiB: 1, pcieGBps: 3, latencyS: 0.001 }, kvBytesPerToken: 125_000, prefixOffload } })],
      policy: fifoPolicy,
      policyParams: { routing: 'round-robin' },
      seed: 1,
    });

  it('C reloads the prefix blocks B evicted from the CPU tier instead of recomputing them', () => {
    // A: 80 tokens, 4 named blocks a1-a4; freed tail first, so the GPU LRU is a4, a3, a2, a1.
    // B (t=10): 5 blocks, no hit; 5 + 4 cached > 6: evicts a4, a3, a2 (offloaded to the CPU tier).
    // Its blocks b1-b4 are named; the LRU is a1, b4, b3, b2, b1.
    // C (t=20): a1 is on the GPU (16 tokens), a2-a4 in the CPU tier (48 tokens): 64 cached.
    // Reload 3 blocks = 6 MB: 0.001 + 6e6 / 3e9 = 0.003 s, stalling C's pass; C prefills its own
    // 16 tokens: 0.1 + 0.016 = 0.116. First token at 20 + 0.003 + 0.116 = 20.119.
    const res = run(true);
    const r = res.records;
    expect(Array.from(r.cachedTokens)).toEqual([0, 0, 64]);
    expect(r.firstTokenS[2]).toBeCloseTo(20 + 0.003 + 0.116, EXACT);
    const s = summarize(res);
    // Room for C's 3 reloaded blocks and its own: b4, b3 evicted on reload, b2 for its own block.
    expect(s.prefixCache.evictions).toBe(6);
    expect(s.kvTiers).toMatchObject({
      prefixHits: { gpu: { tokens: 16, requests: 1 }, cpu: { tokens: 48, requests: 1 } },
      offloadedBlocks: 6,
      reloadedBlocks: 3,
      reloadBytes: 6e6,
      cpuEvictions: 0,
      swapOuts: 0,
    });
    expect(s.kvTiers!.transferS).toBeCloseTo(0.003, EXACT);
  });

  it('without offload C finds only a1 and recomputes 64 tokens', () => {
    // 0.1 + 0.064 = 0.164 -> 20.164.
    const res = run(false);
    expect(Array.from(res.records.cachedTokens)).toEqual([0, 0, 16]);
    expect(res.records.firstTokenS[2]).toBeCloseTo(20.164, EXACT);
    expect(summarize(res).kvTiers).toMatchObject({ prefixHits: { gpu: { tokens: 16, requests: 1 }, cpu: { tokens: 0, requests: 0 } }, offloadedBlocks: 0 });
  });
});
