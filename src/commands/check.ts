import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { compareSummaries, readSummaryFile } from '../check/check.js';
import { flattenJson } from '../check/flatten.js';
import { formatDriftTable, formatLimitTable } from '../check/format.js';
import { checkLimits, parseLimit } from '../check/limits.js';
import { checkJson, checkJunit, passed, type CheckVerdict } from '../check/report.js';
import { checkRulesMatch, loadTolerances } from '../check/tolerances.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../metrics/atomic-write.js';
import { CommandFailure } from './failure.js';
import { checkOutputFile, parseOptions } from './options.js';
import { COMMANDS } from './catalog.js';

/** Output formats of `check`. */
export const CHECK_FORMATS = ['table', 'json', 'junit'] as const;

const checkOptions = z.strictObject({
  baseline: z.string().min(1).optional(),
  tolerances: z.string().min(1).optional(),
  limit: z.array(z.string()).default([]),
  format: z.enum(CHECK_FORMATS).default('table'),
  out: z.string().min(1).optional(),
  update: z.boolean().default(false),
  quiet: z.boolean().default(false),
});

/**
 * `llmsim check <summary.json> [--baseline <golden.json>] [--limit 'metric <= n' ...]`: the CI
 * gate. Prints what drifted (two-sided, or one-sided where the tolerances say which way is
 * better) and which absolute limits broke, and fails with exit code 1; `--update` rewrites the
 * baseline instead. Files that are not summaries, tolerance patterns and limits that match no
 * metric are input errors (exit 2).
 */
export function checkCommand(file: string, rawOptions: unknown, print: (text: string) => void): void {
  const opts = parseOptions(checkOptions, rawOptions);
  const result = readSummaryFile(file, 'summary file');
  const tolerances = loadTolerances(opts.tolerances);
  const limits = [...tolerances.limits, ...opts.limit.map((text) => parseLimit(text, { field: '--limit' }))];
  if (opts.baseline === undefined) {
    if (opts.update) throw new InputError({ field: '--update' }, 'expected --baseline naming the file to write, found none');
    if (limits.length === 0) throw new InputError({ field: '--baseline' }, 'expected a baseline summary, or at least one --limit (or limits: in the tolerances file), found neither');
  }
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const baseline = opts.baseline !== undefined && existsSync(opts.baseline) ? readSummaryFile(opts.baseline, 'baseline summary') : undefined;
  if (opts.baseline !== undefined && !baseline && !opts.update) throw new InputError({ file: opts.baseline, field: '--baseline' }, 'expected an existing baseline summary, found no such file (create it with --update)');
  const flat = flattenJson(result);
  checkRulesMatch(tolerances, [...new Set([...flattenJson(baseline ?? {}).keys(), ...flat.keys()])]);
  const limitResults = checkLimits(limits, flat);
  if (opts.update) {
    const before = baseline ? compareSummaries(result, baseline, tolerances).drifts.length : undefined;
    writeFileAtomic(opts.baseline!, (w) => w(`${JSON.stringify(result, null, 2)}\n`));
    if (!opts.quiet) print(before === undefined ? `created baseline ${opts.baseline}` : `updated baseline ${opts.baseline} (${before} value(s) had drifted)`);
    return;
  }
  const report = baseline ? compareSummaries(result, baseline, tolerances) : null;
  const verdict: CheckVerdict = { summary: file, baseline: opts.baseline ?? null, report, limits: limitResults };
  const ok = passed(verdict);
  if (opts.format !== 'table') {
    const text = opts.format === 'json' ? checkJson(verdict) : checkJunit(verdict);
    if (opts.out !== undefined) writeFileAtomic(opts.out, (w) => w(text));
    else print(text.trimEnd());
  } else if (!ok) {
    if (report && report.drifts.length > 0) print(formatDriftTable(report));
    if (limitResults.some((l) => !l.ok)) print(formatLimitTable(limitResults));
  }
  if (!ok) {
    const parts = [];
    if (report && report.drifts.length > 0) parts.push(`${report.drifts.length} of ${report.compared} value(s) drifted from baseline ${opts.baseline} (update it on purpose with --update)`);
    const broken = limitResults.filter((l) => !l.ok);
    if (broken.length > 0) parts.push(`${broken.length} of ${limitResults.length} limit(s) broken (${broken.map((l) => l.limit.text).join('; ')})`);
    throw new CommandFailure(`${file}: ${parts.join('; ')}`);
  }
  if (!opts.quiet && opts.format === 'table') {
    const parts = [];
    if (report) parts.push(`${report.compared} value(s) within tolerance of ${opts.baseline}${report.ignored > 0 ? ` (${report.ignored} ignored)` : ''}`);
    if (limitResults.length > 0) parts.push(`${limitResults.length} limit(s) hold`);
    print(`ok: ${parts.join('; ')}`);
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `check` to the program. */
export function registerCheckCommand(program: Command, print: (text: string) => void): void {
  program
    .command('check')
    .description(COMMANDS.check.description)
    .argument('<summary>', 'summary.json of a run')
    .option('-b, --baseline <file>', 'baseline (golden) summary.json')
    .option('-t, --tolerances <file>', 'YAML: default {abs, rel}, per-metric overrides {abs, rel, ignore, better: lower|higher} and limits: [...]')
    .option('-l, --limit <expr>', "absolute limit, e.g. 'latency.ttftS.p99 <= 2' (<, <=, >, >=); repeatable", collect)
    .option('--format <format>', `output: ${CHECK_FORMATS.join(', ')} (default table)`)
    .option('-o, --out <file>', 'write the json or junit report to this file instead of stdout')
    .option('--update', 'rewrite the baseline with this summary (on purpose)')
    .option('-q, --quiet', 'print nothing when the check passes')
    .action((file: string, opts: unknown) => checkCommand(file, opts, print));
}
