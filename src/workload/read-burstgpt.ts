import { checkOrder, checkSpan, parseNumberCell, parseTokenCell } from './cells.js';
import { findColumns, readCsvTable } from './csv-table.js';
import type { DraftRequest } from './draft.js';

/** Columns of the BurstGPT trace (HPMLL/BurstGPT, data/BurstGPT_*.csv); `Total tokens` and `Log Type` are read but not needed. */
export const BURSTGPT_COLUMNS = ['Timestamp', 'Model', 'Request tokens', 'Response tokens'] as const;

/**
 * Reads a BurstGPT trace: `Timestamp` (seconds from the trace's start), `Model` (ChatGPT or
 * GPT-4: kept as the request's model), `Request tokens`, `Response tokens`, `Total tokens`,
 * `Log Type` (Conversation log / API log: kept as the request's class). Failed requests, logged
 * with 0 response tokens (BurstGPT_1.csv and _2.csv have them; the `_without_fails` files do
 * not), are left out, as are rows with 0 request tokens: they are failures, not work. Anything
 * else that is not a whole number of tokens is an error at its line.
 */
export function parseBurstGptCsv(text: string, file: string): DraftRequest[] {
  const table = readCsvTable(text, file);
  const col = findColumns(table, 'burstgpt', BURSTGPT_COLUMNS, ['Total tokens', 'Log Type']);
  const out: DraftRequest[] = [];
  let prev = 0;
  let first = 0;
  let prevLine: number | undefined;
  for (let i = 0; i < table.rows.length; i++) {
    const row = table.rows[i]!;
    const line = table.lines[i];
    const place = { file, line, field: 'Timestamp' };
    const t = parseNumberCell(row[col.Timestamp], place);
    if (i > 0) checkOrder(prev, t, prevLine, place);
    if (i === 0) first = t;
    checkSpan(first, t, place);
    prev = t;
    prevLine = line;
    if (row[col['Response tokens']]!.trim() === '0' || row[col['Request tokens']]!.trim() === '0') continue; // a failed request
    const d: DraftRequest = {
      id: out.length,
      arrivalS: t,
      promptTokens: parseTokenCell(row[col['Request tokens']], { file, line, field: 'Request tokens' }),
      outputTokens: parseTokenCell(row[col['Response tokens']], { file, line, field: 'Response tokens' }),
    };
    const model = row[col.Model]!.trim();
    if (model !== '') d.model = model;
    const type = col['Log Type'] >= 0 ? row[col['Log Type']]!.trim() : '';
    if (type !== '') d.class = type;
    out.push(d);
  }
  return out;
}
