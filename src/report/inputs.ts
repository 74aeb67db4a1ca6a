import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { readTextFile } from '../util/yaml-file.js';
import { readSummaryFile } from '../check/check.js';

/** Per-request columns the report needs from requests.csv (NaN where empty). */
export interface RequestColumns {
  readonly arrivalS: Float64Array;
  readonly queueingDelayS: Float64Array;
  readonly ttftS: Float64Array;
  readonly e2eS: Float64Array;
  /** Replica name, '' when none served it. */
  readonly device: readonly string[];
}

/** One simulated run: its summary.json and, if written, its requests.csv. */
export interface RunInput {
  readonly label: string;
  readonly dir: string;
  readonly summary: Record<string, unknown>;
  readonly requests?: RequestColumns;
}

/** A sweep's points.csv: header and rows as text. */
export interface SweepInput {
  readonly label: string;
  readonly file: string;
  /** Swept parameter columns (between `point` and `runs`). */
  readonly params: readonly string[];
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Confidence level of the low/high columns, from sweep.json beside the file if there. */
  readonly level?: number;
}

/** Everything a report draws from. */
export interface ReportInputs {
  readonly runs: RunInput[];
  readonly sweeps: SweepInput[];
}

const MAX_DEPTH = 3;

/**
 * Finds what to report in the given paths: a directory holding summary.json is a run (`llmsim
 * run`, or one policy of `llmsim compare`); one holding points.csv is a sweep; other directories
 * are searched (sorted, up to 3 levels). A CSV path must be a sweep's points.csv or runs.csv.
 */
export function readReportInputs(paths: readonly string[]): ReportInputs {
  const runs: RunInput[] = [];
  const sweeps: SweepInput[] = [];
  const visit = (dir: string, depth: number): void => {
    if (existsSync(join(dir, 'points.csv'))) sweeps.push(readPoints(join(dir, 'points.csv')));
    if (existsSync(join(dir, 'summary.json'))) runs.push(readRun(dir));
    if (depth >= MAX_DEPTH) return;
    const subdirs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    for (const name of subdirs) visit(join(dir, name), depth + 1);
  };
  for (const path of paths) {
    if (!existsSync(path)) throw new InputError({ file: path }, 'expected a results directory or a sweep CSV, found no such file');
    if (statSync(path).isDirectory()) {
      const before = runs.length + sweeps.length;
      visit(path, 0);
      if (runs.length + sweeps.length === before) throw new InputError({ file: path }, 'expected a results directory (with summary.json or points.csv somewhere below), found neither');
    } else if (basename(path) === 'points.csv') sweeps.push(readPoints(path));
    else if (basename(path) === 'runs.csv' && existsSync(join(dirname(path), 'points.csv'))) sweeps.push(readPoints(join(dirname(path), 'points.csv')));
    else throw new InputError({ file: path }, 'expected a sweep CSV (points.csv, or runs.csv beside its points.csv) or a results directory, found another file');
  }
  return { runs: uniqueLabels(runs), sweeps };
}

function readRun(dir: string): RunInput {
  const summary = readSummaryFile(join(dir, 'summary.json'), 'summary file') as Record<string, unknown>;
  const label = typeof summary.name === 'string' ? summary.name : basename(dir);
  const file = join(dir, 'requests.csv');
  return { label, dir, summary, requests: existsSync(file) ? readRequests(file) : undefined };
}

/** Reads the columns the report needs from a requests.csv written by llmsim. */
export function readRequests(file: string): RequestColumns {
  const rows = parseCsv(file);
  const header = rows[0] ?? [];
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new InputError({ file, line: 1 }, `expected a requests.csv column "${name}", found columns ${header.join(', ')}`);
    return i;
  };
  const [a, q, t, e, d] = ['arrival_s', 'queueing_delay_s', 'ttft_s', 'e2e_s', 'device'].map(col) as [number, number, number, number, number];
  const n = rows.length - 1;
  const out = { arrivalS: new Float64Array(n), queueingDelayS: new Float64Array(n), ttftS: new Float64Array(n), e2eS: new Float64Array(n), device: new Array<string>(n) };
  const num = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));
  for (let i = 0; i < n; i++) {
    const r = rows[i + 1]!;
    out.arrivalS[i] = num(r[a]);
    out.queueingDelayS[i] = num(r[q]);
    out.ttftS[i] = num(r[t]);
    out.e2eS[i] = num(r[e]);
    out.device[i] = r[d] ?? '';
  }
  return out;
}

function readPoints(file: string): SweepInput {
  const rows = parseCsv(file);
  const columns = rows[0] ?? [];
  const runsAt = columns.indexOf('runs');
  if (columns[0] !== 'point' || runsAt < 0) throw new InputError({ file, line: 1 }, `expected a sweep points.csv header (point, <params>, runs, ...), found ${columns.slice(0, 4).join(', ')}`);
  const label = basename(dirname(file)) === 'sweep' ? basename(dirname(dirname(file))) : basename(dirname(file));
  const manifest = join(dirname(file), 'sweep.json');
  const level = existsSync(manifest) ? (readSummaryFile(manifest, 'sweep manifest') as { level?: unknown }).level : undefined;
  return { label, file, params: columns.slice(1, runsAt), columns, rows: rows.slice(1), level: typeof level === 'number' ? level : undefined };
}

function parseCsv(file: string): string[][] {
  try {
    return parse(readTextFile(file, 'CSV file'), { relax_column_count: false }) as string[][];
  } catch (err) {
    if (err instanceof InputError) throw err;
    const e = err as { lines?: number; message?: string };
    throw new InputError({ file, line: e.lines }, `expected well-formed CSV, found: ${e.message ?? String(err)}`);
  }
}

function uniqueLabels(runs: RunInput[]): RunInput[] {
  const count = new Map<string, number>();
  for (const r of runs) count.set(r.label, (count.get(r.label) ?? 0) + 1);
  return runs.map((r) => (count.get(r.label)! > 1 ? { ...r, label: `${r.label} (${r.dir})` } : r));
}
