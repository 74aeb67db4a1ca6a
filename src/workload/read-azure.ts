import { InputError, describeValue } from '../errors.js';
import { MAX_TIME_S } from '../limits.js';
import { tokenCellAt } from './cells.js';
import { findColumns, readRows, type CsvTable } from './csv-table.js';
import type { DraftRequest } from './draft.js';

/** Columns of the Azure LLM inference trace 2023 (AzurePublicDataset). */
export const AZURE_COLUMNS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;

/** An exact instant: whole seconds since 1970 (UTC) plus nanoseconds, both integers. */
export interface ExactTime {
  wholeS: number;
  nanos: number;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses `YYYY-MM-DD HH:MM:SS.fffffff` (1-9 fractional digits; a `Z` or `+HH:MM` suffix is
 * honoured, none means UTC) into integers, so no precision is lost: a double holding seconds since
 * 1970 has only ~0.2 us resolution, too coarse for the trace's 100 ns digits. Returns undefined
 * for text that is not such a timestamp or names an impossible date.
 */
export function parseTimestamp(text: string): ExactTime | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  // Groups by index, not destructured: a trace parses once per run, mostly before V8 optimizes
  // this, and the interpreter runs array destructuring through the iterator protocol.
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  const frac = m[7];
  const zone = m[8];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || h > 23 || mi > 59 || s > 59) return undefined;
  // Rows of a trace share their day: its midnight is computed once per day, not per row.
  if (year !== dayOf.year || month !== dayOf.month || day !== dayOf.day) (dayOf.year = year), (dayOf.month = month), (dayOf.day = day), (dayOf.ms = Date.UTC(year, month - 1, day));
  let offsetS = 0;
  if (zone && zone !== 'Z') {
    const digits = zone.replace(':', '');
    offsetS = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60);
  }
  const wholeS = dayOf.ms / 1000 + h * 3600 + mi * 60 + s - offsetS;
  // frac has 1-9 digits: its value times 10^(9 - digits), exact (an integer below 1e9), is what
  // reading it padded to 9 digits gives.
  const nanos = frac ? Number(frac) * NANO_SCALE[frac.length]! : 0;
  return { wholeS, nanos };
}

/** The day parseTimestamp saw last and its midnight (ms since 1970, UTC). */
const dayOf = { year: -1, month: -1, day: -1, ms: 0 };
/** 10^(9 - k): the nanoseconds of one unit of a k-digit fraction of a second. */
const NANO_SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1];

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Reads an Azure LLM 2023 trace (`TIMESTAMP,ContextTokens,GeneratedTokens`; extra columns are
 * ignored). Arrival times are exact differences from the first row's timestamp, so the first
 * request arrives at 0 and two timestamps 100 ns apart stay 100 ns apart.
 */
export function parseAzureCsv(text: string, file: string): DraftRequest[] {
  return readRows(text, file, azureRowReader);
}

/**
 * Checks an Azure header and returns the reader of its rows, called once per row in file order
 * (arrivals count from the first row's timestamp; order is checked against the row before): what
 * `parseAzureCsv` and streamed runs share.
 */
export function azureRowReader(table: Pick<CsvTable, 'file' | 'header' | 'headerLine'>): (row: string[], line: number | undefined) => DraftRequest {
  const { file } = table;
  const col = findColumns(table, 'azure', AZURE_COLUMNS);
  let i = 0;
  let first: ExactTime | undefined;
  let prev: ExactTime = { wholeS: 0, nanos: 0 };
  let prevText = '';
  let prevLine: number | undefined;
  let firstText = '';
  return (row, line) => {
    const stamp = row[col.TIMESTAMP]!;
    const t = parseTimestamp(stamp);
    if (!t) throw new InputError({ file, line, field: 'TIMESTAMP' }, `expected a timestamp like 2023-11-16 18:15:46.6805900, found ${describeValue(stamp)}`);
    if (first === undefined) (first = t), (firstText = stamp.trim());
    else if (t.wholeS < prev.wholeS || (t.wholeS === prev.wholeS && t.nanos < prev.nanos)) {
      throw new InputError({ file, line, field: 'TIMESTAMP' }, `expected arrival times in non-decreasing order: a time >= ${prevText} (the previous row, line ${prevLine}), found ${stamp.trim()}`);
    }
    if (t.wholeS - first.wholeS > MAX_TIME_S) throw new InputError({ file, line, field: 'TIMESTAMP' }, `expected an arrival at most ${MAX_TIME_S} s after the first row's (${firstText}), found ${stamp.trim()}`);
    prev = t;
    prevText = stamp.trim();
    prevLine = line;
    return {
      id: i++,
      // Both differences are exact integers; only the final sum rounds.
      arrivalS: t.wholeS - first.wholeS + (t.nanos - first.nanos) * 1e-9,
      promptTokens: tokenCellAt(row[col.ContextTokens], file, line, 'ContextTokens'),
      outputTokens: tokenCellAt(row[col.GeneratedTokens], file, line, 'GeneratedTokens'),
    };
  };
}
