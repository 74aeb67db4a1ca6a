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

  // The queue keeps far events in unsorted buckets (a one-rung ladder queue); these cases drive it
  // through every path (spreads, small tops, all-at-one-time tops, outliers, tiny spans) against a
  // plain sort by (time, rank, scheduling order) as the oracle.
  const spreads: Array<[string, (r: () => number, i: number) => number]> = [
    ['uniform times', (r) => r() * 100],
    ['few distinct times (many ties)', (r) => Math.floor(r() * 5)],
    ['one time for all', () => 7],
    ['an outlier far beyond the rest', (r, i) => (i === 3 ? 1e300 : r())],
    ['a span of a few subnormals', (r) => 5e-324 * Math.floor(r() * 4)],
    ['powers of two, zero included', (r) => (r() < 0.1 ? 0 : 2 ** Math.floor(r() * 60 - 30))],
  ];
  it.each(spreads)('dispatches thousands of events, handlers scheduling more, as a naive queue does: %s', (_name, timeOf) => {
    // The same run twice from the same random stream: once on the engine, once on a naive queue
    // (an array scanned for its least (time, rank, scheduling order)).
    const drive = (queue: TestQueue) => {
      let x = 99;
      const r = () => ((x = (x * 1103515245 + 12345) >>> 0) / 4294967296);
      let n = 0;
      const add = (t: number) => queue.add(t, Math.floor(r() * 3), n++);
      for (let i = 0; i < 3000; i++) add(timeOf(r, i));
      const seen: number[] = [];
      queue.run((id) => {
        seen.push(id);
        if (n < 9000) {
          const k = r();
          add(k < 0.3 ? queue.now() : queue.now() + timeOf(r, n) * (k < 0.6 ? 0.01 : 1));
          if (k < 0.2) add(queue.now() + timeOf(r, n));
        }
      });
      return seen;
    };
    expectAsNaive(drive, 9000);
  });

  it('dispatches a fixed schedule exactly as a sort by (time, rank, order), through every container', () => {
    for (const [, timeOf] of spreads) {
      let x = 5;
      const r = () => ((x = (x * 1103515245 + 12345) >>> 0) / 4294967296);
      const e = new Engine(1);
      const items = Array.from({ length: 5000 }, (_, i) => ({ t: timeOf(r, i), rank: Math.floor(r() * 4), i }));
      items.forEach((it) => e.schedule(it.t, it.rank, 0, it.i));
      const seen: number[] = [];
      // Stop and resume at a few times: untilS must not disturb the order.
      const sorted = [...items].sort((a, b) => a.t - b.t || a.rank - b.rank || a.i - b.i);
      for (const until of [sorted[100]!.t, sorted[2500]!.t, Infinity]) e.run((_t, arg) => seen.push(arg), until);
      expect(seen).toEqual(sorted.map((it) => it.i));
    }
  });

  // scheduleHeld keeps one event beside the queue; the dispatch order must stay the sort by (time,
  // rank, scheduling order). Oracle: the naive queue (an array scanned for its least event).
  it.each(spreads)('scheduleHeld dispatches as a naive queue does, among queued events: %s', (_name, timeOf) => {
    const drive = (queue: TestQueue) => {
      let x = 7;
      const r = () => ((x = (x * 1103515245 + 12345) >>> 0) / 4294967296);
      let n = 0;
      // A stream (ids tagged by `stream`): each of its events, when dispatched, schedules the next
      // at a time from the spread, at or after now; ties with queued events at every rank.
      const stream = new Set<number>();
      const add = (t: number, held: boolean) => {
        if (held) stream.add(n);
        queue.add(t, Math.floor(r() * 3), n++, held);
      };
      for (let i = 0; i < 500; i++) add(timeOf(r, i), false);
      add(timeOf(r, 0), true);
      const seen: number[] = [];
      queue.run((id) => {
        seen.push(id);
        if (n >= 6000) return;
        const k = r();
        if (stream.has(id)) add(k < 0.3 ? queue.now() : queue.now() + timeOf(r, n) * 0.01, true);
        else add(k < 0.3 ? queue.now() : queue.now() + timeOf(r, n) * (k < 0.6 ? 0.01 : 1), false);
        // Now and then a second held event while the register is taken: it goes into the queue.
        if (k > 0.97) add(queue.now() + timeOf(r, n), true);
      });
      return seen;
    };
    expectAsNaive(drive, 6000);
  });

  it('scheduleHeld refuses what schedule refuses, counts as pending, and stops at untilS', () => {
    const e = new Engine();
    expect(() => e.scheduleHeld(NaN, 0, 0, 0)).toThrow(/finite/);
    expect(() => e.scheduleHeld(-1, 0, 0, 0)).toThrow(/past/);
    expect(() => e.scheduleHeld(1, 256, 0, 0)).toThrow(/rank/);
    e.scheduleHeld(2, 1, 7, 1);
    e.schedule(2, 1, 8, 2); // same time and rank, scheduled later: after the held one
    e.schedule(2, 0, 9, 3); // lower rank: before it
    e.scheduleHeld(3, 0, 10, 4); // register taken: queued
    expect(e.pending).toBe(4);
    const seen: number[] = [];
    e.run((target) => seen.push(target), 2.5);
    expect(seen).toEqual([9, 7, 8]);
    expect(e.pending).toBe(1);
    e.scheduleHeld(2.75, 0, 11, 5);
    e.run((target) => seen.push(target), 2.6);
    expect(seen).toEqual([9, 7, 8]);
    e.run((target) => seen.push(target));
    expect(seen).toEqual([9, 7, 8, 11, 10]);
    expect(e.processed).toBe(5);
    expect(e.pending).toBe(0);
  });
});

/** What a test drives: the engine (held events through scheduleHeld) or the naive queue (which ignores `held`: the order is the same). */
interface TestQueue {
  add(t: number, rank: number, id: number, held?: boolean): void;
  run(h: (id: number) => void): void;
  now(): number;
}

/** Runs `drive` on the engine and on the naive queue: the same ids in the same order, at least `min` of them, nothing left pending. */
function expectAsNaive(drive: (queue: TestQueue) => number[], min: number): void {
  const e = new Engine(4);
  const fromEngine = drive({
    add: (t, rank, id, held) => (held ? e.scheduleHeld(t, rank, 0, id) : e.schedule(t, rank, 0, id)),
    run: (h) => e.run((_target, id) => h(id)),
    now: () => e.nowS,
  });
  expect(e.pending).toBe(0);
  const naive = drive(naiveQueue());
  expect(naive.length).toBeGreaterThanOrEqual(min);
  expect(fromEngine).toEqual(naive);
}

/**
 * The oracle queue: a plain list, dispatching its (time, rank, id) minimum each time (ids are
 * handed out in scheduling order, so id order is scheduling order).
 */
function naiveQueue() {
  const pending: Array<{ t: number; rank: number; id: number }> = [];
  let now = 0;
  return {
    add: (t: number, rank: number, id: number) => void pending.push({ t, rank, id }),
    run: (h: (id: number) => void) => {
      while (pending.length > 0) {
        let m = 0;
        for (let j = 1; j < pending.length; j++) {
          const a = pending[j]!;
          const b = pending[m]!;
          if (a.t < b.t || (a.t === b.t && (a.rank < b.rank || (a.rank === b.rank && a.id < b.id)))) m = j;
        }
        const [ev] = pending.splice(m, 1);
        now = ev!.t;
        h(ev!.id);
      }
    },
    now: () => now,
  };
}
