import { describe, expect, it } from 'vitest';
import { createKvBlocks } from '../../src/devices/kit/kv-blocks.js';
import { RunningBatch } from '../../src/devices/kit/running-batch.js';
import { createWaitQueue } from '../../src/devices/kit/wait-queue.js';

/** ceil((computed + lookahead) / blockSize) in exact integer arithmetic, 0 before the first token. */
const heldOracle = (computed: number, lookahead: number, blockSize: number): number =>
  computed > 0 ? Number((BigInt(computed + lookahead) + BigInt(blockSize) - 1n) / BigInt(blockSize)) : 0;

describe('KV blocks held by a sequence', () => {
  it('matches hand-counted blocks (16-token blocks; vLLM lookahead 0, legacy lookahead 1)', () => {
    const vllm = createKvBlocks(1_000_000, 16, 0);
    expect([0, 1, 15, 16, 17, 32, 33].map((c) => vllm.held(c))).toEqual([0, 1, 1, 1, 2, 2, 3]);
    expect(vllm.growth(16, 1)).toBe(1); // the 17th token opens a second block
    expect(vllm.growth(17, 15)).toBe(0); // tokens 18..32 fill it
    const legacy = createKvBlocks(1_000_000, 16, 1);
    expect([0, 1, 14, 15, 16, 31, 32].map((c) => legacy.held(c))).toEqual([0, 1, 1, 1, 2, 2, 3]);
  });

  it.each([1, 2, 12, 16, 1000, 2 ** 23, 10_000_000])('agrees with exact division for block size %i, small and huge contexts', (blockSize) => {
    for (const lookahead of [0, 1]) {
      const kv = createKvBlocks(1e12, blockSize, lookahead);
      for (const c of [0, 1, 2, 11, 12, 13, 15, 16, 17, 999, 1000, 1001, 2 ** 23 - 1, 2 ** 23, 2 ** 23 + 1, 9_999_999, 10_000_000, 2 ** 30 - 2, 2 ** 30, 2 ** 31 + 7, 3e9]) {
        expect(kv.held(c), `held(${c}), lookahead ${lookahead}`).toBe(heldOracle(c, lookahead, blockSize));
      }
    }
  });
});

describe('a full last block (KvBlocks.endsBlock): the next token takes a new block', () => {
  it.each([1, 12, 16, 1000])('is exactly "held grows by one token", block size %i', (blockSize) => {
    for (const lookahead of [0, 1]) {
      const kv = createKvBlocks(1e12, blockSize, lookahead);
      for (const c of [1, 2, 11, 12, 13, 14, 15, 16, 17, 31, 32, 999, 1000, 1001, 2 ** 31 - 1, 2 ** 31, 3e9]) {
        const grows = heldOracle(c + 1, lookahead, blockSize) > heldOracle(c, lookahead, blockSize);
        expect(kv.endsBlock(c), `endsBlock(${c}), lookahead ${lookahead}`).toBe(grows);
      }
    }
  });
});

describe('wait queue size', () => {
  it('counts what is waiting through arrivals, requeues, removals and shifts, FIFO and keyed', () => {
    for (const keyed of [false, true]) {
      const q = createWaitQueue(keyed ? (id) => id % 3 : undefined);
      const waiting = new Set<number>();
      const check = () => expect(q.size).toBe(waiting.size);
      for (const id of [1, 2, 3, 4, 5]) (q.push(id), waiting.add(id), check());
      q.remove(2), waiting.delete(2), check();
      q.remove(4), waiting.delete(4), check();
      for (let k = 0; k < 2; k++) {
        const id = q.shift();
        expect(waiting.delete(id), `shifted ${id}`).toBe(true);
        check();
      }
      q.requeue(9), waiting.add(9), check();
      while (waiting.size > 0) (waiting.delete(q.shift()), check());
      expect(q.shift()).toBe(-1);
      check();
    }
  });
});

describe('RunningBatch.removeFinished', () => {
  it('drops the sequences that generated all their tokens, in one pass, keeping the order of the rest', () => {
    const batch = new RunningBatch(8);
    // rid, target, gen, out: 11 and 13 and 15 are done (gen >= out)
    const rows = [[10, 5, 2, 4], [11, 5, 4, 4], [12, 5, 0, 3], [13, 5, 9, 9], [14, 5, 1, 2], [15, 5, 3, 1]] as const;
    for (const [rid, target, gen, out] of rows) {
      const i = batch.push(rid, target, gen, out, rid + 0.25);
      batch.computed[i] = target + gen;
    }
    const ended: number[] = [];
    batch.removeFinished((i) => ended.push(batch.id[i]!));
    expect(ended).toEqual([11, 13, 15]);
    expect(batch.n).toBe(3);
    expect([...batch.id.subarray(0, 3)]).toEqual([10, 12, 14]);
    expect([...batch.gen.subarray(0, 3)]).toEqual([2, 0, 1]);
    expect([...batch.out.subarray(0, 3)]).toEqual([4, 3, 2]);
    expect([...batch.computed.subarray(0, 3)]).toEqual([7, 5, 6]);
    expect([...batch.energy.subarray(0, 3)]).toEqual([10.25, 12.25, 14.25]);
  });
});

describe('RunningBatch.removeAt', () => {
  it('removes one sequence and keeps the others in admission order with all their columns', () => {
    const batch = new RunningBatch(4);
    for (const rid of [20, 21, 22, 23]) batch.computed[batch.push(rid, rid + 100, rid - 20, rid - 10, rid / 8)] = rid + 1;
    batch.removeAt(1);
    expect(batch.n).toBe(3);
    expect([...batch.id.subarray(0, 3)]).toEqual([20, 22, 23]);
    expect([...batch.target.subarray(0, 3)]).toEqual([120, 122, 123]);
    expect([...batch.gen.subarray(0, 3)]).toEqual([0, 2, 3]);
    expect([...batch.out.subarray(0, 3)]).toEqual([10, 12, 13]);
    expect([...batch.computed.subarray(0, 3)]).toEqual([21, 23, 24]);
    expect([...batch.energy.subarray(0, 3)]).toEqual([2.5, 2.75, 2.875]);
  });
});
