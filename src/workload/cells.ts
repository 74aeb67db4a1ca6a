import { InputError, describeValue } from '../errors.js';

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

/** Parses a token count: a whole number >= 1. */
export function parseTokenCell(cell: string | number | undefined, place: CellPlace): number {
  const v = parseNumberCell(cell, place);
  if (!Number.isInteger(v) || v < 1) throw new InputError(place, `expected a whole number of tokens >= 1, found ${describeValue(cell)}`);
  return v;
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
