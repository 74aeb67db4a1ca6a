/**
 * `llmsim fit <csv>`: least-squares fit of a profile form to measurements, with the column mapping
 * from flags or a YAML file; prints coefficients and fit quality and writes the profile.
 */
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { Document } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../metrics/atomic-write.js';
import { fitCsv, type FittedPart } from '../profiles/fit-csv.js';
import { DEFAULT_COLUMNS, FitSpecSchema, ROLE_MEANINGS, ROLES, unknownRoleMessage, type FitForm, type FitSpec, type FitSpecInput } from '../profiles/fit-spec.js';
import { splitWhereFlag, type WhereValue } from '../profiles/fit-where.js';
import { ProfileSchema } from '../profiles/schema.js';
import { validate } from '../util/validate.js';
import { loadYamlFile, readTextFile } from '../util/yaml-file.js';
import { intOption, checkOutputFile, parseOptions } from './options.js';
import { COMMANDS } from './catalog.js';

const pair = (what: string) => z.string().regex(/^[^=]+=.+$/, `expected ${what}`);

const fitOptions = z.strictObject({
  form: z.enum(['bilinear', 'iteration']).optional(),
  map: z.string().min(1).optional(),
  col: z.array(pair('role=column or role=column*scale, e.g. runtimeS=time_ms*0.001')).default([]),
  where: z.array(z.string().regex(/^[^!<>=]+(!=|>=|<=|=|>|<).+$/, 'expected column=value, column!=value, column>=number (or >, <=, <) or column=low..high')).default([]),
  terms: z.string().regex(/^\s*a[0-3]\s*(,\s*a[0-3]\s*)*$/, 'expected bilinear terms separated by commas, e.g. a0,a1,a2,a3').optional(),
  nonNegative: z.boolean().optional(),
  weights: z.enum(['none', 'relative']).optional(),
  aggregate: z.enum(['none', 'median']).optional(),
  noise: z.boolean().optional(),
  name: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  hardware: z.string().min(1).optional(),
  gpus: intOption(1, 4096).optional(),
  source: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  quiet: z.boolean().default(false),
});

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Warnings go to stderr so that a profile printed to stdout stays clean YAML. */
const stderrWarn = (s: string) => process.stderr.write(`llmsim: warning: ${s}\n`);

/** Adds the `fit` command to the program; `warn` receives one line per warning (default: stderr). */
export function registerFitCommand(program: Command, print: (s: string) => void, warn: (s: string) => void = stderrWarn): void {
  program
    .command('fit')
    .description(COMMANDS.fit.description)
    .argument('<csv>', 'measurement CSV with a header row')
    .option('--form <form>', 'profile form: bilinear (Wilkins et al.) or iteration')
    .option('--map <file>', 'YAML mapping: form, columns, where, options, profile metadata (flags override it)')
    .option('--col <role=column>', 'column for a role, optionally scaled: runtimeS=time_ms*0.001; a sum of columns: inputTokens=prompt_tokens+output_tokens (repeatable)', collect)
    .option('--where <condition>', 'keep only rows where: column=value, column!=value, column>=n (or >, <=, <), column=low..high (repeatable; all must hold)', collect)
    .option('--terms <list>', 'bilinear: the coefficients to fit, e.g. a0,a1,a2,a3 (default a0,a1,a2; a3 is per output token squared)')
    .option('--non-negative', 'constrain every coefficient to be >= 0')
    .option('--weights <kind>', 'none (ordinary least squares) or relative (minimise relative error)')
    .option('--aggregate <kind>', 'none, or median: fit the median of repeated points')
    .option('--noise', 'store the relative residuals as the profile noise block')
    .option('--name <name>', 'profile name')
    .option('--model <id>', 'model id')
    .option('--hardware <id>', 'hardware id')
    .option('--gpus <n>', 'GPUs per instance')
    .option('--source <text>', 'where the measurements come from (provenance.source)')
    .option('-o, --out <file>', 'write the profile here (default: print it)')
    .option('-q, --quiet', 'print only the profile (or nothing with --out); warnings still go to stderr')
    .addHelpText('after', fitHelp())
    .action((csv: string, opts: unknown) => fitCommand(csv, opts, print, process.argv.slice(2).join(' '), warn));
}

/** The roles of each form with meaning and unit, and what only the --map file can give. */
export function fitHelp(): string {
  const lines = [
    '',
    'Column roles: --col role=column, or role=column*scale to convert to the unit shown (e.g.',
    'prefillS=prompt_ms*0.001); in --map, columns: { role: column } or { role: { column, scale } }.',
    'A role without a mapping reads the column in brackets; * marks the roles every fit needs.',
  ];
  const forms: Record<FitForm, string> = { bilinear: 'one row per request; fits a0*tin + a1*tout + a2*tin*tout (+ a3*tout^2 with --terms)', iteration: 'one row per batch measurement; fits prefill time, decode step time, busy power' };
  for (const form of Object.keys(ROLES) as FitForm[]) {
    lines.push(`  ${form} (${forms[form]}):`);
    const meanings: Record<string, string> = ROLE_MEANINGS[form];
    for (const role of [...ROLES[form].required, ...ROLES[form].optional] as string[]) {
      const required = (ROLES[form].required as readonly string[]).includes(role) ? '*' : ' ';
      lines.push(`   ${required}${role.padEnd(14)}${`[${DEFAULT_COLUMNS[role]}]`.padEnd(17)}${meanings[role]}`);
    }
  }
  lines.push(
    '',
    'A column may be a sum of columns in the same unit: inputTokens=prompt_tokens+output_tokens; a',
    'scale multiplies the whole sum (prefillS=queue_ms+compute_ms*0.001 is their sum in s).',
    'Measured times and energies must be > 0 (an empty cell leaves the row out of that fit); a',
    'powerW of 0 reads as not measured. Counts must be > 0.',
    '',
    'Filters (--where, repeatable, all must hold; in --map: where: { column: condition or [list] }):',
    '  column=value   text equal          column!=value   text not equal',
    "  column>=n, column>n, column<=n, column<n           numeric (quote them in a shell: 'batch_size>=8')",
    '  column=low..high   numeric, both ends included; an end may be left out (column=128..)',
    '  e.g. --where model=llama2-70b --where hardware!=h100-80gb-pcap --where batch_size=1..16',
    '',
    'Memory, idle power and power from another source have no column: give them in the profile: block',
    'of a --map file (the rest can stay on flags, which override the file). Without memory the KV cache',
    'is unbounded; without power (and no powerW column) energy is unknown (NaN); fit warns about both.',
    'A --map file can hold just that block; e.g. with the figures of',
    'profiles/splitwise/llama2-70b-h100-tp4.yaml (4 x H100-80GB):',
    '  profile:',
    '    idleW: 300                                   # idle power of the instance, W',
    '    capW: 2800                                   # optional busy power cap, W',
    '    power: { busyW: 1786.73, busyWPerSeq: 2.5368 }  # only without a powerW column: W, W per sequence',
    '    memory: { deviceBytes: 343597383680, weightBytes: 137953296384, kvBytesPerToken: 327680, utilization: 0.9 }',
    '    # KV capacity = (deviceBytes * utilization - weightBytes) / kvBytesPerToken tokens; utilization defaults to 0.9',
    'The other --map keys: form, columns, where, terms, nonNegative, weights, aggregate, noise, and profile:',
    'name, model, hardware, gpus, source, license. See profiles/README.md.',
  );
  return lines.join('\n');
}

/** Runs the fit; `command` is recorded in the profile's provenance. */
export function fitCommand(csv: string, rawOptions: unknown, print: (s: string) => void, command: string, warn: (s: string) => void = stderrWarn): void {
  const opts = parseOptions(fitOptions, rawOptions);
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const spec = buildSpec(opts);
  const text = readTextFile(csv, 'measurement CSV');
  const sha = createHash('sha256').update(text).digest('hex');
  const outcome = fitCsv(text, csv, spec, `llmsim ${command || `fit ${csv}`}`);
  outcome.profile.provenance.notes?.unshift(`Data file SHA-256: ${sha}.`);
  // The fitted numbers must make a loadable profile (e.g. the iteration form needs times >= 0).
  const check = ProfileSchema.safeParse(outcome.profile);
  if (!check.success) {
    const issue = check.error.issues[0]!;
    throw new InputError({ file: csv, field: issue.path.join('.') }, `expected a valid ${spec.form} profile from the fit, found: ${issue.message}${spec.nonNegative === false ? ' (try --non-negative)' : ''}`);
  }
  const doc = new Document(outcome.profile);
  doc.commentBefore = ` Fitted by llmsim fit from ${csv}. Regenerate with the command in provenance.derivation.`;
  const yaml = doc.toString({ lineWidth: 0, minContentWidth: 0 });
  // Write before printing: an unwritable --out must fail with nothing printed.
  if (opts.out) writeFileAtomic(opts.out, (write) => write(yaml));
  if (!opts.quiet) for (const line of summaryLines(csv, outcome.parts, outcome.rowsUsed, spec)) print(line);
  for (const w of outcome.warnings) warn(w);
  if (!opts.out) print(yaml.trimEnd());
  else if (!opts.quiet) print(`wrote ${opts.out}`);
}

/** The mapping file (if any) with the flags laid over it, validated. */
function buildSpec(opts: z.output<typeof fitOptions>): FitSpec {
  const fromMap = opts.map ? loadYamlFile(opts.map, 'fit mapping file') : undefined;
  const base = (fromMap?.data ?? {}) as FitSpecInput;
  if (fromMap) validate(FitSpecSchema.partial(), base, fromMap); // name the line of a bad mapping key
  const form = opts.form ?? base.form;
  if (form === undefined) throw new InputError({ field: '--form' }, 'expected --form bilinear or --form iteration (or form: in the --map file), found nothing');
  // Roles depend on the form, so they are checked here, where the line or flag can be named.
  for (const role of Object.keys(base.columns ?? {})) {
    const unknown = unknownRoleMessage(form, role);
    const pos = fromMap?.locate(['columns'], role);
    if (unknown) throw new InputError({ file: fromMap?.file, line: pos?.line, column: pos?.column, field: `columns.${role}` }, unknown);
  }
  const columns: Record<string, unknown> = { ...(base.columns ?? {}) };
  for (const c of opts.col) {
    const [role, rest] = splitPair(c);
    const unknown = unknownRoleMessage(form, role);
    if (unknown) throw new InputError({ field: '--col' }, unknown);
    const m = /^(.*?)\*([^*]*)$/.exec(rest);
    if (m && !(/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(m[2]!) && Number(m[2]) !== 0)) {
      throw new InputError({ field: '--col' }, `expected role=column*scale with a nonzero decimal scale (e.g. runtimeS=time_ms*0.001), found ${JSON.stringify(c)}`);
    }
    columns[role] = m ? { column: m[1]!, scale: Number(m[2]) } : rest;
  }
  // A flag replaces the --map file's condition on its column; several flags on one column all hold.
  const where: Record<string, WhereValue> = { ...(base.where ?? {}) };
  const flagged: Record<string, string[]> = {};
  for (const w of opts.where) {
    const split = splitWhereFlag(w);
    if (!split) throw new InputError({ field: '--where' }, `expected column=value, column!=value, column>=number (or >, <=, <) or column=low..high, found ${JSON.stringify(w)}`);
    (flagged[split[0]] ??= []).push(split[1]);
  }
  for (const [col, conditions] of Object.entries(flagged)) where[col] = conditions.length === 1 ? conditions[0]! : conditions;
  const profile = { ...(base.profile ?? {}) } as Record<string, unknown>;
  for (const k of ['name', 'model', 'hardware', 'gpus', 'source'] as const) if (opts[k] !== undefined) profile[k] = opts[k];
  const merged = {
    ...base,
    form,
    columns,
    where,
    profile,
    ...(opts.nonNegative !== undefined ? { nonNegative: opts.nonNegative } : {}),
    ...(opts.weights ? { weights: opts.weights } : {}),
    ...(opts.aggregate ? { aggregate: opts.aggregate } : {}),
    ...(opts.noise !== undefined ? { noise: opts.noise } : {}),
    ...(opts.terms ? { terms: opts.terms.split(',').map((t) => t.trim()) } : {}),
  };
  return validate(FitSpecSchema, merged, fromMap);
}

function splitPair(s: string): [string, string] {
  const i = s.indexOf('=');
  return [s.slice(0, i).trim(), s.slice(i + 1).trim()];
}

function summaryLines(csv: string, parts: FittedPart[], rows: number, spec: FitSpec): string[] {
  const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(5) : x.toExponential(4));
  const lines = [`${spec.form} fit to ${csv}: ${rows} point(s)`];
  for (const p of parts) {
    const f = p.fit;
    lines.push(`${p.part}: ${p.terms.map((t, i) => `${t.split(' ')[0]} = ${fmt(f.coefficients[i]!)}`).join(', ')}`);
    lines.push(
      `  R^2 ${f.r2Uncentered.toFixed(4)} uncentered, ${f.r2Centered.toFixed(4)} centered; RMSE ${fmt(f.rmse)}; MAPE ${f.mape.toFixed(2)}% (median ${f.medianApe.toFixed(2)}%, max ${f.maxApe.toFixed(2)}%); residual std ${Number.isFinite(f.residualStd) ? fmt(f.residualStd) : '-'}; ${f.points} points`,
    );
  }
  return lines;
}
