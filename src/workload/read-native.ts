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

/** A native row reader: `row` for a row's cells, `lineAt` for a plain row read straight from the file's bytes. */
export interface NativeReader {
  row(row: string[], line: number | undefined): DraftRequest;
  /**
   * The row of the line starting at `data[pos]` (file line `line`) when it is a plain row: the
   * three required cells written as plain decimals, valid, in order, and then LF or CR LF.
   * Anything else, including every row with an error, gives undefined with nothing changed: then
   * read the line with `row`, which reports it. The caller guarantees an LF in `data` at or after
   * `pos` (LineReader.heldLine), which stops every scan. After a row: its line ends at
   * `lineStop` (before the CR LF or LF) and the next line starts at `lineNext`.
   */
  lineAt(data: Uint8Array, pos: number, line: number): DraftRequest | undefined;
  lineStop: number;
  lineNext: number;
}

/**
 * Checks a native header and returns the readers of its rows (`NativeReader`), called once per
 * row in file order: what `parseNativeCsv` and the streamed trace reader (stream-trace.ts) share.
 */
export function nativeReader(table: Pick<CsvTable, 'file' | 'header' | 'headerLine'>): NativeReader {
  const { file } = table;
  const col = findColumns(table, 'llmsim', NATIVE_COLUMNS, NATIVE_OPTIONAL_COLUMNS, true);
  if (col.arrival_s !== 0 || col.prompt_tokens !== 1 || col.output_tokens !== 2) {
    throw new InputError({ file, line: table.headerLine }, `expected the header to start with ${NATIVE_COLUMNS.join(',')}, found ${describeValue(table.header.join(','))}`);
  }
  // The previous row's arrival time, as a field: a closure's `let` holding a fractional number is a
  // boxed number, reallocated at each assignment (once per row).
  const prev = { arrivalS: 0 };
  let prevLine: number | undefined;
  let i = 0;
  const book = createSegmentBook<string>((_label, seen) => seen);
  const threeColumns = table.header.length === 3;
  const read = (row: string[], line: number | undefined): DraftRequest => {
    const arrivalS = parseTimeCell(row[0], { file, line, field: 'arrival_s' });
    if (i > 0) checkOrder(prev.arrivalS, arrivalS, prevLine, { file, line, field: 'arrival_s' });
    // Native times are run time (not shifted): the span counts from 0.
    checkSpan(0, arrivalS, { file, line, field: 'arrival_s' });
    prev.arrivalS = arrivalS;
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
  const reader: NativeReader = {
    lineStop: 0,
    lineNext: 0,
    // Rows of just the three required cells, written as plain decimals and valid: built here from
    // the bytes, without a string, a split or a regular expression, in one pass that also finds
    // the line end. Each cell is read up to the first byte that is not part of it, which must be
    // the comma after it (the line end after the last). The time has 1 to 15 digits and at most
    // one `.`: its digits as an integer m are exact, and so is 10^k, so m / 10^k, one correctly
    // rounded division, is the double nearest the decimal, what Number() gives (Clinger's fast
    // path). Token cells are 1 to 9 digits (so in int32 range), no `.`; a token cell such as `2.0`
    // goes to the full reader, which reads the same.
    lineAt(data, pos, line) {
      if (!threeColumns) return undefined;
      // arrival_s
      let m = 0;
      let digits = 0;
      let point = -1;
      let j = pos;
      let c = data[j]!;
      for (;;) {
        if (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          digits++;
        } else if (c === 46 && point < 0) point = j;
        else break;
        c = data[++j]!;
      }
      if (c !== COMMA || digits === 0 || digits > 15) return undefined;
      const arrivalS = point < 0 ? m : m / POW10[j - point - 1]!;
      // prompt_tokens, then output_tokens
      let p = 0;
      let k = ++j;
      c = data[j]!;
      while (c >= 48 && c <= 57) {
        p = p * 10 + (c - 48);
        c = data[++j]!;
      }
      if (c !== COMMA || j === k || j - k > 9) return undefined;
      let o = 0;
      k = ++j;
      c = data[j]!;
      while (c >= 48 && c <= 57) {
        o = o * 10 + (c - 48);
        c = data[++j]!;
      }
      if (j === k || j - k > 9) return undefined;
      let next = j + 1;
      if (c !== LF) {
        if (c !== CR || data[next] !== LF) return undefined;
        next++;
      }
      if (!(arrivalS <= MAX_TIME_S) || (i > 0 && arrivalS < prev.arrivalS)) return undefined;
      if (p < 1 || p > MAX_TOKENS || o < 1 || o > MAX_TOKENS) return undefined;
      prev.arrivalS = arrivalS;
      prevLine = line;
      reader.lineStop = j;
      reader.lineNext = next;
      return { id: i++, arrivalS, promptTokens: p, outputTokens: o };
    },
    row: read,
  };
  return reader;
}

// Exact powers of ten (all of 10^0..10^22 are doubles).
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

const COMMA = 44;
const LF = 10;
const CR = 13;
