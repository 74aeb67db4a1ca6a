import { describe, expect, it } from 'vitest';
import { namedBlockKeys } from '../../src/devices/kit/block-keys.js';
import { CACHE_ROOT, PrefixCache } from '../../src/devices/kit/prefix-cache.js';
import type { Request } from '../../src/workload/request.js';
import { simulate } from '../../src/simulation/simulate.js';
import { fifoPolicy } from '../../src/policies/fifo.js';
import { summarize } from '../../src/metrics/summary.js';
import { cbGroup, testIterationModel } from '../support/models.js';

const round6 = (x: number) => Number(x.toPrecision(6));

const K = 2 ** 21;
const request = (promptTokens: number, prefix?: Request['prefix'], extra: Partial<Request> = {}): Request => ({ id: 0, arrivalS: 0, promptTokens, outputTokens: 10, prefix, ...extra });

describe('namedBlockKeys: a block is named only when every token in it is', () => {
  it('numbers blocks inside one segment by id and offset, strings across segments, stops at unnamed tokens', () => {
    // Segments 7 (40 tokens) and 9 (30 tokens), prompt 100, blocks of 16: blocks [0,16) [16,32) in 7;
    // [32,48) spans 7:32+8 and 9:0+8; [48,64) in 9 at offset 8; [64,80) holds 6 named + 10 unnamed: stop.
    expect(namedBlockKeys(request(100, [{ id: 7, tokens: 40 }, { id: 9, tokens: 30 }]), 16)).toEqual([7 * K, 7 * K + 16, '7:32+8;9:0+8;', 9 * K + 8]);
  });

  it('names the output only after a fully named prompt', () => {
    const r = request(32, [{ id: 1, tokens: 32 }], { outputId: 5, outputTokens: 20 });
    expect(namedBlockKeys(r, 16)).toEqual([1 * K, 1 * K + 16, 5 * K]); // 20 output tokens: one full block
    expect(namedBlockKeys({ ...r, promptTokens: 40 }, 16)).toEqual([1 * K, 1 * K + 16]);
    expect(namedBlockKeys(request(50), 16)).toEqual([]);
    // Ids too large for an exact number key get the string form (no silent collisions).
    expect(namedBlockKeys(request(16, [{ id: 2 ** 40, tokens: 16 }]), 16)).toEqual([`${2 ** 40}:0+16;`]);
  });
});

describe('PrefixCache: trie of named blocks, reference counts, LRU eviction', () => {
  it('finds a block by the path to it, not by its content alone', () => {
    const c = new PrefixCache(10);
    const a = c.insert(CACHE_ROOT, 1);
    const b = c.insert(a, 2);
    expect(c.child(CACHE_ROOT, 1)).toBe(a);
    expect(c.child(a, 2)).toBe(b);
    expect(c.child(CACHE_ROOT, 2)).toBe(-1); // same content, other position: another identity
    expect(c.insert(CACHE_ROOT, 1)).toBe(-1); // cached already: the caller keeps its copy anonymous
    expect([c.inUse, c.cachedFree]).toEqual([2, 0]);
  });

  it('evicts free blocks least recently freed first, hand-traced', () => {
    // Capacity 4. Sequence X holds x1 -> x2, sequence Y holds y1. Free order: y1, then x2, x1 (a
    // sequence frees its tail first, as vLLM does, so its head block is evicted last).
    const c = new PrefixCache(4);
    const x1 = c.insert(CACHE_ROOT, 11), x2 = c.insert(x1, 12), y1 = c.insert(CACHE_ROOT, 21);
    c.release(y1);
    c.release(x2);
    c.release(x1);
    expect([c.inUse, c.cachedFree]).toEqual([0, 3]);
    // 2 anonymous blocks in use: 2 + 3 named > 4: evict one, y1 (least recently freed).
    c.reclaim(2);
    expect(c.evictions).toBe(1);
    expect(c.child(CACHE_ROOT, 21)).toBe(-1);
    expect(c.child(x1, 12)).toBe(x2);
    // A hit on x1 takes it out of the LRU; 3 anonymous blocks then leave room for x1 only: x2 goes.
    c.acquire(x1);
    c.reclaim(3);
    expect(c.evictions).toBe(2);
    expect(c.child(x1, 12)).toBe(-1);
    expect(c.child(CACHE_ROOT, 11)).toBe(x1);
    expect([c.inUse, c.cachedFree, c.refCount(x1)]).toEqual([1, 0, 1]);
  });

  it('an evicted parent makes its cached children unreachable', () => {
    const c = new PrefixCache(3);
    const a = c.insert(CACHE_ROOT, 1), b = c.insert(a, 2);
    c.release(a); // a freed first (LRU head), b still held
    c.release(b);
    c.reclaim(2); // 2 anonymous + 2 named > 3: evict a
    expect(c.child(CACHE_ROOT, 1)).toBe(-1);
    expect(c.named).toBe(1); // b is still cached, just unreachable, until it is evicted in turn
    c.reclaim(3);
    expect(c.named).toBe(0);
  });

  it('refuses to release below zero', () => {
    const c = new PrefixCache(2);
    const a = c.insert(CACHE_ROOT, 1);
    c.release(a);
    expect(() => c.release(a)).toThrow(/released more often/);
  });
});

describe('prefix caching in the batching device (vllm-v1), hand-computed', () => {
  // Prefill costs 0.1 + 0.001 per token and nothing per cached token read, so a hit saves exactly
  // 0.001 s per cached token; blocks of 16 tokens.
  const model = testIterationModel({ prefill: [0.1, 0.001], decode: [0.05, 0, 0], kvTokens: 100_000 });
  const run = (requests: Request[], spec: Record<string, unknown> = {}) =>
    simulate({ requests, cluster: [cbGroup(model, { scheduler: 'vllm-v1', ...spec })], policy: fifoPolicy, policyParams: { routing: 'round-robin' }, seed: 1 });
  const withPrefix = (id: number, arrivalS: number, segs: Request['prefix'], prompt: number, output = 1): Request => ({ id, arrivalS, promptTokens: prompt, outputTokens: output, prefix: segs });

  it('a hit shortens TTFT by exactly the prefill time of the cached tokens', () => {
    const sys = [{ id: 1, tokens: 160 }];
    const res = run([withPrefix(0, 0, sys, 200), withPrefix(1, 1, sys, 200)]);
    const r = res.records;
    expect(r.firstTokenS[0]! - 0).toBeCloseTo(0.3, 12); // 0.1 + 200 x 0.001
    expect(r.firstTokenS[1]! - 1).toBeCloseTo(0.14, 12); // 160 cached: 0.1 + 40 x 0.001
    expect(Array.from(r.cachedTokens)).toEqual([0, 160]);
    // Off: both prefill everything.
    const off = run([withPrefix(0, 0, sys, 200), withPrefix(1, 1, sys, 200)], { prefixCaching: false }).records;
    expect(off.firstTokenS[1]! - 1).toBeCloseTo(0.3, 12);
    expect(Array.from(off.cachedTokens)).toEqual([0, 0]);
  });

  it('G groups sharing a system prompt: hit rate = shared tokens of all but each group\'s first / prompt tokens', () => {
    // 2 groups x 3 requests, one per second (each done before the next): system prompt 128 tokens
    // + a 64-token question of its own. Requests 2..5 find their group's 128 tokens cached.
    const requests = Array.from({ length: 6 }, (_, i) => withPrefix(i, i, [{ id: 100 + (i % 2), tokens: 128 }], 192));
    const s = summarize(run(requests));
    expect(s.prefixCache).toEqual({ cachedTokens: 4 * 128, promptTokens: 6 * 192, hitRate: round6((4 * 128) / (6 * 192)), evictions: 0 });
  });

  it('a cache of exactly 12 blocks evicts least recently freed blocks, a prefix tail first (hand-traced)', () => {
    // Prompts of 80 tokens = a 64-token named prefix (4 blocks) + 16 of its own; 1 output token.
    // A(a), B(b), C(c), D(a), E(b), one at a time. C needs 5 blocks with 8 cached: evicts a's 4th
    // block (A freed its tail first). D hits a1-a3 (48 tokens) and evicts b4; E hits b1-b3 and evicts c4.
    const seg = (id: number) => [{ id, tokens: 64 }];
    const requests = [1, 2, 3, 1, 2].map((p, i) => withPrefix(i, 10 * i, seg(p), 80));
    const res = run(requests, { kvCapacityTokens: 12 * 16 });
    expect(Array.from(res.records.cachedTokens)).toEqual([0, 0, 0, 48, 48]);
    // At the end 11 named blocks stay cached (b1-b4, a1-a4, c1-c3); the 12th block held E's own 16 tokens.
    expect(res.devices[0]!.extra).toMatchObject({ cacheEvictions: 3, cachedBlocksEnd: 11, cachedBlocksPeak: 11 });
  });
});
