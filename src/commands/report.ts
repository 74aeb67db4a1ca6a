import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { writeFileAtomic } from '../metrics/atomic-write.js';
import { readReportInputs } from '../report/inputs.js';
import { buildReport } from '../report/report.js';
import { checkOutputFile, parseOptions } from './options.js';
import { COMMANDS } from './catalog.js';

const reportOptions = z.strictObject({
  out: z.string().min(1).default('report.html'),
  title: z.string().min(1).default('llmsim report'),
  quiet: z.boolean().default(false),
});

/** `llmsim report <results dirs or sweep CSVs...> -o report.html`: one self-contained HTML page of charts. */
export async function reportCommand(paths: string[], rawOptions: unknown, print: (text: string) => void): Promise<void> {
  const opts = parseOptions(reportOptions, rawOptions);
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  const inputs = readReportInputs(paths);
  const html = await buildReport(inputs, opts.title, paths);
  const out = resolve(opts.out);
  writeFileAtomic(out, (w) => w(html));
  if (!opts.quiet) print(`wrote ${out} (${inputs.runs.length} run(s), ${inputs.sweeps.length} sweep(s), ${Math.round(html.length / 1024)} KiB)`);
}

/** Adds `report` to the program. */
export function registerReportCommand(program: Command, print: (text: string) => void): void {
  program
    .command('report')
    .description(COMMANDS.report.description)
    .argument('<inputs...>', 'results directories (run, compare or sweep output) and/or sweep points.csv files')
    .option('-o, --out <file>', 'HTML file to write (default report.html)')
    .option('--title <text>', 'page title (default "llmsim report")')
    .option('-q, --quiet', 'print nothing but errors')
    .action((paths: string[], opts: unknown) => reportCommand(paths, opts, print));
}
