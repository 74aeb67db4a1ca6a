import { InputError, describeValue } from '../errors.js';
import { checkOrder, checkSpan, parseTimeCell, parseTokenCell } from './cells.js';
import { findColumns, readRows, type CsvTable } from './csv-table.js';
import type { DraftRequest } from './draft.js';
import { hashIdsToPrefix } from './mooncake-prefix.js';
import { createSegmentBook } from './segment-book.js';

/** Required columns of the Mooncake no-hash CSV (`num_hash_blocks` and others are ignored). */
export const MOONCAKE_COLUMNS = ['timestamp', 'input_length', 'output_length'] as const;

/** How to replay Mooncake's quantized timestamps. */
export type MooncakeArrivals = 'spread' | 'burst';

/**
 * Reads a Mooncake JSONL trace: one object per line with `timestamp` (ms), `input_length` and
 * `output_length` (tokens), and optionally `hash_ids`: one id per 512-token block of the prompt,
 * which become the request's prefix segments, 512 tokens each except the last, which covers the
 * rest of input_length (see `hashIdsToPrefix`). No `hash_ids` key means no prefix. Other keys are
 * ignored; blank lines are skipped. Times become seconds; see `spreadQuantizedArrivals`.
 */
export function parseMooncakeJsonl(text: string, file: string, arrivals: MooncakeArrivals = 'spread'): DraftRequest[] {
  const out: DraftRequest[] = [];
  const read = mooncakeJsonReader(file);
  let line = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw !== '') out.push(read(raw, line));
  }
  if (out.length === 0) throw new InputError({ file, line: 1 }, MOONCAKE_EMPTY);
  if (arrivals === 'spread') spreadQuantizedArrivals(out);
  return out;
}

/** The error of a Mooncake JSONL file without a line. */
export const MOONCAKE_EMPTY = 'expected at least one JSON line, found an empty file';

/**
 * The reader of a Mooncake JSONL file's non-blank lines (trimmed), called once per line in file
 * order (it checks order and span against the lines before; one segment book per file, as a hash
 * id must cover the same tokens wherever it appears): what `parseMooncakeJsonl` and streamed runs share.
 */
export function mooncakeJsonReader(file: string): (raw: string, line: number) => DraftRequest {
  let i = 0;
  let prev = 0;
  let prevLine = 0;
  let firstMs = 0;
  const book = createSegmentBook<number>((id) => id);
  return (raw, line) => {
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      throw new InputError({ file, line }, `expected a JSON object per line, found invalid JSON (${(err as Error).message})`);
    }
    // JSON.parse keeps the last of repeated keys: a line with two timestamps is broken, say so.
    const twice = repeatedKey(raw);
    if (twice !== undefined) throw new InputError({ file, line, field: twice }, `expected each key once per JSON line, found "${twice}" twice`);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new InputError({ file, line }, `expected a JSON object per line, found ${describeValue(obj)}`);
    const o = obj as Record<string, unknown>;
    const place = (field: string) => ({ file, line, field });
    const ms = parseTimeCell(cell(o.timestamp, place('timestamp')), place('timestamp'));
    if (i > 0) checkOrder(prev, ms, prevLine, place('timestamp'));
    else firstMs = ms;
    checkSpan(firstMs, ms, place('timestamp'), 1000);
    prev = ms;
    prevLine = line;
    const d: DraftRequest = {
      id: i++,
      arrivalS: ms / 1000,
      promptTokens: parseTokenCell(cell(o.input_length, place('input_length')), place('input_length')),
      outputTokens: parseTokenCell(cell(o.output_length, place('output_length')), place('output_length')),
    };
    if (o.hash_ids !== undefined) {
      const prefix = hashIdsToPrefix(o.hash_ids, d.promptTokens, place('hash_ids'), book);
      if (prefix.length > 0) d.prefix = prefix;
    }
    return d;
  };
}

/**
 * The first key that appears twice in one JSON object of `text` (valid JSON), at any depth;
 * undefined if none. A small scanner: strings are skipped whole, so keys inside values do not count.
 */
export function repeatedKey(text: string): string | undefined {
  const stack: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') (stack.push(new Set()), (expectKey = true));
    else if (c === '[') (stack.push(undefined), (expectKey = false));
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') expectKey = stack.at(-1) !== undefined;
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const keys = stack.at(-1)!;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    }
  }
  return undefined;
}

/** JSON numbers only: a quoted "12" in JSON is a sign of a different producer, say so. */
function cell(v: unknown, place: { file: string; line: number; field: string }): number | undefined {
  if (typeof v === 'number') return v;
  throw new InputError(place, `expected a number, found ${v === undefined ? 'no such key' : describeValue(v)}`);
}

/** Reads the Mooncake no-hash CSV (`timestamp,input_length,output_length,num_hash_blocks`). */
export function parseMooncakeCsv(text: string, file: string, arrivals: MooncakeArrivals = 'spread'): DraftRequest[] {
  const out = readRows(text, file, mooncakeCsvRowReader);
  if (arrivals === 'spread') spreadQuantizedArrivals(out);
  return out;
}

/** Checks a Mooncake CSV header and returns the reader of its rows, in file order: what `parseMooncakeCsv` and streamed runs share. */
export function mooncakeCsvRowReader(table: Pick<CsvTable, 'file' | 'header' | 'headerLine'>): (row: string[], line: number | undefined) => DraftRequest {
  const { file } = table;
  const col = findColumns(table, 'mooncake', MOONCAKE_COLUMNS);
  let i = 0;
  let prev = 0;
  let prevLine: number | undefined;
  let first = 0;
  return (row, line) => {
    const ms = parseTimeCell(row[col.timestamp], { file, line, field: 'timestamp' });
    if (i > 0) checkOrder(prev, ms, prevLine, { file, line, field: 'timestamp' });
    else first = ms;
    checkSpan(first, ms, { file, line, field: 'timestamp' }, 1000);
    prev = ms;
    prevLine = line;
    return {
      id: i++,
      arrivalS: ms / 1000,
      promptTokens: parseTokenCell(row[col.input_length], { file, line, field: 'input_length' }),
      outputTokens: parseTokenCell(row[col.output_length], { file, line, field: 'output_length' }),
    };
  };
}

/**
 * Mooncake quantizes arrivals to ~3 s steps with ~10 requests per step; replaying them as bursts
 * overstates queueing. This spreads each group of n equal timestamps evenly and deterministically
 * (no random stream involved): the k-th (k = 0..n-1, file order) arrives at
 * t + k * width / n, where width = min(step, time of the next group - t) and step is the median
 * nonzero gap between distinct timestamps. The min keeps arrivals sorted even where the trace
 * has a short gap. A trace with a single timestamp is left as it is.
 */
export function spreadQuantizedArrivals(drafts: DraftRequest[]): void {
  const n = drafts.length;
  const gaps = new Gaps();
  for (let i = 1; i < n; i++) gaps.add(drafts[i]!.arrivalS - drafts[i - 1]!.arrivalS);
  const step = gaps.median();
  if (step === undefined) return;
  for (let i = 0; i < n; ) {
    const t = drafts[i]!.arrivalS;
    let j = i + 1;
    while (j < n && drafts[j]!.arrivalS === t) j++;
    spreadGroup(drafts, i, j, j < n ? drafts[j]!.arrivalS : undefined, step);
    i = j;
  }
}

/** The group drafts[from, to) of equal arrival times spread over min(step, next - t) (no next: step), as `spreadQuantizedArrivals` does. */
export function spreadGroup(drafts: DraftRequest[], from: number, to: number, next: number | undefined, step: number): void {
  const t = drafts[from]!.arrivalS;
  const width = next !== undefined ? Math.min(step, next - t) : step;
  const count = to - from;
  for (let k = 1; k < count; k++) drafts[from + k]!.arrivalS = t + (k * width) / count;
}

/** The nonzero gaps between successive arrivals, and their median (Mooncake's step). */
export class Gaps {
  private values = new Float64Array(1024);
  private n = 0;

  add(gap: number): void {
    if (!(gap > 0)) return;
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.n * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = gap;
  }

  /** Undefined without a nonzero gap (a single timestamp). */
  median(): number | undefined {
    if (this.n === 0) return undefined;
    const sorted = this.values.subarray(0, this.n).sort();
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
}
