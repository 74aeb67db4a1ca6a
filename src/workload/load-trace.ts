import { InputError, describeValue } from '../errors.js';
import { readTextFile } from '../util/yaml-file.js';
import { finalizeIds, shiftToZero, type DraftRequest } from './draft.js';
import { AZURE_COLUMNS, parseAzureCsv } from './read-azure.js';
import { MOONCAKE_COLUMNS, parseMooncakeCsv, parseMooncakeJsonl, type MooncakeArrivals } from './read-mooncake.js';
import { NATIVE_COLUMNS, parseNativeCsv } from './read-native.js';
import { VIDUR_COLUMNS, parseVidurCsv } from './read-vidur.js';
import type { Request } from './request.js';
import type { TraceFormat } from './dist-schema.js';

/** The concrete readers `auto` chooses between. */
export type TraceReader = 'llmsim' | 'azure' | 'mooncake-jsonl' | 'mooncake-csv' | 'vidur';

/** Options for reading a trace. */
export interface TraceOptions {
  /** Model name for requests the trace does not give one. */
  model?: string;
  /** Mooncake only: spread each ~3 s step of arrivals evenly (default) or keep the bursts. */
  mooncakeArrivals?: MooncakeArrivals;
}

/**
 * Picks the reader for a trace: `.jsonl` or a first line starting with `{` is Mooncake JSONL;
 * otherwise the header's column names decide. `format` other than auto only chooses between
 * Mooncake's JSONL and CSV forms.
 */
export function detectTraceReader(text: string, file: string, format: TraceFormat = 'auto'): TraceReader {
  const firstLine = firstNonBlankLine(text);
  if (format === 'llmsim' || format === 'azure' || format === 'vidur') return format;
  const jsonl = /\.jsonl$/i.test(file) || firstLine.startsWith('{');
  if (format === 'mooncake') return jsonl ? 'mooncake-jsonl' : 'mooncake-csv';
  if (jsonl) return 'mooncake-jsonl';
  if (firstLine === '') throw new InputError({ file, line: 1 }, 'expected a trace with a header line, found an empty file');
  const cols = firstLine.split(',').map((c) => c.trim());
  const has = (names: readonly string[]) => names.every((n) => cols.includes(n));
  if (cols[0] === NATIVE_COLUMNS[0]) return 'llmsim';
  if (has(AZURE_COLUMNS)) return 'azure';
  if (has(VIDUR_COLUMNS)) return 'vidur';
  if (has(MOONCAKE_COLUMNS)) return 'mooncake-csv';
  throw new InputError(
    { file, line: 1 },
    `expected the header of a known trace format (llmsim: ${NATIVE_COLUMNS.join(',')}; azure: ${AZURE_COLUMNS.join(',')}; ` +
      `mooncake: ${MOONCAKE_COLUMNS.join(',')} or JSON lines; vidur: ${VIDUR_COLUMNS.join(',')}), found ${describeValue(firstLine)}`,
  );
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
  const reader = detectTraceReader(text, file, format);
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
  }
  if (reader !== 'llmsim') shiftToZero(drafts);
  if (opts.model !== undefined) for (const d of drafts) if (d.model === undefined) d.model = opts.model;
  return drafts;
}

/** Reads a trace file into requests (ids 0..n-1 in arrival order); any problem is an InputError. */
export function loadTrace(file: string, format: TraceFormat = 'auto', opts: TraceOptions = {}): Request[] {
  return finalizeIds(parseTrace(readTextFile(file, 'trace file'), file, format, opts));
}
