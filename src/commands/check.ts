import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { compareSummaries, readSummaryFile } from '../check/check.js';
import { flattenJson } from '../check/flatten.js';
import { formatDriftTable } from '../check/format.js';
import { checkRulesMatch, loadTolerances } from '../check/tolerances.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../metrics/atomic-write.js';
import { CommandFailure } from './failure.js';
import { parseOptions } from './options.js';
import { COMMANDS } from './catalog.js';

const checkOptions = z.strictObject({
  baseline: z.string().min(1),
  tolerances: z.string().min(1).optional(),
  update: z.boolean().default(false),
  quiet: z.boolean().default(false),
});

/**
 * `llmsim check <summary.json> --baseline <golden.json>`: the CI gate. Prints a table of what
 * drifted and fails with exit code 1 on drift; `--update` rewrites the baseline instead. Files
 * that are not summaries, and tolerance patterns that match no metric, are input errors (exit 2).
 */
export function checkCommand(file: string, rawOptions: unknown, print: (text: string) => void): void {
  const opts = parseOptions(checkOptions, rawOptions);
  const result = readSummaryFile(file, 'summary file');
  const tolerances = loadTolerances(opts.tolerances);
  const baseline = existsSync(opts.baseline) ? readSummaryFile(opts.baseline, 'baseline summary') : undefined;
  if (!baseline && !opts.update) throw new InputError({ file: opts.baseline, field: '--baseline' }, 'expected an existing baseline summary, found no such file (create it with --update)');
  checkRulesMatch(tolerances, [...new Set([...flattenJson(baseline ?? {}).keys(), ...flattenJson(result).keys()])]);
  if (opts.update) {
    const before = baseline ? compareSummaries(result, baseline, tolerances).drifts.length : undefined;
    writeFileAtomic(opts.baseline, (w) => w(`${JSON.stringify(result, null, 2)}\n`));
    if (!opts.quiet) print(before === undefined ? `created baseline ${opts.baseline}` : `updated baseline ${opts.baseline} (${before} value(s) had drifted)`);
    return;
  }
  const report = compareSummaries(result, baseline, tolerances);
  if (report.drifts.length > 0) {
    print(formatDriftTable(report));
    throw new CommandFailure(`${file}: ${report.drifts.length} of ${report.compared} value(s) drifted from baseline ${opts.baseline} (update it on purpose with --update)`);
  }
  if (!opts.quiet) print(`ok: ${report.compared} value(s) within tolerance of ${opts.baseline}${report.ignored > 0 ? ` (${report.ignored} ignored)` : ''}`);
}

/** Adds `check` to the program. */
export function registerCheckCommand(program: Command, print: (text: string) => void): void {
  program
    .command('check')
    .description(COMMANDS.check.description)
    .argument('<summary>', 'summary.json of a run')
    .requiredOption('-b, --baseline <file>', 'baseline (golden) summary.json')
    .option('-t, --tolerances <file>', 'YAML: default {abs, rel} and per-metric overrides')
    .option('--update', 'rewrite the baseline with this summary (on purpose)')
    .option('-q, --quiet', 'print nothing when the check passes')
    .action((file: string, opts: unknown) => checkCommand(file, opts, print));
}
