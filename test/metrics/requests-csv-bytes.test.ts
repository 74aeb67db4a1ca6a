import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvBytes, writeRequestsCsv } from '../../src/metrics/requests-csv.js';
import { csvNumber, roundSig } from '../../src/metrics/round.js';
import { buildResult, device } from './fixtures.js';

/**
 * requests.csv is written as bytes, digit by digit. Oracle: the text the original writer printed
 * for each number, `String(roundSig(x, 9))` for reals (empty where undefined) and `String(n)`
 * for counts, and csv-parse reading the file back.
 */
function bytesOf(put: (out: CsvBytes) => void): string {
  const out = new CsvBytes(64); // room for any one number
  put(out);
  let text = '';
  out.flush((chunk) => (text += Buffer.from(chunk).toString('utf8')));
  return text;
}

const original = (x: number) => (Number.isFinite(x) ? String(roundSig(x, 9)) : '');

describe('CsvBytes writes numbers as the original writer printed them', () => {
  it('on hand-picked edges: zero, powers of ten, carries, leading zeros, the exponent thresholds, undefined', () => {
    const xs = [0, -0, 1e-6, 9.99999999e-7, 9.999999995e-7, 1, 10, 1000, 0.1, 0.3, 0.1 + 0.2, 0.000123456789, 0.00012, 999999999.4, 999999999.6, 123456789, 1e8, 5e-5, -42.5, -0.001, 1e21, 3.3e-9, 1 / 3, 2.5, NaN, Infinity, -Infinity];
    for (const x of xs) expect(bytesOf((o) => o.real(x))).toBe(original(x));
    expect(bytesOf((o) => o.real(0.0001234567891))).toBe('0.000123456789');
    expect(bytesOf((o) => o.real(1234.5678912))).toBe('1234.56789');
  });

  it('on any double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => bytesOf((o) => o.real(x)) === original(x)), { numRuns: 20_000 });
    fc.assert(fc.property(fc.integer({ min: -12, max: 12 }), fc.integer({ min: 1, max: 999_999_999 }), (e, m) => bytesOf((o) => o.real(m * 10 ** e)) === csvNumber(m * 10 ** e)), { numRuns: 20_000 });
  });

  it('writes counts as String does, also past 32 bits and for non-integers', () => {
    for (const n of [0, 7, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 1e21, 0.5, -3]) expect(bytesOf((o) => o.count(n))).toBe(String(n));
    fc.assert(fc.property(fc.nat(), (n) => bytesOf((o) => o.count(n)) === String(n)), { numRuns: 5_000 });
  });
});

describe('requests.csv as bytes', () => {
  it('keeps UTF-8 labels, and a label longer than a chunk, intact', () => {
    const long = `${'x'.repeat(1_500_000)},é`; // > 1 MiB, with a comma: quoted
    const result = buildResult(
      [
        { req: { arrivalS: 0, promptTokens: 1, outputTokens: 1, model: 'modèle-λ', class: '批' }, startS: 0, finishS: 1, device: 0 },
        { req: { arrivalS: 1, promptTokens: 2, outputTokens: 1 }, rejected: long },
        { req: { arrivalS: 2, promptTokens: 3, outputTokens: 1, model: 'modèle-λ' }, startS: 2, finishS: 3, device: 0 },
      ],
      [device({ name: 'gpu/0' })],
    );
    const chunks: string[] = [];
    writeRequestsCsv(result, (c) => chunks.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')));
    expect(chunks.length).toBeGreaterThanOrEqual(2); // the long row did not fit the first chunk
    const rows = parse(chunks.join(''), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.model, r.class, r.reject_reason, r.status])).toEqual([
      ['modèle-λ', '批', '', 'finished'],
      ['', '', long, 'rejected'],
      ['modèle-λ', '', '', 'finished'],
    ]);
  });

  it('hands out chunks the receiver may keep (each a fresh buffer)', () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => ({ req: { arrivalS: i, promptTokens: 1, outputTokens: 1, model: 'm'.repeat(40) }, startS: i, finishS: i + 1, device: 0 }));
    const kept: Uint8Array[] = [];
    writeRequestsCsv(buildResult(rows, [device({ name: 'gpu/0' })]), (c) => kept.push(typeof c === 'string' ? Buffer.from(c) : c));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    const lines = Buffer.concat(kept).toString('utf8').split('\n');
    expect(lines).toHaveLength(30_002);
    lines.slice(1, -1).forEach((line, i) => expect(line.startsWith(`${i},${i},1,1,${'m'.repeat(40)},,gpu/0,finished,`)).toBe(true));
  });
});
