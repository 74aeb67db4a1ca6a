import { InputError, describeValue } from '../errors.js';
import { MAX_TIME_S, MAX_TOKENS } from '../limits.js';
import { checkOrder, checkSpan, parseNumberCell, parseTimeCell, parseTokenCell } from './cells.js';
import { findColumns, readRows, type CsvTable } from './csv-table.js';
import type { DraftRequest } from './draft.js';
import { parsePrefixCell } from './prefix-cell.js';
import { createSegmentBook } from './segment-book.js';

/** Required leading columns of the native format, in this order. */
export const NATIVE_COLUMNS = ['arrival_s', 'prompt_tokens', 'output_tokens'] as const;
/** Optional native columns, in any order after the required ones. */
export const NATIVE_OPTIONAL_COLUMNS = ['model', 'uncertainty', 'deadline_s', 'class', 'prefix'] as const;

/**
 * Reads llmsim's own CSV: `arrival_s,prompt_tokens,output_tokens` first, then any of `model`,
 * `uncertainty` (in [0, 1]), `deadline_s` (relative, > 0), `class` and `prefix` (named segments
 * such as `sys3:128 user3-7:64`, see `parsePrefixCell`; labels become ids 0, 1, ... in order of
 * first appearance), in any order. An empty optional cell means "not given". Times are seconds from the start of the run and are kept as
 * they are (not shifted to 0), so a deliberate idle lead-in survives. Unknown columns are errors,
 * since in our own format they are most likely typos.
 */
export function parseNativeCsv(text: string, file: string): DraftRequest[] {
  return readRows(text, file, nativeRowReader);
}

/**
 * Checks a native header and returns the reader of its rows, called once per row in file order
 * (it checks arrival order against the row before): what `parseNativeCsv` and the streamed trace
 * reader (stream-trace.ts) share.
 */
export function nativeRowReader(table: Pick<CsvTable, 'file' | 'header' | 'headerLine'>): (row: string[], line: number | undefined) => DraftRequest {
  return nativeReader(table).row;
}

/**
 * A native row reader (`row`), and `fast`: the same for a row given as its line's bytes
 * (`data[start, stop)`, as the streamed trace reader holds it), or undefined where it needs the full reader.
 */
export function nativeReader(table: Pick<CsvTable, 'file' | 'header' | 'headerLine'>): {
  row: (row: string[], line: number | undefined) => DraftRequest;
  fast: (data: Uint8Array, start: number, stop: number, line: number | undefined) => DraftRequest | undefined;
} {
  const { file } = table;
  const col = findColumns(table, 'llmsim', NATIVE_COLUMNS, NATIVE_OPTIONAL_COLUMNS, true);
  if (col.arrival_s !== 0 || col.prompt_tokens !== 1 || col.output_tokens !== 2) {
    throw new InputError({ file, line: table.headerLine }, `expected the header to start with ${NATIVE_COLUMNS.join(',')}, found ${describeValue(table.header.join(','))}`);
  }
  let prev = 0;
  let prevLine: number | undefined;
  let i = 0;
  const book = createSegmentBook<string>((_label, seen) => seen);
  const threeColumns = table.header.length === 3;
  // Rows of just the three required cells, written as plain decimals and valid: built here from
  // the bytes, without a string, a split or a regular expression; anything else, including every
  // row with an error, goes through `row`, which reports it.
  // One pass over the bytes: each cell is read up to the first byte that is neither a digit nor
  // its first `.`, which must be the comma after it (the line's end after the last).
  let at = 0;
  const cell = (data: Uint8Array, start: number, stop: number): number => {
    let m = 0;
    let digits = 0;
    let point = -1;
    let j = start;
    for (; j < stop; j++) {
      const c = data[j]!;
      if (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        digits++;
      } else if (c === 46 && point < 0) point = j;
      else break;
    }
    at = j;
    return plainDecimal(m, digits, point < 0 ? 0 : j - point - 1);
  };
  const fast = (data: Uint8Array, start: number, stop: number, line: number | undefined): DraftRequest | undefined => {
    if (!threeColumns) return undefined;
    const arrivalS = cell(data, start, stop);
    if (at >= stop || data[at] !== COMMA) return undefined;
    const promptTokens = cell(data, at + 1, stop);
    if (at >= stop || data[at] !== COMMA) return undefined;
    const outputTokens = cell(data, at + 1, stop);
    if (at !== stop) return undefined;
    if (!(arrivalS <= MAX_TIME_S) || (i > 0 && arrivalS < prev)) return undefined;
    if (!(promptTokens >= 1 && promptTokens <= MAX_TOKENS && Number.isInteger(promptTokens))) return undefined;
    if (!(outputTokens >= 1 && outputTokens <= MAX_TOKENS && Number.isInteger(outputTokens))) return undefined;
    prev = arrivalS;
    prevLine = line;
    return { id: i++, arrivalS, promptTokens, outputTokens };
  };
  const row = (row: string[], line: number | undefined): DraftRequest => {
    const arrivalS = parseTimeCell(row[0], { file, line, field: 'arrival_s' });
    if (i > 0) checkOrder(prev, arrivalS, prevLine, { file, line, field: 'arrival_s' });
    // Native times are run time (not shifted): the span counts from 0.
    checkSpan(0, arrivalS, { file, line, field: 'arrival_s' });
    prev = arrivalS;
    prevLine = line;
    const d: DraftRequest = {
      id: i++,
      arrivalS,
      promptTokens: parseTokenCell(row[1], { file, line, field: 'prompt_tokens' }),
      outputTokens: parseTokenCell(row[2], { file, line, field: 'output_tokens' }),
    };
    const model = col.model >= 0 ? row[col.model]!.trim() : '';
    if (model !== '') d.model = model;
    const u = col.uncertainty >= 0 ? row[col.uncertainty]! : '';
    if (u.trim() !== '') {
      const place = { file, line, field: 'uncertainty' };
      d.uncertainty = parseNumberCell(u, place);
      if (d.uncertainty < 0 || d.uncertainty > 1) throw new InputError(place, `expected an uncertainty score in [0, 1], found ${describeValue(u)}`);
    }
    const deadline = col.deadline_s >= 0 ? row[col.deadline_s]! : '';
    if (deadline.trim() !== '') {
      const place = { file, line, field: 'deadline_s' };
      d.deadlineS = parseNumberCell(deadline, place);
      if (d.deadlineS <= 0) throw new InputError(place, `expected a relative deadline > 0 s, found ${describeValue(deadline)}`);
    }
    const cls = col.class >= 0 ? row[col.class]!.trim() : '';
    if (cls !== '') d.class = cls;
    const prefix = col.prefix >= 0 ? parsePrefixCell(row[col.prefix]!, d.promptTokens, { file, line, field: 'prefix' }, book) : undefined;
    if (prefix) d.prefix = prefix;
    return d;
  };
  return { row, fast };
}

// Exact powers of ten (all of 10^0..10^22 are doubles).
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

const COMMA = 44;

/**
 * The value of a cell of `digits` decimal digits (their integer `m`) with `decimals` of them after a
 * `.`, when it has 1 to 15 digits, else NaN. Equal to Number() of the cell's text: m is an exact
 * integer < 2^53 and 10^k is exact, so m / 10^k, one correctly rounded division, is the double
 * nearest the decimal (Clinger's fast path).
 */
function plainDecimal(m: number, digits: number, decimals: number): number {
  if (digits === 0 || digits > 15) return NaN;
  return decimals === 0 ? m : m / POW10[decimals]!;
}
