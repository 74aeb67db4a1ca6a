import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { ensureDir, writeFileAtomic } from '../metrics/atomic-write.js';
import { readReportInputs } from '../report/inputs.js';
import { buildReport, type ReportFigures } from '../report/report.js';
import { checkOutputFile, parseOptions } from './options.js';
import { COMMANDS } from './catalog.js';

const reportOptions = z.strictObject({
  out: z.string().min(1).default('report.html'),
  title: z.string().min(1).default('llmsim report'),
  quiet: z.boolean().default(false),
  figures: z.string().min(1).optional(),
});

/** `llmsim report <results dirs or sweep CSVs...> -o report.html`: one self-contained HTML page of charts. */
export async function reportCommand(paths: string[], rawOptions: unknown, print: (text: string) => void): Promise<void> {
  const opts = parseOptions(reportOptions, rawOptions);
  if (opts.out !== undefined) checkOutputFile(opts.out, '--out');
  if (opts.figures !== undefined) checkFiguresDir(opts.figures);
  const inputs = readReportInputs(paths);
  const out = resolve(opts.out);
  // --figures: every chart also as its own SVG file, linked from the page; written only once the
  // whole page is built, each file atomically.
  const svgs = new Map<string, string>();
  const figDir = opts.figures === undefined ? undefined : resolve(opts.figures);
  const figures: ReportFigures | undefined =
    figDir === undefined
      ? undefined
      : {
          href: relative(dirname(out), figDir).split(sep).map(encodeURIComponent).join('/') || '.',
          write: (name, svg) => void svgs.set(name, svg),
        };
  const html = await buildReport(inputs, opts.title, paths, figures);
  if (figDir) {
    ensureDir(figDir);
    for (const [name, svg] of svgs) writeFileAtomic(join(figDir, name), (w) => w(svg));
  }
  writeFileAtomic(out, (w) => w(html));
  if (!opts.quiet) print(`wrote ${out} (${inputs.runs.length} run(s), ${inputs.sweeps.length} sweep(s), ${inputs.capacities?.length ? `${inputs.capacities.length} capacity search(es), ` : ''}${Math.round(html.length / 1024)} KiB)${figDir ? ` and ${svgs.size} SVG figure(s) in ${figDir}` : ''}`);
}

// --figures must be a directory or creatable as one: refused before anything is built or written.
function checkFiguresDir(path: string): void {
  for (let d = resolve(path); ; d = dirname(d)) {
    if (existsSync(d)) {
      if (!statSync(d).isDirectory()) throw new InputError({ field: '--figures' }, `expected a directory to write the figures in, found a file: ${d}`);
      return;
    }
    if (dirname(d) === d) return;
  }
}

/** Adds `report` to the program. */
export function registerReportCommand(program: Command, print: (text: string) => void): void {
  program
    .command('report')
    .description(COMMANDS.report.description)
    .argument('<inputs...>', 'results directories (run, compare or sweep output) and/or sweep points.csv files')
    .option('-o, --out <file>', 'HTML file to write (default report.html)')
    .option('--title <text>', 'page title (default "llmsim report")')
    .option('--figures <dir>', 'also write every chart as <dir>/<chart id>.svg, linked from the page')
    .option('-q, --quiet', 'print nothing but errors')
    .action((paths: string[], opts: unknown) => reportCommand(paths, opts, print));
}
