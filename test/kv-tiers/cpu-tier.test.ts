import { describe, expect, it } from 'vitest';
import { BlockIdentities, CpuTier, NO_BLOCK } from '../../src/devices/kit/cpu-tier.js';

// A tier of 10 blocks of 1 MB (capacity 10.5 MB: the half block is unusable), 1 GB/s, 1 ms latency.
const tier = () => new CpuTier({ capacityBytes: 10.5e6, bytesPerS: 1e9, latencyS: 0.001, bytesPerBlock: 1e6 });

describe('CPU tier', () => {
  it('holds floor(capacity / block) blocks; a transfer of b blocks takes latency + b x block / bandwidth', () => {
    const t = tier();
    expect(t.capacityBlocks).toBe(10);
    expect(t.transferS(4)).toBeCloseTo(0.005, 15);
    expect(t.swapOut(4)).toBeCloseTo(0.005, 15);
    expect(t.swapOut(7)).toBeUndefined(); // 4 + 7 > 10: recompute instead
    expect(t.counters).toMatchObject({ swapOuts: 1, swapFallbacks: 1, swapOutBytes: 4e6 });
    expect(t.swapIn(4)).toBeCloseTo(0.005, 15);
    expect(t.usedBlocks).toBe(0);
  });

  it('drops offloaded blocks least recently offloaded first, for new ones and for a swap-out', () => {
    const t = tier();
    for (let id = 0; id < 10; id++) t.offload(id);
    t.offload(10); // full: 0 goes
    expect([t.has(0), t.has(1), t.has(10)]).toEqual([false, true, true]);
    expect(t.reload([1, 2])).toBeCloseTo(0.003, 15); // 1 and 2 move back to the GPU
    expect(t.usedBlocks).toBe(8);
    // A sequence of 5 blocks: 3 offloaded blocks must go, the least recent: 3, 4, 5.
    expect(t.swapOut(5)).toBeCloseTo(0.006, 15);
    expect([3, 4, 5, 6, 10].map((id) => t.has(id))).toEqual([false, false, false, true, true]);
    expect(t.counters.cpuEvictions).toBe(4);
    expect(t.usedBlocks).toBe(10);
    // Swapped blocks are never dropped: with 10 swapped blocks, an offload is refused.
    t.swapOut(5);
    t.offload(11);
    expect(t.has(11)).toBe(false);
    expect(t.usedBlocks).toBe(10);
  });

  it('gives the same identity to the same content after the same prefix, and a different one otherwise', () => {
    const ids = new BlockIdentities();
    const a = ids.of(NO_BLOCK, 7, true)!;
    const ab = ids.of(a, '1:0+16;', true)!;
    expect(ids.of(NO_BLOCK, 7, false)).toBe(a);
    expect(ids.of(a, '1:0+16;', false)).toBe(ab);
    expect(ids.of(NO_BLOCK, '1:0+16;', false)).toBeUndefined(); // same content, other prefix
    expect(new Set([a, ab, ids.of(ab, 7, true)]).size).toBe(3);
  });
});
