import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectTraceReader, loadTrace } from '../../src/workload/index.js';
import { parseAzureCsv, parseTimestamp } from '../../src/workload/read-azure.js';
import type { Request } from '../../src/workload/request.js';
import { mean } from './stats.js';

const TRACES = fileURLToPath(new URL('../../traces/', import.meta.url));
const at = (name: string) => TRACES + name;

/** Invariants every loaded trace must satisfy; reports the first request that breaks one. */
function expectWellFormed(reqs: readonly Request[]): void {
  const bad = reqs.findIndex(
    (r, i) =>
      r.id !== i ||
      (i > 0 && !(r.arrivalS >= reqs[i - 1]!.arrivalS)) ||
      !(Number.isInteger(r.promptTokens) && r.promptTokens >= 1) ||
      !(Number.isInteger(r.outputTokens) && r.outputTokens >= 1),
  );
  expect(bad, `request ${bad}: ${JSON.stringify(reqs[bad])}`).toBe(-1);
}

// Expected values come from the data README (traces/README.md, computed upstream with Python)
// and from reading the first and last lines of each file by hand.
describe('shipped traces', () => {
  it('Azure conv: 19,366 requests over 3,502 s, mean output 211, first at 0', () => {
    const r = loadTrace(at('azure-llm-2023-conv.csv'));
    expect(r).toHaveLength(19_366);
    expectWellFormed(r);
    expect(r[0]).toEqual({ id: 0, arrivalS: 0, promptTokens: 374, outputTokens: 44 });
    // 18:15:46.6805900 -> 18:15:50.9951690 is 4.3145790 s.
    expect(r[1]!.arrivalS).toBeCloseTo(4.314579, 9);
    // Last row 19:14:08.4025270 (197, 183): 58 min 21.7219370 s after the first.
    expect(r.at(-1)).toMatchObject({ promptTokens: 197, outputTokens: 183 });
    expect(r.at(-1)!.arrivalS).toBeCloseTo(3501.721937, 9);
    expect(mean(r.map((x) => x.outputTokens))).toBeCloseTo(211.13, 2);
    expect(mean(r.map((x) => x.promptTokens))).toBeCloseTo(1154.70, 2);
    expect(Math.max(...r.map((x) => x.outputTokens))).toBe(1000);
  });

  it('Azure code: 8,819 requests over 3,436 s, mean output 27.9, mean prompt 2,048', () => {
    const r = loadTrace(at('azure-llm-2023-code.csv'), 'azure');
    expect(r).toHaveLength(8_819);
    expectWellFormed(r);
    expect(r[0]).toEqual({ id: 0, arrivalS: 0, promptTokens: 4808, outputTokens: 10 });
    // 18:17:03.9799600 -> 19:14:19.9280160 = 57 min 15.9480560 s.
    expect(r.at(-1)!.arrivalS).toBeCloseTo(3435.948056, 9);
    expect(r.at(-1)).toMatchObject({ promptTokens: 549, outputTokens: 173 });
    expect(mean(r.map((x) => x.outputTokens))).toBeCloseTo(27.88, 2);
    expect(mean(r.map((x) => x.promptTokens))).toBeCloseTo(2047.85, 2);
  });

  it('Mooncake CSV: 12,031 requests over ~3,537 s, mean output 343, max prompt 126,195', () => {
    const r = loadTrace(at('mooncake-fast25-conversation-nohash.csv'), 'auto', { mooncakeArrivals: 'burst' });
    expect(r).toHaveLength(12_031);
    expectWellFormed(r);
    expect(r[0]).toEqual({ id: 0, arrivalS: 0, promptTokens: 6758, outputTokens: 500 });
    expect(r.at(-1)).toEqual({ id: 12_030, arrivalS: 3536.999, promptTokens: 20774, outputTokens: 508 });
    expect(mean(r.map((x) => x.outputTokens))).toBeCloseTo(342.62, 2);
    expect(Math.max(...r.map((x) => x.promptTokens))).toBe(126_195);
  });

  it('Mooncake JSONL: 3,500 requests, burst keeps the ~3 s steps, spread spaces them evenly', () => {
    const burst = loadTrace(at('mooncake-fast25-conversation-first3500.jsonl'), 'mooncake', { mooncakeArrivals: 'burst' });
    expect(burst).toHaveLength(3_500);
    expectWellFormed(burst);
    // Lines 1-10 have timestamp 0, lines 11-26 timestamp 3000, lines 27-29 5999; the last line is at 1,155,000 ms.
    expect(burst.slice(0, 10).every((x) => x.arrivalS === 0)).toBe(true);
    expect(burst[10]!.arrivalS).toBe(3);
    expect(burst.at(-1)).toMatchObject({ arrivalS: 1155, promptTokens: 12150, outputTokens: 285 });
    expect(mean(burst.map((x) => x.outputTokens))).toBeCloseTo(348.46, 2);

    const spread = loadTrace(at('mooncake-fast25-conversation-first3500.jsonl'));
    expectWellFormed(spread);
    // Median nonzero gap is 3000 ms: the 10 requests at t = 0 go to 0, 0.3, ..., 2.7 s.
    for (let k = 0; k < 10; k++) expect(spread[k]!.arrivalS).toBeCloseTo(0.3 * k, 12);
    expect(spread[10]!.arrivalS).toBe(3);
    // The next step is 2,999 ms later (at 5,999 ms), narrower than 3 s: 16 requests over 2.999 s.
    expect(spread[11]!.arrivalS).toBeCloseTo(3 + 2.999 / 16, 12);
    expect(spread[25]!.arrivalS).toBeCloseTo(3 + (15 * 2.999) / 16, 12);
    expect(spread[26]!.arrivalS).toBe(5.999);
    // Lengths and order are untouched by spreading.
    expect(spread.map((x) => x.outputTokens)).toEqual(burst.map((x) => x.outputTokens));
  });

  it('Vidur: 10,000 requests, shifted so the first (at 1.020060287274801 s) is at 0', () => {
    const r = loadTrace(at('vidur-conv-poisson1-n10000.csv'));
    expect(r).toHaveLength(10_000);
    expectWellFormed(r);
    expect(r[0]).toEqual({ id: 0, arrivalS: 0, promptTokens: 395, outputTokens: 112 });
    expect(r[1]!.arrivalS).toBeCloseTo(1.0453891263175399 - 1.020060287274801, 12);
    expect(r.at(-1)!.arrivalS).toBeCloseTo(9480.396265524463 - 1.020060287274801, 9);
    expect(mean(r.map((x) => x.outputTokens))).toBeCloseTo(210.90, 2);
    expect(Math.max(...r.map((x) => x.promptTokens))).toBe(4075);
  });

  it('native example: optional columns, empty cells, times kept as written', () => {
    const r = loadTrace(at('example-native.csv'), 'auto', { model: 'default-model' });
    expect(r).toHaveLength(12);
    expectWellFormed(r);
    expect(r[0]).toEqual({ id: 0, arrivalS: 0, promptTokens: 512, outputTokens: 128, model: 'llama-2-7b', uncertainty: 0.2, deadlineS: 10, class: 'chat' });
    expect(r[2]).toEqual({ id: 2, arrivalS: 0.4, promptTokens: 96, outputTokens: 32, model: 'llama-2-7b', uncertainty: 0.05, class: 'chat' });
    expect(r[5]!.uncertainty).toBeUndefined();
    // Row 11 names no model, so the default applies; the others keep their own.
    expect(r[10]!.model).toBe('default-model');
    expect(r[4]!.model).toBe('llama-2-70b');
  });

  it('auto-detects every shipped format', () => {
    const detect = (f: string) => detectTraceReader(readFileSync(at(f), 'utf8'), at(f));
    expect(detect('azure-llm-2023-code.csv')).toBe('azure');
    expect(detect('mooncake-fast25-conversation-first3500.jsonl')).toBe('mooncake-jsonl');
    expect(detect('mooncake-fast25-conversation-nohash.csv')).toBe('mooncake-csv');
    expect(detect('vidur-conv-poisson1-n10000.csv')).toBe('vidur');
    expect(detect('example-native.csv')).toBe('llmsim');
  });
});

describe('Azure quirks', () => {
  it('reads CRLF text with no final newline, and 7-digit fractions 100 ns apart stay apart', () => {
    const text = 'TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46.6805900,10,5\r\n2023-11-16 18:15:46.6805901,11,6\r\n2023-11-16 18:15:46.6805901,12,7';
    const r = parseAzureCsv(text, 'x.csv');
    expect(r.map((x) => x.promptTokens)).toEqual([10, 11, 12]);
    expect(r[1]!.arrivalS).toBeGreaterThan(r[0]!.arrivalS);
    expect(r[1]!.arrivalS).toBeCloseTo(1e-7, 15);
    expect(r[2]!.arrivalS).toBe(r[1]!.arrivalS);
  });

  it('keeps 100 ns resolution an hour in and across midnight and month ends', () => {
    const text = [
      'TIMESTAMP,ContextTokens,GeneratedTokens',
      '2023-11-30 23:59:59.9999999,1,1',
      '2023-12-01 00:00:00.0000000,1,1',
      '2023-12-01 00:59:59.9999999,1,1',
      '2023-12-01 01:00:00.0000000,1,1',
    ].join('\n');
    const r = parseAzureCsv(text, 'x.csv');
    expect(r[1]!.arrivalS).toBeCloseTo(1e-7, 15);
    expect(r[3]!.arrivalS - r[2]!.arrivalS).toBeCloseTo(1e-7, 9);
    expect(r[3]!.arrivalS).toBeCloseTo(3600.0000001, 9);
  });

  it('parses timestamps exactly, with optional zone suffixes, and rejects impossible dates', () => {
    // 2023-11-16 is day 19677 since 1970-01-01.
    expect(parseTimestamp('2023-11-16 18:15:46.6805900')).toEqual({ wholeS: 19677 * 86400 + 18 * 3600 + 15 * 60 + 46, nanos: 680_590_000 });
    expect(parseTimestamp('2024-02-29T00:00:00+01:00')).toEqual({ wholeS: 19782 * 86400 - 3600, nanos: 0 });
    expect(parseTimestamp('2024-05-10 00:00:00.009930Z')).toEqual({ wholeS: 19853 * 86400, nanos: 9_930_000 });
    expect(parseTimestamp('2023-02-29 00:00:00')).toBeUndefined();
    expect(parseTimestamp('2023-11-16 24:00:00')).toBeUndefined();
    expect(parseTimestamp('16/11/2023 18:15')).toBeUndefined();
  });

  it('reads 1 to 9 fractional digits as nanoseconds, and each day right when days alternate', () => {
    const digits = '123456789';
    for (let k = 1; k <= 9; k++) expect(parseTimestamp(`2023-11-16 00:00:00.${digits.slice(0, k)}`)!.nanos).toBe(Number(digits.slice(0, k).padEnd(9, '0')));
    // Days 19677 (2023-11-16), 19678 and 0 (1970-01-01), back and forth: no day carries over to another.
    const days = [['2023-11-16', 19677], ['2023-11-17', 19678], ['2023-11-16', 19677], ['1970-01-01', 0], ['2023-11-17', 19678]] as const;
    for (const [day, n] of days) expect(parseTimestamp(`${day} 01:02:03`)).toEqual({ wholeS: n * 86400 + 3723, nanos: 0 });
    // An impossible date after a valid one of the same month is still refused.
    expect(parseTimestamp('2023-02-28 00:00:00')).toEqual({ wholeS: 19416 * 86400, nanos: 0 });
    expect(parseTimestamp('2023-02-29 00:00:00')).toBeUndefined();
  });
});
