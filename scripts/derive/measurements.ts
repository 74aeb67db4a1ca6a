/**
 * Reading the measurement CSVs in profiles/measurements/ into typed rows, and the per-point
 * medians the fits use. Pure: text in, rows out.
 */
import { parse } from 'csv-parse/sync';

/** One row of splitwise-perf-model.csv; times in ms as upstream records them. */
export interface SplitwiseRow {
  model: string;
  hardware: string;
  tp: number;
  prompt: number;
  batch: number;
  output: number;
  /** Normalised power (units undocumented upstream; 0 where not measured). */
  averagePower: number;
  promptMs: number;
  tokenMs: number;
}

/** Parses splitwise-perf-model.csv. */
export function parseSplitwise(text: string): SplitwiseRow[] {
  const records = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return records.map((r) => ({
    model: r.model!,
    hardware: r.hardware!,
    tp: num(r.tensor_parallel),
    prompt: num(r.prompt_size),
    batch: num(r.batch_size),
    output: num(r.token_size),
    averagePower: num(r.average_power),
    promptMs: num(r.prompt_time),
    tokenMs: num(r.token_time),
  }));
}

/** One ML.ENERGY v3 run: power is the total over `gpus` GPUs. */
export interface MlEnergyRow {
  task: string;
  modelId: string;
  gpu: string;
  gpus: number;
  avgBatch: number;
  powerW: number;
}

/** Parses mlenergy-v3-llm-configs.csv (only the columns the power fit needs). */
export function parseMlEnergy(text: string): MlEnergyRow[] {
  const records = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return records.map((r) => ({
    task: r.task!,
    modelId: r.model_id!,
    gpu: r.gpu_model!,
    gpus: num(r.num_gpus),
    avgBatch: num(r.avg_batch_size),
    powerW: num(r.avg_power_watts),
  }));
}

/** One distinct (prompt, batch, output) point with the medians of its repetitions. */
export interface SweepPoint {
  prompt: number;
  batch: number;
  output: number;
  promptMs: number;
  tokenMs: number;
  averagePower: number;
  repetitions: number;
}

/** Groups rows by (prompt, batch, output), sorted by prompt, batch, output; values are medians. */
export function sweepPoints(rows: readonly SplitwiseRow[]): SweepPoint[] {
  const groups = new Map<string, SplitwiseRow[]>();
  for (const r of rows) {
    const key = `${r.prompt}|${r.batch}|${r.output}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const points = [...groups.values()].map((g) => ({
    prompt: g[0]!.prompt,
    batch: g[0]!.batch,
    output: g[0]!.output,
    promptMs: median(g.map((r) => r.promptMs)),
    tokenMs: median(g.map((r) => r.tokenMs)),
    averagePower: median(g.map((r) => r.averagePower)),
    repetitions: g.length,
  }));
  return points.sort((a, b) => a.prompt - b.prompt || a.batch - b.batch || a.output - b.output);
}

/** Median (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function num(v: string | undefined): number {
  const x = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(x)) throw new Error(`measurement CSV: expected a number, found ${JSON.stringify(v)}`);
  return x;
}
