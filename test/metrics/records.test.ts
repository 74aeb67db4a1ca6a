import { describe, expect, it } from 'vitest';
import { RecordTable, STATUS_TIMED_OUT } from '../../src/metrics/records.js';

describe('RecordTable.timedOutS (made at its first use)', () => {
  it('is not made by a run that times nothing out, and reads NaN everywhere once asked for', () => {
    const t = new RecordTable(5);
    t.finish(0, 1.5);
    t.clearRow(0);
    t.grow(8);
    expect(t.hasTimedOutS).toBe(false);
    expect([...t.timedOutS]).toEqual(Array(8).fill(NaN));
    expect(t.hasTimedOutS).toBe(true);
  });

  it('keeps what timeOut wrote through grow and clearRow, like every other column', () => {
    const t = new RecordTable(3);
    t.timeOut(1, 4.25);
    expect(t.hasTimedOutS).toBe(true);
    expect(t.status[1]).toBe(STATUS_TIMED_OUT);
    expect([...t.timedOutS]).toEqual([NaN, 4.25, NaN]);
    t.grow(6);
    expect([...t.timedOutS]).toEqual([NaN, 4.25, NaN, NaN, NaN, NaN]);
    t.timeOut(5, 9);
    t.clearRow(1);
    expect([...t.timedOutS]).toEqual([NaN, NaN, NaN, NaN, NaN, 9]);
    expect(t.timedOutS.length).toBe(t.size);
  });
});
