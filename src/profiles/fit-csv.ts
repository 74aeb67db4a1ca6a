/**
 * Fitting a profile from a measurement CSV (what `llmsim fit` does, without the file I/O): pick
 * the columns, filter and aggregate rows, least-squares fit the form's terms, and build a profile
 * with coefficients, provenance and fit quality. Every user-fixable problem is an InputError.
 */
import { InputError, describeValue } from '../errors.js';
import { findColumns, readCsvTable, type CsvTable } from '../workload/csv-table.js';
import { parseNumberCell } from '../workload/cells.js';
import { designRank, fitLinear, type LinearFit } from './fit-linear.js';
import { BILINEAR_TERMS, DEFAULT_BILINEAR_TERMS, DEFAULT_COLUMNS, ROLES, unknownRoleMessage, type BilinearTerm, type FitSpec } from './fit-spec.js';
import { describeCondition, parseWhere, passes, type Condition } from './fit-where.js';
import type { Fit, ProfileInput } from './schema.js';

/** One fitted quantity: its terms, coefficients and quality. */
export interface FittedPart {
  /** e.g. `runtime`, `prefill`. */
  part: string;
  terms: string[];
  fit: LinearFit;
}

/** What a fit produced: the profile (as written to a file) and the parts for printing. */
export interface FitOutcome {
  profile: ProfileInput;
  parts: FittedPart[];
  rowsUsed: number;
  /** What the profile lacks and what that does in a simulation (energy unknown, KV unbounded), with how to give it. */
  warnings: string[];
}

interface Rows {
  /** Role -> value per kept row (NaN where a y cell is empty, or a powerW cell is 0: not measured). */
  values: Record<string, number[]>;
  lines: number[];
}

/** Fits `spec` to CSV `text`; `file` names the data in errors and provenance, `command` is recorded. */
export function fitCsv(text: string, file: string, spec: FitSpec, command: string): FitOutcome {
  for (const role of Object.keys(spec.columns)) {
    const unknown = unknownRoleMessage(spec.form, role);
    if (unknown) throw new InputError({ field: `columns.${role}` }, unknown);
  }
  const terms = bilinearTerms(spec);
  const where = Object.entries(spec.where).map(([column, value]) => ({ column, conditions: parseWhere(column, value) }));
  const table = readCsvTable(text, file);
  const rows = aggregate(selectRows(table, spec, where), spec);
  const n = rows.lines.length;
  if (n === 0) throw new InputError({ file, field: 'where' }, `expected rows matching ${describeWhere(where)}, found none of ${table.rows.length}`);
  const nonNegative = spec.nonNegative ?? spec.form === 'iteration';
  const relative = (spec.weights ?? (spec.form === 'iteration' ? 'relative' : 'none')) === 'relative';
  const method = `${relative ? 'least squares weighted by 1/y (relative error)' : 'ordinary least squares'}${nonNegative ? ', coefficients >= 0' : ''}, ml-matrix QR solve${spec.aggregate === 'median' ? ', medians of repeated points' : ''}`;
  const fitPart = (part: string, y: string, terms: string[], design: (i: number) => number[]): FittedPart | undefined => {
    const ys = rows.values[y];
    if (!ys) return undefined;
    const idx = ys.map((_, i) => i).filter((i) => Number.isFinite(ys[i]) && ys[i]! !== 0);
    const x = idx.map(design);
    const yy = idx.map((i) => ys[i]!);
    if (yy.length <= terms.length) {
      throw new InputError({ file, field: y }, `expected more than ${terms.length} points with a non-zero ${y} to fit ${terms.length} coefficients (${terms.join(', ')}), found ${yy.length}`);
    }
    const rank = designRank(x);
    if (rank < terms.length) {
      throw new InputError({ file, field: y }, `expected points that separate the terms ${terms.join(', ')}, found a singular design (rank ${rank} of ${terms.length}): vary the inputs more`);
    }
    return { part, terms, fit: fitLinear(x, yy, { weights: relative ? yy.map((v) => 1 / v) : undefined, nonNegative }) };
  };
  const v = rows.values;
  const parts = spec.form === 'bilinear' ? fitBilinear(v, fitPart, terms) : fitIteration(v, fitPart);
  const profile = buildProfile(spec, parts, { file, command, method, rows: n, table, linesUsed: rows.lines, where, terms });
  return { profile, parts: parts.filter((p): p is FittedPart => !!p), rowsUsed: n, warnings: missingBlocks(profile, spec) };
}

type FitPartFn = (part: string, y: string, terms: string[], design: (i: number) => number[]) => FittedPart | undefined;

/** The bilinear terms to fit, in profile order (a0, a1, a2, a3); checked once here. */
function bilinearTerms(spec: FitSpec): BilinearTerm[] {
  if (spec.terms && spec.form !== 'bilinear') {
    throw new InputError({ field: 'terms' }, `expected terms only with form bilinear (the iteration form's terms are fixed), found ${spec.terms.join(', ')}`);
  }
  const chosen = spec.terms ?? DEFAULT_BILINEAR_TERMS;
  const twice = chosen.find((t, i) => chosen.indexOf(t) !== i);
  if (twice) throw new InputError({ field: 'terms' }, `expected each term once, found ${twice} twice`);
  return (Object.keys(BILINEAR_TERMS) as BilinearTerm[]).filter((t) => chosen.includes(t));
}

function fitBilinear(v: Record<string, number[]>, fit: FitPartFn, terms: readonly BilinearTerm[]): (FittedPart | undefined)[] {
  const tin = v.inputTokens!, tout = v.outputTokens!;
  const labels = terms.map((t) => BILINEAR_TERMS[t].label);
  const design = (i: number) => terms.map((t) => BILINEAR_TERMS[t].x(tin[i]!, tout[i]!));
  return [fit('runtime', 'runtimeS', labels, design), fit('energy', 'energyJ', labels, design)];
}

function fitIteration(v: Record<string, number[]>, fit: FitPartFn): (FittedPart | undefined)[] {
  const p = v.promptTokens!, b = v.batch!, o = v.outputTokens!;
  // Mean total context over the decode steps of a run, unless the CSV gives it.
  const ctx = (i: number) => v.contextTokens?.[i] ?? b[i]! * (p[i]! + o[i]! / 2);
  return [
    fit('prefill', 'prefillS', ['c0', 'c1 tokens', 'c2 tokens^2'], (i) => { const t = b[i]! * p[i]!; return [1, t, t * t]; }),
    fit('decode', 'decodeStepS', ['c0', 'perSeq batch', 'perContextToken context'], (i) => [1, b[i]!, ctx(i)]),
    fit('power', 'powerW', ['busyW', 'busyWPerSeq batch'], (i) => [1, b[i]!]),
  ];
}

/** Measured roles: a value must be > 0 (what it is, for the message). Power 0 means "not measured". */
const MEASURED: Record<string, string> = { runtimeS: 'time', energyJ: 'energy', prefillS: 'time', decodeStepS: 'time' };
const Y_ROLES = new Set<string>(['runtimeS', 'energyJ', 'prefillS', 'decodeStepS', 'powerW']);

interface WhereColumn {
  column: string;
  conditions: Condition[];
}

/** The CSV columns a role reads, summed (one, or several joined by +), and the scale to the role's unit. */
interface RoleColumns {
  expr: string;
  columns: string[];
  scale: number;
}

function roleColumns(spec: FitSpec, role: string, header: readonly string[]): RoleColumns {
  const c = spec.columns[role as keyof typeof spec.columns];
  const { column, scale } = typeof c === 'string' ? { column: c, scale: 1 } : c ?? { column: DEFAULT_COLUMNS[role]!, scale: 1 };
  // A header that holds the whole expression (a column named "a+b") is read as that column.
  if (header.includes(column) || !column.includes('+')) return { expr: column, columns: [column], scale };
  const columns = column.split('+').map((p) => p.trim());
  if (columns.some((p) => p === '')) throw new InputError({ field: `columns.${role}` }, `expected column names joined by +, found ${describeValue(column)}`);
  return { expr: column, columns, scale };
}

/** Rows passing the filters, with every role's value parsed (errors name file, line, column). */
function selectRows(table: CsvTable, spec: FitSpec, where: readonly WhereColumn[]): Rows {
  const roles = ROLES[spec.form];
  const named = roles.optional.filter((r) => spec.columns[r as keyof typeof spec.columns] !== undefined || table.header.includes(DEFAULT_COLUMNS[r]!));
  const used = [...roles.required, ...named];
  const columnsOf = Object.fromEntries(used.map((r) => [r, roleColumns(spec, r, table.header)]));
  const idx = findColumns(table, `${spec.form} fit`, [...new Set([...used.flatMap((r) => columnsOf[r]!.columns), ...where.map((w) => w.column)])]);
  const values: Record<string, number[]> = Object.fromEntries(used.map((r) => [r, []]));
  const lines: number[] = [];
  table.rows.forEach((row, i) => {
    const line = table.lines[i]!;
    if (!where.every((w) => w.conditions.every((c) => passes(c, row[idx[w.column]!]!, { file: table.file, line, field: w.column })))) return;
    for (const role of used) {
      const { expr, columns, scale } = columnsOf[role]!;
      const cells = columns.map((col) => row[idx[col]!]!);
      const found = () => (cells.length === 1 ? describeValue(cells[0]) : `${cells.reduce((a, cell) => a + Number(cell), 0)} (${cells.map((cell) => cell.trim()).join(' + ')})`);
      // An empty y cell means "not measured here": the point is left out of that fit only.
      let v = Y_ROLES.has(role) && cells.some((cell) => cell.trim() === '')
        ? NaN
        : cells.reduce((a, cell, k) => a + parseNumberCell(cell, { file: table.file, line, field: columns[k]! }), 0) * scale;
      if (!Y_ROLES.has(role) && !(v > 0)) throw new InputError({ file: table.file, line, field: expr }, `expected a count > 0 for ${role}, found ${found()}`);
      if (MEASURED[role] && v <= 0) throw new InputError({ file: table.file, line, field: expr }, `expected a measured ${MEASURED[role]} > 0 for ${role}, found ${found()}`);
      if (role === 'powerW' && v < 0) throw new InputError({ file: table.file, line, field: expr }, `expected a measured power >= 0 for powerW (0: not measured), found ${found()}`);
      if (role === 'powerW' && v === 0) v = NaN;
      values[role]!.push(v);
    }
    lines.push(line);
  });
  return { values, lines };
}

/** With aggregate: median, one point per distinct x (non-y roles), each y the median of its non-missing values. */
function aggregate(rows: Rows, spec: FitSpec): Rows {
  if (spec.aggregate !== 'median') return rows;
  const xRoles = Object.keys(rows.values).filter((r) => !['runtimeS', 'energyJ', 'prefillS', 'decodeStepS', 'powerW'].includes(r));
  const groups = new Map<string, number[]>();
  rows.lines.forEach((_, i) => {
    const key = xRoles.map((r) => rows.values[r]![i]).join('|');
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out: Rows = { values: Object.fromEntries(Object.keys(rows.values).map((r) => [r, []])), lines: [] };
  for (const members of groups.values()) {
    for (const [role, vals] of Object.entries(rows.values)) {
      const xs = members.map((i) => vals[i]!).filter((v) => Number.isFinite(v) && v !== 0);
      out.values[role]!.push(xs.length > 0 ? median(xs) : NaN);
    }
    out.lines.push(rows.lines[members[0]!]!);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function describeWhere(where: readonly WhereColumn[]): string {
  const w = where.flatMap(({ column, conditions }) => conditions.map((c) => describeCondition(column, c)));
  return w.length > 0 ? w.join(', ') : 'no filter';
}

/** Fit block as profiles store it (rounded so files are stable). */
export function fitBlock(f: LinearFit, method: string, intercept: boolean): Fit {
  const r4 = (x: number) => Number(x.toFixed(6));
  const s4 = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(4)));
  return {
    r2: r4(intercept ? f.r2Centered : f.r2Uncentered),
    ...(intercept ? {} : { r2Centered: r4(f.r2Centered) }),
    rmse: s4(f.rmse),
    mape: Number(f.mape.toFixed(3)),
    medianApe: Number(f.medianApe.toFixed(3)),
    maxApe: Number(f.maxApe.toFixed(3)),
    ...(Number.isFinite(f.residualStd) ? { residualStd: s4(f.residualStd) } : {}),
    points: f.points,
    method,
  };
}

interface Context {
  file: string;
  command: string;
  method: string;
  rows: number;
  table: CsvTable;
  linesUsed: number[];
  where: readonly WhereColumn[];
  terms: readonly BilinearTerm[];
}

function buildProfile(spec: FitSpec, parts: (FittedPart | undefined)[], c: Context): ProfileInput {
  const meta = spec.profile;
  const sig = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(8)));
  const noiseOf = (p: FittedPart) => ({ relStd: Number(std(p.fit.relativeResiduals).toPrecision(4)), residuals: p.fit.relativeResiduals.map((r) => Number(r.toPrecision(4))) });
  const name = meta.name ?? `${meta.model ?? 'model'}-${meta.hardware ?? 'hardware'}-${spec.form}`;
  const common = {
    name,
    model: meta.model ?? 'unknown-model',
    hardware: meta.hardware ?? 'unknown-hardware',
    gpus: meta.gpus,
    provenance: {
      source: meta.source ?? c.file,
      ...(meta.license ? { license: meta.license } : {}),
      derivation: c.command,
      notes: [
        `Rows used: ${c.rows} point(s) from ${c.table.rows.length} data rows of ${c.file}${spec.aggregate === 'median' ? ' (medians of repeated points; first line of each shown)' : ''}, file lines ${lineRanges(c.linesUsed)}; filters: ${describeWhere(c.where)}.`,
        `Columns: ${Object.entries(spec.columns).map(([r, col]) => `${r} = ${typeof col === 'string' ? col : `${col!.column} x ${col!.scale}`}`).join(', ') || 'default names'}.`,
        `Fit: ${c.method}${spec.form === 'bilinear' && c.terms.join() !== DEFAULT_BILINEAR_TERMS.join() ? `; terms ${c.terms.map((t) => BILINEAR_TERMS[t].label).join(', ')} (the others 0)` : ''}.`,
      ],
    },
  };
  if (spec.form === 'bilinear') {
    const [rt, en] = parts as [FittedPart, FittedPart | undefined];
    const coef = (p: FittedPart, t: BilinearTerm) => (c.terms.includes(t) ? sig(p.fit.coefficients[c.terms.indexOf(t)]!) : 0);
    const terms = (p: FittedPart) => ({ a0: coef(p, 'a0'), a1: coef(p, 'a1'), a2: coef(p, 'a2'), ...(c.terms.includes('a3') ? { a3: coef(p, 'a3') } : {}), fit: fitBlock(p.fit, c.method, false) });
    const noise = spec.noise ? { noise: { runtime: noiseOf(rt), ...(en ? { energy: noiseOf(en) } : {}) } } : {};
    return { ...common, form: 'bilinear', runtime: terms(rt), ...(en ? { energy: terms(en) } : {}), ...noise };
  }
  const [pre, dec, pow] = parts;
  // Both are required roles, so selectRows has already named a missing column.
  if (!pre || !dec) throw new Error('iteration fit without prefill or decode part');
  const power = pow
    ? { idleW: meta.idleW ?? 0, busyW: sig(pow.fit.coefficients[0]!), busyWPerSeq: sig(pow.fit.coefficients[1]!), ...(meta.capW ? { capW: meta.capW } : {}), fit: fitBlock(pow.fit, c.method, true) }
    : meta.power
      ? { idleW: meta.idleW ?? 0, ...meta.power, ...(meta.capW ? { capW: meta.capW } : {}) }
      : undefined;
  if (!power) common.provenance.notes.push('No powerW column and no profile.power: the profile has no power block, so energy is unknown (NaN).');
  else if (meta.idleW === undefined) common.provenance.notes.push('Idle power not given: idleW = 0 (idle energy is not counted).');
  const [p0, p1, p2] = pre.fit.coefficients as [number, number, number];
  const [d0, dB, dC] = dec.fit.coefficients as [number, number, number];
  const noise = spec.noise ? { noise: { prefill: noiseOf(pre), decode: noiseOf(dec) } } : {};
  return {
    ...common,
    form: 'iteration',
    prefill: { c0: sig(p0), c1: sig(p1), c2: sig(p2), fit: fitBlock(pre.fit, c.method, true) },
    decode: { c0: sig(d0), perSeq: sig(dB), perContextToken: sig(dC), fit: fitBlock(dec.fit, c.method, true) },
    ...(power ? { power } : {}),
    ...(meta.memory ? { memory: meta.memory } : {}),
    ...noise,
  };
}

/**
 * A profile without energy, power or memory loads fine but simulates with energy NaN or an
 * unbounded KV cache; say so at fit time, with how to supply what is missing.
 */
function missingBlocks(profile: ProfileInput, spec: FitSpec): string[] {
  const out: string[] = [];
  if (profile.form === 'bilinear') {
    if (!profile.energy) out.push('no energy block (no energyJ column): simulated energy will be unknown (NaN); map one with --col energyJ=<column>');
    return out;
  }
  if (profile.form !== 'iteration') return out;
  if (!profile.power) {
    out.push('no power block (no powerW column, no profile.power): simulated energy and idle power will be unknown (NaN); map a column with --col powerW=<column>, or give profile.power { busyW, busyWPerSeq } and profile.idleW in the --map file');
  } else if (spec.profile.idleW === undefined) {
    out.push('idle power not given: idleW = 0, so idle energy is not counted; give profile.idleW in the --map file');
  }
  if (!profile.memory) {
    out.push("no memory block (no profile.memory): the KV cache will be unbounded (capacity Infinity); give profile.memory { deviceBytes, weightBytes, kvBytesPerToken } in the --map file, or set kvCapacityTokens in the scenario's device entry");
  }
  return out;
}

/** `2-41, 60, 62-80`: file lines compressed into runs. */
export function lineRanges(lines: readonly number[]): string {
  const s = [...lines].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

function std(xs: readonly number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
}
