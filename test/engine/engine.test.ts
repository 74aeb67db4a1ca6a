import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine/engine.js';

describe('Engine', () => {
  it('dispatches by time, then rank, then scheduling order', () => {
    const e = new Engine(2);
    const seen: number[] = [];
    e.schedule(2, 0, 0, 1);
    e.schedule(1, 1, 0, 2);
    e.schedule(1, 0, 0, 3);
    e.schedule(1, 1, 0, 4);
    e.schedule(0.5, 7, 0, 5);
    e.run((_t, arg) => seen.push(arg));
    expect(seen).toEqual([5, 3, 2, 4, 1]);
    expect(e.nowS).toBe(2);
    expect(e.processed).toBe(5);
  });

  it('refuses past, NaN and infinite times, and bad ranks', () => {
    const e = new Engine();
    e.schedule(5, 0, 0, 0);
    e.run(() => {
      expect(() => e.schedule(4.999, 0, 0, 0)).toThrow(/past/);
    });
    expect(() => e.schedule(NaN, 0, 0, 0)).toThrow(/finite/);
    expect(() => e.schedule(Infinity, 0, 0, 0)).toThrow(/finite/);
    expect(() => e.schedule(6, -1, 0, 0)).toThrow(/rank/);
    expect(() => e.schedule(6, 1.5, 0, 0)).toThrow(/rank/);
  });

  it('refuses re-entrant run from a handler', () => {
    const e = new Engine();
    e.schedule(1, 0, 0, 0);
    expect(() => e.run(() => e.run(() => {}))).toThrow(/inside an event handler/);
  });

  it('stops at untilS and resumes', () => {
    const e = new Engine();
    for (const t of [1, 2, 3]) e.schedule(t, 0, t, 0);
    const seen: number[] = [];
    e.run((target) => seen.push(target), 2);
    expect(seen).toEqual([1, 2]);
    e.run((target) => seen.push(target));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('matches a sort by (time, rank, insertion) for any schedule, including events scheduled by handlers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 20 }), rank: fc.integer({ min: 0, max: 3 }), child: fc.integer({ min: 0, max: 5 }) }), { maxLength: 200 }),
        (items) => {
          const e = new Engine(1);
          // Each root event, when fired, schedules `child` units later one follow-up event.
          const log: Array<[number, number, number]> = [];
          items.forEach((it, i) => e.schedule(it.t, it.rank, 0, i));
          let extra = items.length;
          e.run((target, arg) => {
            log.push([e.nowS, target, arg]);
            if (target === 0) e.schedule(e.nowS + items[arg]!.child, items[arg]!.rank, 1, extra++);
          });
          // Clock never goes back, every event ran exactly once.
          for (let i = 1; i < log.length; i++) expect(log[i]![0]).toBeGreaterThanOrEqual(log[i - 1]![0]);
          expect(log.length).toBe(2 * items.length);
          // Root events come in (time, rank, index) order relative to each other.
          const roots = log.filter((l) => l[1] === 0).map((l) => l[2]);
          const expected = items.map((it, i) => ({ ...it, i })).sort((a, b) => a.t - b.t || a.rank - b.rank || a.i - b.i).map((x) => x.i);
          expect(roots).toEqual(expected);
        },
      ),
    );
  });
});
