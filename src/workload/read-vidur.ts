import { checkOrder, parseNumberCell, parseTokenCell } from './cells.js';
import { findColumns, readCsvTable } from './csv-table.js';
import type { DraftRequest } from './draft.js';

/** Required columns of a Vidur request list (others are ignored). */
export const VIDUR_COLUMNS = ['request_id', 'arrived_at', 'num_prefill_tokens', 'num_decode_tokens'] as const;

/**
 * Reads a Vidur request list (`request_id,arrived_at,num_prefill_tokens,num_decode_tokens`,
 * arrival in seconds). `request_id` is not kept: llmsim numbers requests by arrival order.
 */
export function parseVidurCsv(text: string, file: string): DraftRequest[] {
  const table = readCsvTable(text, file);
  const col = findColumns(table, 'vidur', VIDUR_COLUMNS);
  const out: DraftRequest[] = new Array(table.rows.length);
  let prev = 0;
  for (let i = 0; i < table.rows.length; i++) {
    const row = table.rows[i]!;
    const line = table.lines[i];
    const place = { file, line, field: 'arrived_at' };
    const arrivalS = parseNumberCell(row[col.arrived_at], place);
    if (i > 0) checkOrder(prev, arrivalS, table.lines[i - 1], place);
    prev = arrivalS;
    out[i] = {
      id: i,
      arrivalS,
      promptTokens: parseTokenCell(row[col.num_prefill_tokens], { file, line, field: 'num_prefill_tokens' }),
      outputTokens: parseTokenCell(row[col.num_decode_tokens], { file, line, field: 'num_decode_tokens' }),
    };
  }
  return out;
}
