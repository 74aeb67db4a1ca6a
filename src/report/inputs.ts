import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { readSummaryFile } from '../check/check.js';
import { readJsonFile } from '../check/json-file.js';
import { InputError, describeValue } from '../errors.js';
import { isInternalEntry } from '../output/dir.js';
import { readTextFile } from '../util/yaml-file.js';
import { findColumns, readCsvTable } from '../workload/csv-table.js';

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

/** A capacity search's directory (capacity.json + probes.csv): every probe of every group. */
export interface CapacityInput {
  readonly label: string;
  readonly dir: string;
  /** `replicas` (fewest replicas for a rate) or `rate` (highest rate). */
  readonly knob: 'replicas' | 'rate';
  readonly targets: readonly { readonly label: string; readonly bound: number; readonly sense: string }[];
  readonly probes: readonly { readonly group: string; readonly x: number; readonly pass: boolean; readonly cells: Readonly<Record<string, number>> }[];
}

/** Everything a report draws from. */
export interface ReportInputs {
  readonly runs: RunInput[];
  readonly sweeps: SweepInput[];
  /** `llmsim capacity` directories (none when absent). */
  readonly capacities?: CapacityInput[];
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
  const capacities: CapacityInput[] = [];
  const visit = (dir: string, depth: number): void => {
    if (existsSync(join(dir, 'points.csv'))) sweeps.push(readPoints(join(dir, 'points.csv')));
    if (existsSync(join(dir, 'capacity.json')) && existsSync(join(dir, 'probes.csv'))) capacities.push(readCapacity(dir));
    if (existsSync(join(dir, 'summary.json'))) runs.push(readRun(dir));
    if (depth >= MAX_DEPTH) return;
    // Not llmsim's working directories (staging left by a killed run, results being swapped).
    const subdirs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !isInternalEntry(e.name)).map((e) => e.name).sort();
    for (const name of subdirs) visit(join(dir, name), depth + 1);
  };
  for (const path of paths) {
    if (!existsSync(path)) throw new InputError({ file: path }, 'expected a results directory or a sweep CSV, found no such file');
    if (statSync(path).isDirectory()) {
      const before = runs.length + sweeps.length + capacities.length;
      visit(path, 0);
      if (runs.length + sweeps.length + capacities.length === before) throw new InputError({ file: path }, 'expected a results directory (with summary.json or points.csv somewhere below), found neither');
    } else if (basename(path) === 'points.csv') sweeps.push(readPoints(path));
    else if (basename(path) === 'runs.csv' && existsSync(join(dirname(path), 'points.csv'))) sweeps.push(readPoints(join(dirname(path), 'points.csv')));
    else throw new InputError({ file: path }, 'expected a sweep CSV (points.csv, or runs.csv beside its points.csv) or a results directory, found another file');
  }
  return { runs: uniqueLabels(runs), sweeps, ...(capacities.length > 0 ? { capacities } : {}) };
}

/** Reads an `llmsim capacity` directory: its settings (capacity.json) and every probe (probes.csv). */
export function readCapacity(dir: string): CapacityInput {
  const file = join(dir, 'capacity.json');
  const m = readJsonFile(file, 'capacity manifest') as { name?: unknown; mode?: { kind?: unknown }; targets?: unknown };
  const targets = Array.isArray(m?.targets) ? (m.targets as { label: string; bound: number; sense: string }[]) : undefined;
  if (typeof m?.name !== 'string' || (m.mode?.kind !== 'min-replicas' && m.mode?.kind !== 'max-rate') || targets === undefined) {
    throw new InputError({ file }, 'expected an llmsim capacity manifest (name, mode, targets), found another JSON document');
  }
  const csv = join(dir, 'probes.csv');
  const table = readCsvTable(readTextFile(csv, 'probes.csv'), csv);
  const col = (name: string) => table.header.indexOf(name);
  if (col('group') !== 0 || col('rate') < 0 || col('replicas') < 0 || col('pass') < 0) throw new InputError({ file: csv, line: table.headerLine }, `expected a capacity probes.csv header (group, step, rate, replicas, pass, ...), found ${table.header.slice(0, 5).join(', ')}`);
  const knob = m.mode.kind === 'min-replicas' ? 'replicas' : 'rate';
  const probes = table.rows.map((r, i) => {
    const where = (field: string) => ({ file: csv, line: table.lines[i], field });
    const cells: Record<string, number> = {};
    for (let c = col('pass') + 2; c < table.header.length; c++) cells[table.header[c]!] = numberCell(r[c], true, where(table.header[c]!));
    return { group: r[0]!, x: numberCell(r[col(knob)], false, where(knob)), pass: r[col('pass')] === 'true', cells };
  });
  return { label: m.name, dir, knob, targets, probes };
}

function readRun(dir: string): RunInput {
  const summary = readSummaryFile(join(dir, 'summary.json'), 'summary file');
  const label = typeof summary.name === 'string' ? summary.name : basename(dir);
  const file = join(dir, 'requests.csv');
  return { label, dir, summary, requests: existsSync(file) ? readRequests(file) : undefined };
}

/**
 * Reads the columns the report needs from a requests.csv written by llmsim. A file without rows
 * (no run writes one) or a cell that is not a number is an InputError at its line and column;
 * only the latency cells may be empty (requests that never started or finished).
 */
export function readRequests(file: string): RequestColumns {
  const table = readCsvTable(readTextFile(file, 'requests.csv'), file);
  const col = findColumns(table, 'requests.csv', ['arrival_s', 'queueing_delay_s', 'ttft_s', 'e2e_s', 'device']);
  const n = table.rows.length;
  const out = { arrivalS: new Float64Array(n), queueingDelayS: new Float64Array(n), ttftS: new Float64Array(n), e2eS: new Float64Array(n), device: new Array<string>(n) };
  for (let i = 0; i < n; i++) {
    const r = table.rows[i]!;
    const cell = (name: 'arrival_s' | 'queueing_delay_s' | 'ttft_s' | 'e2e_s', optional: boolean) => numberCell(r[col[name]], optional, { file, line: table.lines[i], field: name });
    out.arrivalS[i] = cell('arrival_s', false);
    out.queueingDelayS[i] = cell('queueing_delay_s', true);
    out.ttftS[i] = cell('ttft_s', true);
    out.e2eS[i] = cell('e2e_s', true);
    out.device[i] = r[col.device] ?? '';
  }
  return out;
}

/**
 * Reads a sweep's points.csv: at least one grid point, `point` and `runs` whole numbers, and
 * every statistic column after `runs` a number or empty. The label is the sweep's name from
 * sweep.json beside it (else the directory's), with its confidence level.
 */
export function readPoints(file: string): SweepInput {
  const table = readCsvTable(readTextFile(file, 'points.csv'), file);
  const columns = table.header;
  const runsAt = columns.indexOf('runs');
  if (columns[0] !== 'point' || runsAt < 0) throw new InputError({ file, line: table.headerLine }, `expected a sweep points.csv header (point, <params>, runs, ...), found ${columns.slice(0, 4).join(', ')}`);
  table.rows.forEach((r, i) => {
    const where = (field: string) => ({ file, line: table.lines[i], field });
    for (const c of [0, runsAt]) {
      if (!/^\d+$/.test(r[c]!)) throw new InputError(where(columns[c]!), `expected a whole number, found ${describeValue(r[c])}`);
    }
    for (let c = runsAt + 1; c < columns.length; c++) numberCell(r[c], true, where(columns[c]!));
  });
  const manifest = readManifestInfo(join(dirname(file), 'sweep.json'));
  const label = manifest.name ?? (basename(dirname(file)) === 'sweep' ? basename(dirname(dirname(file))) : basename(dirname(file)));
  return { label, file, params: columns.slice(1, runsAt), columns, rows: table.rows, level: manifest.level };
}

// Name and confidence level from a sweep.json beside points.csv, where there is one.
function readManifestInfo(file: string): { name?: string; level?: number } {
  if (!existsSync(file)) return {};
  const m = readJsonFile(file, 'sweep manifest');
  const rec = m !== null && typeof m === 'object' ? (m as Record<string, unknown>) : {};
  return { name: typeof rec.name === 'string' ? rec.name : undefined, level: typeof rec.level === 'number' ? rec.level : undefined };
}

// A numeric CSV cell as llmsim writes it: a finite number, or (where allowed) empty for "undefined".
function numberCell(cell: string | undefined, optional: boolean, where: { file: string; line?: number; field: string }): number {
  if (cell === undefined || cell === '') {
    if (optional) return NaN;
    throw new InputError(where, 'expected a number, found an empty cell');
  }
  const v = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(cell) ? Number(cell) : NaN;
  if (!Number.isFinite(v)) throw new InputError(where, `expected a number, found ${describeValue(cell)}`);
  return v;
}

/**
 * Runs with the same name (two compares of the same policies) are told apart in legends by the
 * deepest directory name in which their paths differ ("fifo (baseline)", "fifo (candidate)"),
 * not by whole file paths; failing that (no single level tells them apart), by the shortest
 * distinct tail of their paths.
 */
export function uniqueLabels(runs: readonly RunInput[]): RunInput[] {
  const groups = new Map<string, RunInput[]>();
  for (const r of runs) groups.set(r.label, [...(groups.get(r.label) ?? []), r]);
  const suffix = new Map<RunInput, string>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const parts = group.map((r) => resolve(r.dir).split(sep).filter((p) => p !== ''));
    const depth = Math.max(...parts.map((p) => p.length));
    const at = (p: string[], k: number) => p[p.length - k] ?? '';
    let k = 1;
    while (k <= depth && new Set(parts.map((p) => at(p, k))).size < group.length) k++;
    group.forEach((r, i) => suffix.set(r, k <= depth ? at(parts[i]!, k) : relative(process.cwd(), r.dir) || r.dir));
  }
  return runs.map((r) => (suffix.has(r) ? { ...r, label: `${r.label} (${suffix.get(r)})` } : r));
}
