import { InputError, describeValue } from '../errors.js';
import { readTextFile } from '../util/yaml-file.js';
import { finalizeIds, shiftToZero, type DraftRequest } from './draft.js';
import { AZURE_COLUMNS, parseAzureCsv } from './read-azure.js';
import { MOONCAKE_COLUMNS, parseMooncakeCsv, parseMooncakeJsonl, type MooncakeArrivals } from './read-mooncake.js';
import { NATIVE_COLUMNS, parseNativeCsv } from './read-native.js';
import { VIDUR_COLUMNS, parseVidurCsv } from './read-vidur.js';
import { BURSTGPT_COLUMNS, parseBurstGptCsv } from './read-burstgpt.js';
import { parseColumnsTrace, type ColumnMap, type TimeFormat } from './read-columns.js';
import { parseOtelSpans } from './read-otel.js';
import { parseShareGpt } from './read-sharegpt.js';
import { parseVllmBench } from './read-vllm-bench.js';
import type { Request } from './request.js';
import type { TraceFormat } from './dist-schema.js';

/** The concrete readers `auto` chooses between. */
export type TraceReader = 'llmsim' | 'azure' | 'mooncake-jsonl' | 'mooncake-csv' | 'vidur' | 'burstgpt' | 'sharegpt' | 'vllm-bench' | 'otel' | 'columns';

/** Options for reading a trace. */
export interface TraceOptions {
  /** Model name for requests the trace does not give one. */
  model?: string;
  /** Mooncake only: spread each ~3 s step of arrivals evenly (default) or keep the bursts. */
  mooncakeArrivals?: MooncakeArrivals;
  /** Any CSV or JSON lines read through a column map (`trace.columns`), with its time format. */
  columns?: ColumnMap;
  time?: TimeFormat;
}

/**
 * Picks the reader for a trace: `.jsonl` or a first line starting with `{` is Mooncake JSONL;
 * otherwise the header's column names decide. `format` other than auto only chooses between
 * Mooncake's JSONL and CSV forms.
 */
export function detectTraceReader(text: string, file: string, format: TraceFormat = 'auto'): TraceReader {
  const firstLine = firstNonBlankLine(text);
  if (format === 'llmsim' || format === 'azure' || format === 'vidur' || format === 'burstgpt' || format === 'sharegpt' || format === 'vllm-bench' || format === 'otel') return format;
  // A whole-file JSON document (.json): its shape decides.
  if (format === 'auto' && /\.json$/i.test(file)) return detectJsonTrace(text, file);
  const jsonl = /\.jsonl$/i.test(file) || firstLine.startsWith('{');
  if (format === 'mooncake') return jsonl ? 'mooncake-jsonl' : 'mooncake-csv';
  if (jsonl) return 'mooncake-jsonl';
  if (firstLine === '') throw new InputError({ file, line: 1 }, 'expected a trace with a header line, found an empty file');
  const cols = firstLine.split(',').map((c) => c.trim());
  const has = (names: readonly string[]) => names.every((n) => cols.includes(n));
  if (cols[0] === NATIVE_COLUMNS[0]) return 'llmsim';
  if (has(AZURE_COLUMNS)) return 'azure';
  if (has(VIDUR_COLUMNS)) return 'vidur';
  if (has(BURSTGPT_COLUMNS)) return 'burstgpt';
  if (has(MOONCAKE_COLUMNS)) return 'mooncake-csv';
  throw new InputError(
    { file, line: 1 },
    `expected the header of a known trace format (llmsim: ${NATIVE_COLUMNS.join(',')}; azure: ${AZURE_COLUMNS.join(',')}; ` +
      `mooncake: ${MOONCAKE_COLUMNS.join(',')} or JSON lines; vidur: ${VIDUR_COLUMNS.join(',')}; burstgpt: ${BURSTGPT_COLUMNS.join(',')}; or trace.columns for any other), found ${describeValue(firstLine)}`,
  );
}

/** ShareGPT is an array of conversations; vllm bench a mapping with input_lens; OTLP a mapping with resourceSpans. */
function detectJsonTrace(text: string, file: string): TraceReader {
  const head = text.slice(0, 65536);
  const start = /\S/.exec(head)?.[0];
  if (start === '[') return 'sharegpt';
  if (/"input_lens"\s*:/.test(text)) return 'vllm-bench';
  if (/"resourceSpans"\s*:/.test(head)) return 'otel';
  throw new InputError({ file, line: 1 }, `expected a JSON trace: a ShareGPT array of conversations, a vllm bench serve result (input_lens, output_lens) or OTLP spans (resourceSpans), found ${start === '{' ? 'an object with none of those keys' : describeValue(head.trim().slice(0, 20))}; or give trace.format`);
}

function firstNonBlankLine(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const m = /[^\r\n]*[^\s][^\r\n]*/.exec(text.slice(start, start + 4096));
  return m ? m[0].trim() : '';
}

/**
 * Parses trace text into drafts sorted by arrival. Foreign traces (Azure, Mooncake, Vidur) are
 * shifted so the first request arrives at 0, since their clocks start at an arbitrary epoch;
 * native files are kept as written (their times already are run time).
 */
export function parseTrace(text: string, file: string, format: TraceFormat = 'auto', opts: TraceOptions = {}): DraftRequest[] {
  const reader = opts.columns ? 'columns' : detectTraceReader(text, file, format);
  const arrivals = opts.mooncakeArrivals ?? 'spread';
  let drafts: DraftRequest[];
  switch (reader) {
    case 'llmsim':
      drafts = parseNativeCsv(text, file);
      break;
    case 'azure':
      drafts = parseAzureCsv(text, file);
      break;
    case 'mooncake-jsonl':
      drafts = parseMooncakeJsonl(text, file, arrivals);
      break;
    case 'mooncake-csv':
      drafts = parseMooncakeCsv(text, file, arrivals);
      break;
    case 'vidur':
      drafts = parseVidurCsv(text, file);
      break;
    case 'burstgpt':
      drafts = parseBurstGptCsv(text, file);
      break;
    case 'sharegpt':
      drafts = parseShareGpt(text, file);
      break;
    case 'vllm-bench':
      drafts = parseVllmBench(text, file);
      break;
    case 'otel':
      drafts = parseOtelSpans(text, file);
      break;
    case 'columns':
      drafts = parseColumnsTrace(text, file, opts.columns!, opts.time ?? { unit: 's', format: 'relative' });
      break;
  }
  // Foreign clocks start anywhere: shift to 0. Native files and relative columns are run time already.
  if (reader !== 'llmsim' && !(reader === 'columns' && (opts.time?.format ?? 'relative') === 'relative')) shiftToZero(drafts);
  if (opts.model !== undefined) for (const d of drafts) if (d.model === undefined) d.model = opts.model;
  return drafts;
}

/** Reads a trace file into requests (ids 0..n-1 in arrival order); any problem is an InputError. */
export function loadTrace(file: string, format: TraceFormat = 'auto', opts: TraceOptions = {}): Request[] {
  return finalizeIds(parseTrace(readTextFile(file, 'trace file'), file, format, opts));
}
