import { InputError, describeValue } from '../errors.js';
import { MAX_TIME_S } from '../limits.js';
import { checkOrder, parseNumberCell, parseTokenCell, type CellPlace } from './cells.js';
import { findColumns, readCsvTable } from './csv-table.js';
import type { DraftRequest } from './draft.js';
import { parsePrefixCell } from './prefix-cell.js';
import { parseTimestamp } from './read-azure.js';
import { repeatedKey } from './read-mooncake.js';
import { createSegmentBook } from './segment-book.js';

/** `trace.columns`: which column (CSV header name or JSON key) holds each request field. */
export interface ColumnMap {
  readonly arrival: string;
  readonly promptTokens: string;
  readonly outputTokens: string;
  readonly model?: string;
  readonly class?: string;
  /** Prefix segments in the native `label:tokens ...` syntax. */
  readonly prefix?: string;
}

/** `trace.time`: how the arrival column is written. */
export interface TimeFormat {
  /** Unit of numeric arrivals: seconds, milliseconds or microseconds. */
  readonly unit: 's' | 'ms' | 'us';
  /** relative: times from the run's start, kept as written; epoch: numbers since 1970; iso8601: `2024-05-01T12:00:00.250Z`. Epoch and ISO times are made relative to the first row. */
  readonly format: 'relative' | 'epoch' | 'iso8601';
}

const PER_S = { s: 1, ms: 1e3, us: 1e6 } as const;

/**
 * Reads any CSV (header row) or JSON-lines file through a column map: arrival, prompt and output
 * tokens required, model, class and prefix optional; other columns are ignored. Rows must be
 * sorted by arrival. Numeric arrivals are divided by the unit; ISO 8601 timestamps (a `Z` or
 * `+hh:mm` offset, none = UTC) and epoch numbers are made relative to the first row, exactly
 * (ISO: whole seconds and nanoseconds apart, as the Azure reader).
 */
export function parseColumnsTrace(text: string, file: string, map: ColumnMap, time: TimeFormat): DraftRequest[] {
  const jsonl = /\.jsonl$/i.test(file) || firstChar(text) === '{';
  const rows = jsonl ? jsonRows(text, file) : csvRows(text, file, map);
  const out: DraftRequest[] = new Array(rows.length);
  const book = createSegmentBook<string>((_label, seen) => seen);
  let first: { wholeS: number; nanos: number } | number | undefined;
  let prev = -Infinity;
  let prevLine: number | undefined;
  for (let i = 0; i < rows.length; i++) {
    const { get, line } = rows[i]!;
    const place = (field: string): CellPlace => ({ file, line, field });
    const at = place(map.arrival);
    let arrivalS: number;
    if (time.format === 'iso8601') {
      const cell = get(map.arrival);
      const t = typeof cell === 'string' ? parseTimestamp(cell) : undefined;
      if (!t) throw new InputError(at, `expected an ISO 8601 timestamp like 2024-05-01T12:00:00.250Z, found ${describeValue(cell)}`);
      const f = (first ??= t) as { wholeS: number; nanos: number };
      arrivalS = t.wholeS - f.wholeS + (t.nanos - f.nanos) * 1e-9;
    } else {
      const v = parseNumberCell(get(map.arrival) as string | number | undefined, at) / PER_S[time.unit];
      if (time.format === 'relative' && v < 0) throw new InputError(at, `expected a time >= 0, found ${describeValue(get(map.arrival))}`);
      const f = (first ??= v) as number;
      arrivalS = time.format === 'epoch' ? v - f : v;
    }
    if (i > 0) checkOrder(prev, arrivalS, prevLine, at);
    if (arrivalS > MAX_TIME_S) throw new InputError(at, `expected an arrival at most ${MAX_TIME_S} s${time.format === 'relative' ? '' : " after the first row's"}, found ${arrivalS} s`);
    prev = arrivalS;
    prevLine = line;
    const d: DraftRequest = {
      id: i,
      arrivalS,
      promptTokens: parseTokenCell(get(map.promptTokens) as string | number | undefined, place(map.promptTokens)),
      outputTokens: parseTokenCell(get(map.outputTokens) as string | number | undefined, place(map.outputTokens)),
    };
    const text = (key: string | undefined) => {
      if (key === undefined) return '';
      const v = get(key);
      if (v === undefined || v === null) return '';
      if (typeof v !== 'string' && typeof v !== 'number') throw new InputError(place(key), `expected text, found ${describeValue(v)}`);
      return String(v).trim();
    };
    const model = text(map.model);
    if (model !== '') d.model = model;
    const cls = text(map.class);
    if (cls !== '') d.class = cls;
    if (map.prefix !== undefined) {
      const prefix = parsePrefixCell(text(map.prefix), d.promptTokens, place(map.prefix), book);
      if (prefix) d.prefix = prefix;
    }
    out[i] = d;
  }
  return out;
}

interface Row {
  readonly line: number | undefined;
  get(key: string): unknown;
}

function firstChar(text: string): string {
  const m = /\S/.exec(text.slice(0, 4096));
  return m ? m[0] : '';
}

function csvRows(text: string, file: string, map: ColumnMap): Row[] {
  const table = readCsvTable(text, file);
  const required = [map.arrival, map.promptTokens, map.outputTokens];
  const optional = [map.model, map.class, map.prefix].filter((c): c is string => c !== undefined);
  const col = findColumns(table, 'trace.columns', required, optional) as Record<string, number>;
  for (const name of optional) if (col[name] === -1) throw new InputError({ file, line: table.headerLine, field: name }, `expected the column trace.columns names, found a header without it (${describeValue(table.header.join(','))})`);
  return table.rows.map((row, i) => ({ line: table.lines[i], get: (key: string) => row[col[key]!] }));
}

function jsonRows(text: string, file: string): Row[] {
  const rows: Row[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const t = raw.trim();
    if (t === '' || (line === 1 && t === '\ufeff')) continue;
    const body = line === 1 && t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
    let obj: unknown;
    try {
      obj = JSON.parse(body);
    } catch (err) {
      throw new InputError({ file, line }, `expected a JSON object per line, found invalid JSON (${(err as Error).message})`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new InputError({ file, line }, `expected a JSON object per line, found ${describeValue(obj)}`);
    const twice = repeatedKey(body);
    if (twice !== undefined) throw new InputError({ file, line, field: twice }, `expected each key once per JSON line, found "${twice}" twice`);
    const o = obj as Record<string, unknown>;
    const at = line;
    rows.push({ line: at, get: (key) => o[key] });
  }
  if (rows.length === 0) throw new InputError({ file, line: 1 }, 'expected at least one JSON line, found an empty file');
  return rows;
}
