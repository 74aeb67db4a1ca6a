import { InputError, describeValue } from '../errors.js';
import { checkOrder, checkSpan, parseNumberCell, tokenCellAt } from './cells.js';
import { findColumns, readRows, type CsvTable } from './csv-table.js';
import type { DraftRequest } from './draft.js';

/** Required columns of a Vidur request list (others are ignored). */
export const VIDUR_COLUMNS = ['request_id', 'arrived_at', 'num_prefill_tokens', 'num_decode_tokens'] as const;

/**
 * Reads a Vidur request list (`request_id,arrived_at,num_prefill_tokens,num_decode_tokens`,
 * arrival in seconds). `request_id` must be a whole number, each once (a repeated id is a
 * duplicated row), but is not kept: llmsim numbers requests by arrival order.
 */
export function parseVidurCsv(text: string, file: string): DraftRequest[] {
  return readRows(text, file, vidurRowReader);
}

/**
 * Checks a Vidur header and returns the reader of its rows, called once per row in file order (it
 * checks order, span and ids against the rows before): what `parseVidurCsv` and streamed runs
 * share. Arrivals are as written (the caller shifts them to start at 0).
 */
export function vidurRowReader(table: Pick<CsvTable, 'file' | 'header' | 'headerLine'>): (row: string[], line: number | undefined) => DraftRequest {
  const { file } = table;
  const col = findColumns(table, 'vidur', VIDUR_COLUMNS);
  let i = 0;
  let prev = 0;
  let prevLine: number | undefined;
  let first = 0;
  // Ids by value: a number when it has at most 15 digits (exact), else its decimal text without leading zeros.
  const idLine = new Map<number | string, number | undefined>();
  return (row, line) => {
    const idText = row[col.request_id]!.trim();
    if (!/^\d+$/.test(idText)) throw new InputError({ file, line, field: 'request_id' }, `expected a whole-number request id, found ${describeValue(row[col.request_id])}`);
    const id = idKey(idText);
    if (idLine.has(id)) throw new InputError({ file, line, field: 'request_id' }, `expected each request id once, found ${idText} again (first at line ${idLine.get(id)})`);
    idLine.set(id, line);
    const place = { file, line, field: 'arrived_at' };
    const arrivalS = parseNumberCell(row[col.arrived_at], place);
    if (i > 0) checkOrder(prev, arrivalS, prevLine, place);
    else first = arrivalS;
    checkSpan(first, arrivalS, place);
    prev = arrivalS;
    prevLine = line;
    return {
      id: i++,
      arrivalS,
      promptTokens: tokenCellAt(row[col.num_prefill_tokens], file, line, 'num_prefill_tokens'),
      outputTokens: tokenCellAt(row[col.num_decode_tokens], file, line, 'num_decode_tokens'),
    };
  };
}

/** The duplicate-id key of a whole-number id's digits: equal for equal values ("007" and "7"). */
function idKey(digits: string): number | string {
  if (digits.length <= 15) return Number(digits);
  const text = String(BigInt(digits));
  return text.length <= 15 ? Number(text) : text;
}
