import { describe, expect, it } from 'vitest';
import { RecordTable, STATUS_FINISHED, STATUS_PENDING, STATUS_REJECTED } from '../../src/metrics/records.js';
import { createLifecycle } from '../../src/simulation/lifecycle.js';

function setup(size = 3) {
  const records = new RecordTable(size);
  const hooked: number[] = [];
  return { records, hooked, life: createLifecycle(records, (rid) => hooked.push(rid)) };
}

describe('request lifecycle', () => {
  it('keeps the first start when a preempted request starts again, and counts the preemption', () => {
    const { records, life } = setup();
    life.started(1, 2, 0.5);
    life.preempted(1);
    life.started(1, 2, 3.25);
    expect(records.startS[1]).toBe(0.5);
    expect(records.device[1]).toBe(2);
    expect(records.preemptions[1]).toBe(1);
    expect(records.status[1]).toBe(STATUS_PENDING);
  });

  it('records first token and finish, and calls the finish hook once', () => {
    const { records, hooked, life } = setup();
    life.started(0, 0, 1);
    life.firstToken(0, 1.5);
    life.finished(0, 4);
    expect([records.firstTokenS[0], records.finishS[0], records.status[0]]).toEqual([1.5, 4, STATUS_FINISHED]);
    expect(hooked).toEqual([0]);
    expect(() => life.finished(0, 5)).toThrow(/request 0 finished twice/);
    expect(hooked).toEqual([0]);
    expect(records.finishS[0]).toBe(4);
  });

  it('adds energy charges', () => {
    const { records, life } = setup();
    life.chargeEnergy(2, 1.5);
    life.chargeEnergy(2, 0.25);
    expect(records.energyJ[2]).toBe(1.75);
  });

  it('lets a device keep the energy of a running request and settle the sum, only while it is pending', () => {
    const { records, life } = setup();
    expect(life.keptEnergy).toBe(true);
    life.chargeEnergy(1, 0.5);
    let kept = life.energyOf(1);
    expect(kept).toBe(0.5);
    kept += 0.25;
    life.settleEnergy(1, kept);
    expect(records.energyJ[1]).toBe(0.75);
    life.finished(1, 2);
    expect(() => life.settleEnergy(1, 9)).toThrow(/request 1: energy settled after it finished/);
    expect(records.energyJ[1]).toBe(0.75);
  });

  it('records rejections as is and aborts with an "aborted: " reason', () => {
    const { records, hooked, life } = setup();
    life.rejected(0, 'too long');
    life.started(1, 0, 0);
    life.aborted(1, 'outgrew the cache');
    expect([records.status[0], records.status[1]]).toEqual([STATUS_REJECTED, STATUS_REJECTED]);
    expect(records.rejectReason.get(0)).toBe('too long');
    expect(records.rejectReason.get(1)).toBe('aborted: outgrew the cache');
    expect(hooked).toEqual([]);
  });

  it('refuses every stage after the request ended', () => {
    const { life } = setup();
    life.finished(0, 1);
    expect(() => life.rejected(0, 'late')).toThrow(/request 0 rejected twice or after finishing/);
    expect(() => life.aborted(0, 'late')).toThrow(/after finishing/);
    expect(() => life.started(0, 0, 2)).toThrow(/request 0: started after it finished/);
    expect(() => life.preempted(0)).toThrow(/preempted after/);
    expect(() => life.chargeEnergy(0, 1)).toThrow(/energy charged after/);
    life.rejected(1, 'no');
    expect(() => life.finished(1, 1)).toThrow(/after rejection/);
    expect(() => life.firstToken(1, 1)).toThrow(/first token after/);
  });

  it('refuses a second first token', () => {
    const { records, life } = setup();
    life.firstToken(0, 1);
    expect(() => life.firstToken(0, 2)).toThrow(/a second first token/);
    expect(records.firstTokenS[0]).toBe(1);
  });

  it('checkSettled names the first request still pending', () => {
    const { life } = setup(2);
    life.finished(0, 1);
    expect(() => life.checkSettled()).toThrow(/request 1 neither finished nor was rejected/);
    life.rejected(1, 'no');
    expect(() => life.checkSettled()).not.toThrow();
  });

  it('works without a finish hook', () => {
    const records = new RecordTable(1);
    createLifecycle(records).finished(0, 2);
    expect(records.finishS[0]).toBe(2);
  });
});
