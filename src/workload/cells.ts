import { InputError, describeValue } from '../errors.js';
import { MAX_TIME_S, MAX_TOKENS } from '../limits.js';

/** Where a cell is: file, line and column (field) name, for error messages. */
export interface CellPlace {
  file: string;
  line: number | undefined;
  field: string;
}

/**
 * Parses a decimal number cell. Unlike Number(), an empty cell is not 0, and NaN, Infinity and
 * hex are refused: a trace with such values is broken and should say so at the line.
 */
export function parseNumberCell(cell: string | number | undefined, place: CellPlace): number {
  const v = typeof cell === 'number' ? cell : typeof cell === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(cell) ? Number(cell) : NaN;
  if (!Number.isFinite(v)) throw new InputError(place, `expected a finite number, found ${describeValue(cell)}`);
  return v;
}

/** Up to 15 digits: a whole number that Number() reads exactly and that parseTokenCell accepts as is when in range. */
const PLAIN_DIGITS = /^\d{1,15}$/;

/**
 * parseTokenCell of the cell at `file`:`line` in column `field`, for readers that parse a cell per
 * row: a plain digit string in range is read at once, and the place object is made only for the
 * other cells (parseTokenCell's checks and messages).
 */
export function tokenCellAt(cell: string | undefined, file: string, line: number | undefined, field: string): number {
  if (cell !== undefined && PLAIN_DIGITS.test(cell)) {
    const v = Number(cell);
    if (v >= 1 && v <= MAX_TOKENS) return v;
  }
  return parseTokenCell(cell, { file, line, field });
}

/** Parses a token count: a whole number in [1, MAX_TOKENS]. */
export function parseTokenCell(cell: string | number | undefined, place: CellPlace): number {
  const v = parseNumberCell(cell, place);
  if (!Number.isInteger(v) || v < 1) throw new InputError(place, `expected a whole number of tokens >= 1, found ${describeValue(cell)}`);
  if (v > MAX_TOKENS) throw new InputError(place, `expected at most ${MAX_TOKENS} tokens, found ${describeValue(cell)}`);
  return v;
}

/**
 * Arrival times must fit a simulation: at most MAX_TIME_S after the trace's first arrival (its
 * clock may start at any epoch; `first` is that arrival in the cell's unit, `perS` units a second).
 */
export function checkSpan(first: number, cur: number, place: CellPlace, perS = 1): void {
  if ((cur - first) / perS > MAX_TIME_S) {
    const unit = perS !== 1 ? ` (${MAX_TIME_S * perS} in this column's unit)` : '';
    throw new InputError(place, `expected an arrival time at most ${MAX_TIME_S} s${first === 0 ? '' : " after the first row's"}${unit}, found ${cur}`);
  }
}

/** Parses a non-negative time in seconds. */
export function parseTimeCell(cell: string | number | undefined, place: CellPlace): number {
  const v = parseNumberCell(cell, place);
  if (v < 0) throw new InputError(place, `expected a time >= 0, found ${describeValue(cell)}`);
  return v;
}

/**
 * Arrival-order check: traces must be sorted, since reordering silently would hide a broken file
 * (and ties keep file order). Names the offending row and the previous row's time.
 */
export function checkOrder(prev: number, cur: number, prevLine: number | undefined, place: CellPlace, show: (t: number) => string = String): void {
  if (cur < prev) {
    throw new InputError(place, `expected arrival times in non-decreasing order: a time >= ${show(prev)} (the previous row${prevLine !== undefined ? `, line ${prevLine}` : ''}), found ${show(cur)}`);
  }
}
