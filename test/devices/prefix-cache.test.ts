import { describe, expect, it } from 'vitest';
import { namedBlockKeys } from '../../src/devices/kit/block-keys.js';
import { CACHE_ROOT, PrefixCache } from '../../src/devices/kit/prefix-cache.js';
import type { Request } from '../../src/workload/request.js';

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
