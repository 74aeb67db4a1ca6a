import type { Command } from 'commander';
import type { ShippedProfile } from '../profiles/catalog.js';
import type { Fit } from '../profiles/schema.js';
import { COMMANDS } from './catalog.js';

/** Options of `llmsim profiles`. */
export interface ProfilesOptions {
  /** Keep profiles whose form, model or hardware contains this text (any case). */
  readonly form?: string;
  readonly model?: string;
  readonly hardware?: string;
  /** Print one JSON array instead of the table. */
  readonly json?: boolean;
}

/** Fit quality of one part of a profile, as its fit block states it. */
export interface FitQuality {
  readonly r2: number;
  readonly mape?: number;
  readonly points: number;
}

/** One shipped profile as `llmsim profiles` shows it (also the shape of each `--json` element). */
export interface ProfileRow {
  readonly name: string;
  /** Relative to the package root, e.g. `profiles/splitwise/llama2-70b-h100-tp4.yaml`. */
  readonly path: string;
  readonly form: string;
  readonly model: string;
  readonly hardware: string;
  /** GPUs (devices) per instance, the tensor-parallel degree. */
  readonly gpus: number;
  /** provenance.engine; without it "spec sheet" for roofline profiles, else "-". */
  readonly engine: string;
  /** provenance.source, whole. */
  readonly source: string;
  /** The source's name, short: see shortSource. */
  readonly sourceShort: string;
  /** Fit blocks present: the whole profile's (`overall`), or its parts'. */
  readonly fit: Partial<Record<'overall' | 'prefill' | 'decode' | 'power' | 'runtime' | 'energy', FitQuality>>;
  /** Bilinear profiles: the R^2 range the source reports for its family of fits. */
  readonly reportedR2?: { readonly min: number; readonly max: number };
}

/** The rows of `profiles` that pass the filters, in path order. */
export function profileRows(profiles: readonly ShippedProfile[], filters: ProfilesOptions = {}): ProfileRow[] {
  const matches = (value: string, want: string | undefined) => want === undefined || value.toLowerCase().includes(want.toLowerCase());
  return profiles
    .filter(({ profile: p }) => matches(p.form, filters.form) && matches(p.model, filters.model) && matches(p.hardware, filters.hardware))
    .map(({ profile: p, path }) => ({
      name: p.name,
      path: `profiles/${path}`,
      form: p.form,
      model: p.model,
      hardware: p.hardware,
      gpus: p.gpus,
      engine: p.provenance.engine ?? (p.form === 'roofline' ? 'spec sheet' : '-'),
      source: p.provenance.source,
      sourceShort: shortSource(p.provenance.source),
      fit: fitsOf(p),
      ...(p.form === 'bilinear' && p.reportedR2 ? { reportedR2: p.reportedR2 } : {}),
    }));
}

function fitsOf(p: ShippedProfile['profile']): ProfileRow['fit'] {
  const q = (f: Fit | undefined): FitQuality | undefined => (f ? { r2: f.r2, ...(f.mape !== undefined ? { mape: f.mape } : {}), points: f.points } : undefined);
  const parts =
    p.form === 'iteration'
      ? { overall: q(p.fit), prefill: q(p.prefill.fit), decode: q(p.decode.fit), power: q(p.power?.fit) }
      : p.form === 'bilinear'
        ? { overall: q(p.fit), runtime: q(p.runtime.fit), energy: q(p.energy?.fit) }
        : { overall: q(p.fit) };
  return Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined));
}

/**
 * The name a source starts with: its text up to the first " (", ": ", ", " or ". " (a path cut to
 * its file name), then its first word and as many more as keep it within `max` characters:
 * "Splitwise performance database (Patel et al., ...)" -> "Splitwise", "Apple M1 Pro
 * specifications (...)" -> "Apple M1".
 */
export function shortSource(source: string, max = 10): string {
  let head = source.split(/ \(|: |, |\. /)[0]!.trim();
  if (head.includes('/')) head = head.slice(head.lastIndexOf('/') + 1).replace(/\.(ya?ml|json)$/i, '');
  const words = head.split(/\s+/);
  let out = words[0]!;
  for (const w of words.slice(1)) {
    if (out.length + 1 + w.length > max) break;
    out += ` ${w}`;
  }
  return out;
}

/**
 * The table's fit column: mean absolute percentage error (one decimal below 10) of the whole
 * profile's fit, else of its time fits (`p` prefill, `d` decode, `r` runtime), else R^2; "-"
 * without a fit block.
 */
export function fitText(row: ProfileRow): string {
  const f = row.fit;
  const pct = (x: FitQuality) => (x.mape === undefined ? `R2 ${x.r2}` : x.mape < 10 ? x.mape.toFixed(1) : String(Math.round(x.mape)));
  if (f.overall) return pct(f.overall);
  const parts: [string, FitQuality | undefined][] = [
    ['p', f.prefill],
    ['d', f.decode],
    ['r', f.runtime],
  ];
  const shown = parts.flatMap(([k, x]) => (x ? [`${k}${pct(x)}`] : []));
  return shown.length > 0 ? shown.join(' ') : '-';
}

/** Content widths of the table's columns; with a space between columns a line is at most 100 characters. */
const COLUMNS: readonly { head: string; width: number; cell: (r: ProfileRow) => string }[] = [
  { head: 'name', width: 25, cell: (r) => r.name },
  { head: 'form', width: 9, cell: (r) => r.form },
  { head: 'model', width: 13, cell: (r) => r.model },
  { head: 'hardware', width: 10, cell: (r) => r.hardware },
  { head: 'gpus', width: 4, cell: (r) => String(r.gpus) },
  { head: 'engine', width: 13, cell: (r) => r.engine },
  { head: 'source', width: 10, cell: (r) => r.sourceShort },
  { head: 'fit MAPE%', width: 9, cell: fitText },
];

/** Widest line `formatProfilesTable` writes. */
export const TABLE_WIDTH = COLUMNS.reduce((w, c) => w + c.width, 0) + COLUMNS.length - 1;

/**
 * Plain aligned text, one row per profile; a cell longer than its column wraps after a "-", "/",
 * "_" or space (or anywhere, for a longer run), so no line is wider than TABLE_WIDTH and no name is
 * cut short. Ends with a newline.
 */
export function formatProfilesTable(rows: readonly ProfileRow[]): string {
  const lines: string[] = [];
  const emit = (cells: readonly string[][]) => {
    const height = Math.max(...cells.map((c) => c.length));
    for (let i = 0; i < height; i++) lines.push(COLUMNS.map((c, j) => (cells[j]![i] ?? '').padEnd(c.width)).join(' ').trimEnd());
  };
  emit(COLUMNS.map((c) => [c.head]));
  for (const r of rows) emit(COLUMNS.map((c) => wrap(c.cell(r), c.width)));
  return `${lines.join('\n')}\n`;
}

/** Greedy wrap of `text` into lines of at most `width`, breaking after "-", "/", "_" or a space. */
export function wrap(text: string, width: number): string[] {
  const pieces = text.match(/[^-/_ ]*[-/_ ]?/g)!.filter((p) => p !== '');
  const out: string[] = [];
  let line = '';
  for (let piece of pieces) {
    if (line.length + piece.trimEnd().length > width && line !== '') {
      out.push(line.trimEnd());
      line = '';
    }
    while (piece.trimEnd().length > width) {
      out.push(piece.slice(0, width));
      piece = piece.slice(width);
    }
    line += piece;
  }
  if (line.trimEnd() !== '' || out.length === 0) out.push(line.trimEnd());
  return out;
}

/** Adds `profiles`: lists the shipped profiles, to choose one for a scenario's `profile:`. */
export function registerProfilesCommand(program: Command, print: (text: string) => void): void {
  program
    .command('profiles')
    .description(COMMANDS.profiles.description)
    .option('--form <text>', 'only profiles whose form contains this text (bilinear, iteration, roofline)')
    .option('--model <text>', 'only profiles whose model contains this text, e.g. llama-2-70b')
    .option('--hardware <text>', 'only profiles whose hardware contains this text, e.g. h100')
    .option('--json', 'print one JSON array (every field, fit blocks per part) instead of the table')
    .action(async (opts: ProfilesOptions) => {
      // Loaded only when the command runs: reading every profile is this command's whole job.
      const { listShippedProfiles } = await import('../profiles/catalog.js');
      const rows = profileRows(listShippedProfiles(), opts);
      if (opts.json) print(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) print(`no shipped profile matches${describeFilters(opts)}`);
      else print(formatProfilesTable(rows).trimEnd());
    });
}

function describeFilters(opts: ProfilesOptions): string {
  const parts = (['form', 'model', 'hardware'] as const).filter((k) => opts[k] !== undefined).map((k) => ` --${k} ${JSON.stringify(opts[k])}`);
  return parts.join('');
}
