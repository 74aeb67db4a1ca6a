import { describe, expect, it } from 'vitest';
import { doubleArray } from '../../src/util/double-array.js';

describe('doubleArray', () => {
  it('has n entries that read back exactly what was written, whatever the double', () => {
    const special = [NaN, -0, 0, 1, -1, 0.1, Number.MIN_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 2 ** 53 + 2, 1e-310];
    for (const n of [0, 1, 5, 100_000]) {
      const a = doubleArray(n);
      expect(a.length).toBe(n);
      for (let i = 0; i < n; i++) a[i] = special[i % special.length]! * (i < special.length ? 1 : 1 + i / n);
      for (let i = 0; i < n; i++) expect(Object.is(a[i], special[i % special.length]! * (i < special.length ? 1 : 1 + i / n))).toBe(true);
    }
  });

  it('holds integers and doubles alike, and grows past its length like any array', () => {
    const a = doubleArray(3);
    a[0] = 7;
    a[1] = 7.5;
    a[2] = -3;
    a.push(2 ** 40);
    expect(a).toEqual([7, 7.5, -3, 2 ** 40]);
  });
});
