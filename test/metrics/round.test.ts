import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvNumber, roundOrNull, roundSig } from '../../src/metrics/round.js';

describe('roundSig', () => {
  it('keeps the given number of significant digits', () => {
    expect(roundSig(123456789, 6)).toBe(123457000);
    expect(roundSig(0.000123456789, 6)).toBe(0.000123457);
    expect(roundSig(1 / 3, 6)).toBe(0.333333);
    expect(roundSig(2 / 3, 6)).toBe(0.666667);
    expect(roundSig(3.14159265, 3)).toBe(3.14);
    expect(roundSig(42, 6)).toBe(42);
  });

  it('rounds halves away from zero and carries into a new digit', () => {
    expect(roundSig(2.5, 1)).toBe(3);
    expect(roundSig(-2.5, 1)).toBe(-3);
    expect(roundSig(0.125, 2)).toBe(0.13); // 0.125 is exact in binary: a true tie
    expect(roundSig(999999.5, 6)).toBe(1000000);
  });

  it('prints as the short decimal, never as binary noise', () => {
    expect(String(roundSig(0.1 + 0.2, 6))).toBe('0.3');
    expect(String(roundSig(1.1 * 1.1, 6))).toBe('1.21');
    expect(String(roundSig(4.35 * 100, 9))).toBe('435');
  });

  it('passes zero, NaN and infinities through, and turns -0 into 0', () => {
    expect(Object.is(roundSig(-0, 6), 0)).toBe(true);
    expect(roundSig(NaN, 6)).toBeNaN();
    expect(roundSig(Infinity, 6)).toBe(Infinity);
    expect(roundSig(-Infinity, 6)).toBe(-Infinity);
  });

  it('handles extreme magnitudes', () => {
    expect(roundSig(1.23456789e-30, 4)).toBe(1.235e-30);
    expect(roundSig(-9.87654321e200, 3)).toBe(-9.88e200);
  });

  it('agrees with Number.prototype.toPrecision across magnitudes', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e250, max: 1e250, noNaN: true }), fc.integer({ min: 1, max: 15 }), (x, d) => {
        expect(roundSig(x, d)).toBe(Number(x.toPrecision(d)) + 0); // + 0 maps -0 to 0
      }),
      { seed: 20240611, numRuns: 5000 },
    );
  });

  it('rejects digit counts it cannot honour exactly', () => {
    expect(() => roundSig(1, 0)).toThrow(/digits/);
    expect(() => roundSig(1, 16)).toThrow(/digits/);
    expect(() => roundSig(1, 2.5)).toThrow(/digits/);
  });
});

describe('roundOrNull and csvNumber', () => {
  it('map undefined values to null / the empty field', () => {
    expect(roundOrNull(NaN)).toBeNull();
    expect(roundOrNull(Infinity)).toBeNull();
    expect(roundOrNull(undefined)).toBeNull();
    expect(roundOrNull(1234567.89)).toBe(1234570);
    expect(csvNumber(NaN)).toBe('');
    expect(csvNumber(1234567.891)).toBe('1234567.89');
    expect(csvNumber(0.1 + 0.2)).toBe('0.3');
  });
});

describe('csvNumber prints what String(roundSig(x, 9)) prints (finite x)', () => {
  it('on hand-picked edges: powers of ten, carries, the exponent thresholds', () => {
    for (const x of [1e-6, 9.99999999e-7, 9.999999995e-7, 1, 10, 1000, 0.1, 0.3, 999999999.4, 999999999.6, 123456789, 1e8, 5e-5, -42.5, 1e21, 3.3e-9]) {
      expect(csvNumber(x)).toBe(String(roundSig(x, 9)));
    }
    expect(csvNumber(0.0001234567891)).toBe('0.000123456789');
    expect(csvNumber(2.5)).toBe('2.5');
    expect(csvNumber(1234.5678912)).toBe('1234.56789');
  });

  it('on any double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => csvNumber(x) === String(roundSig(x, 9))), { numRuns: 20_000 });
    fc.assert(fc.property(fc.integer({ min: -12, max: 12 }), fc.integer({ min: 1, max: 999_999_999 }), (e, m) => csvNumber(m * 10 ** e) === String(roundSig(m * 10 ** e, 9))), { numRuns: 20_000 });
  });
});
