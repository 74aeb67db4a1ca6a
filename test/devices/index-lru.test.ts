import { describe, expect, it } from 'vitest';
import { IndexLru, NONE } from '../../src/devices/kit/index-lru.js';

const order = (lru: IndexLru) => {
  const out: number[] = [];
  for (let id = lru.head; id !== NONE; id = lru.next(id)) out.push(id);
  return out;
};

describe('IndexLru (the LRU order of the prefix cache and the CPU KV tier)', () => {
  it('keeps ids least recent first through appends and unlinks at the head, middle and tail', () => {
    const lru = new IndexLru();
    expect(lru.head).toBe(NONE);
    for (const id of [5, 2, 9, 0]) lru.append(id);
    expect(order(lru)).toEqual([5, 2, 9, 0]);
    lru.unlink(2); // middle
    lru.unlink(5); // head
    lru.unlink(0); // tail
    expect(order(lru)).toEqual([9]);
    lru.append(5); // re-appended: most recent
    expect(order(lru)).toEqual([9, 5]);
    lru.unlink(9);
    lru.unlink(5);
    expect(lru.head).toBe(NONE);
  });

  it('grows past its first arrays without losing the order', () => {
    const lru = new IndexLru();
    const ids = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3001);
    for (const id of ids) lru.append(id);
    lru.unlink(ids[1500]!);
    expect(order(lru)).toEqual(ids.filter((_, i) => i !== 1500));
  });
});
