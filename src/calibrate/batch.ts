/**
 * Batch timings as calibration targets: measured prefill and decode-step times of fixed batches
 * (e.g. Splitwise's profiles/measurements/splitwise-perf-model.csv), compared with what the
 * transformer form computes for the same iteration shapes. No simulation is needed: each row is one
 * kind of iteration.
 */
import { readTextFile } from '../util/yaml-file.js';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { compileTransformer } from '../profiles/transformer.js';
import type { TransformerProfile } from '../profiles/schema.js';
import { softL1 } from './evaluate.js';

/** One measured iteration kind: `batch` prompts of `promptTokens` prefilled together, or the mean decode step after them. */
export interface BatchPoint {
  readonly id: string;
  readonly config: string;
  readonly kind: 'prefill' | 'decode';
  readonly batch: number;
  readonly promptTokens: number;
  /** Output tokens of the run the decode step is the mean of (decode only). */
  readonly outputTokens: number;
  readonly measuredS: number;
}

/** Predicted seconds of a batch point under a profile. */
export function predictBatchPoint(model: ReturnType<typeof compileTransformer>, p: BatchPoint): number {
  const { batch: b, promptTokens: t } = p;
  if (p.kind === 'prefill') {
    return model.iterationS({ prefillSeqs: b, prefillTokens: b * t, prefillPastTokens: 0, prefillPairs: (b * t * (t + 1)) / 2, decodeSeqs: 0, decodeContextTokens: 0 });
  }
  // token_time is the mean over the run's decode steps: context t + 1 .. t + outputTokens - 1 per sequence.
  const steps = Math.max(1, p.outputTokens - 1);
  return model.decodeRunS(b, b * (t + 1), steps) / steps;
}

/** Mean soft-L1 of ln(predicted / measured) over the points. */
export function batchLoss(profile: TransformerProfile, points: readonly BatchPoint[]): number {
  const model = compileTransformer(profile);
  let total = 0;
  for (const p of points) total += softL1(Math.log(predictBatchPoint(model, p) / p.measuredS));
  return points.length > 0 ? total / points.length : 0;
}

/**
 * Splitwise's perf-model CSV (model, hardware, tensor_parallel, prompt_size, batch_size, token_size,
 * prompt_time and token_time in ms), filtered by `where` (column=value, all must hold). Repeated
 * measurements of a point are kept as separate rows (the loss averages them).
 */
export function readSplitwiseBatchPoints(file: string, where: Readonly<Record<string, string>>): BatchPoint[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(readTextFile(file, 'Splitwise perf-model CSV'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError({ file }, `expected a Splitwise perf-model CSV, found ${(e as Error).message}`);
  }
  const need = ['model', 'hardware', 'tensor_parallel', 'prompt_size', 'batch_size', 'token_size', 'prompt_time', 'token_time'];
  const header = Object.keys(rows[0] ?? {});
  for (const c of need) if (!header.includes(c)) throw new InputError({ file, line: 1, field: c }, `expected a Splitwise perf-model column "${c}", found columns ${header.join(', ')}`);
  for (const c of Object.keys(where)) if (!header.includes(c)) throw new InputError({ file, field: `--where ${c}` }, `expected a column of the data (${header.join(', ')}), found "${c}"`);
  const points: BatchPoint[] = [];
  rows.forEach((row, i) => {
    if (!Object.entries(where).every(([c, v]) => row[c] === v)) return;
    const line = i + 2;
    const num = (c: string) => {
      const v = Number(row[c]);
      if (!(Number.isFinite(v) && v > 0)) throw new InputError({ file, line, field: c }, `expected a number > 0, found "${row[c]}"`);
      return v;
    };
    const config = `${row.model}/${row.hardware}/tp${row.tensor_parallel}`;
    const base = { config, batch: num('batch_size'), promptTokens: num('prompt_size'), outputTokens: num('token_size') };
    const key = `${config}/p${base.promptTokens}/b${base.batch}/o${base.outputTokens}/row${line}`;
    points.push({ ...base, id: `${key}/prefill`, kind: 'prefill', measuredS: num('prompt_time') / 1000 });
    if (base.outputTokens > 1) points.push({ ...base, id: `${key}/decode`, kind: 'decode', measuredS: num('token_time') / 1000 });
  });
  if (points.length === 0) throw new InputError({ file, field: '--where' }, 'expected at least one row to match the --where filters, found none');
  return points;
}
