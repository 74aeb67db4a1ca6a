import { describe, expect, it } from 'vitest';
import { cdfPoints, paretoFront, timeline } from '../../src/report/derive.js';
import type { RequestColumns } from '../../src/report/inputs.js';

describe('cdfPoints', () => {
  it('is the exact empirical CDF for few values (NaN skipped)', () => {
    expect(cdfPoints([3, 1, NaN, 2])).toEqual([{ value: 1, p: 1 / 3 }, { value: 2, p: 2 / 3 }, { value: 3, p: 1 }]);
    expect(cdfPoints([NaN])).toEqual([]);
  });
  it('keeps the minimum and the k/maxPoints order statistics for many', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(cdfPoints(values, 10)).toEqual([{ value: 1, p: 0.001 }, ...Array.from({ length: 10 }, (_, j) => ({ value: 100 * (j + 1), p: (j + 1) / 10 }))]);
  });
});

describe('timeline', () => {
  // Replica a: r0 in service [0, 4); r1 arrives at 1, waits until 4, in service [4, 7).
  // Replica b: r2 in service [2, 3). r3 was rejected (no replica) and does not count.
  const req: RequestColumns = {
    arrivalS: Float64Array.from([0, 1, 2, 2.5]),
    queueingDelayS: Float64Array.from([0, 3, 0, NaN]),
    ttftS: Float64Array.from([NaN, NaN, NaN, NaN]),
    e2eS: Float64Array.from([4, 6, 1, NaN]),
    device: ['a', 'a', 'b', ''],
  };
  it('integrates queue length and busy time per bin (width 1 s)', () => {
    const t = timeline(req, 7);
    const a = t.filter((p) => p.replica === 'a');
    const b = t.filter((p) => p.replica === 'b');
    expect(a.map((p) => p.tS)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    expect(a.map((p) => p.queue)).toEqual([0, 1, 1, 1, 0, 0, 0]);
    expect(a.map((p) => p.busy)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(b.map((p) => p.queue)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(b.map((p) => p.busy)).toEqual([0, 0, 1, 0, 0, 0, 0]);
  });
  it('splits intervals across bin edges (width 3.5 s)', () => {
    const a = timeline(req, 2).filter((p) => p.replica === 'a');
    expect(a[0]!.queue).toBeCloseTo(2.5 / 3.5, 12); // waiting [1, 3.5)
    expect(a[1]!.queue).toBeCloseTo(0.5 / 3.5, 12); // waiting [3.5, 4)
    const b = timeline(req, 2).filter((p) => p.replica === 'b');
    expect(b.map((p) => p.busy)).toEqual([1 / 3.5, 0]);
  });
});

describe('paretoFront', () => {
  it('keeps the points nothing beats on both coordinates, sorted by x', () => {
    const pts = [{ x: 3, y: 4 }, { x: 1, y: 5 }, { x: 2, y: 3 }, { x: 4, y: 1 }, { x: 2, y: 3 }, { x: 5, y: 1 }, { x: NaN, y: 0 }];
    expect(paretoFront(pts)).toEqual([{ x: 1, y: 5 }, { x: 2, y: 3 }, { x: 4, y: 1 }]);
  });
});
