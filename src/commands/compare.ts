import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { checkPolicyDirs, COMPARE_FILES, previousCompare, stageCompare } from '../compare/output.js';
import { comparePolicies, comparisonCsv, comparisonJson, comparisonMarkdown, formatComparison, KEY_METRICS } from '../compare/table.js';

/** What `compare` prints: the table (side by side when it fits 80 columns), or the comparison as JSON, CSV or Markdown. */
export const COMPARE_FORMATS = ['table', 'json', 'csv', 'markdown'] as const;
import { DEFAULT_POLICIES_TEXT, policyVariants, uniqueSlugs, type DroppedVariant, type PolicyVariant } from '../compare/variants.js';
import { seedFree } from '../compare/seed-free.js';
import { commandLine, onInterrupt } from '../sweep/interrupt.js';
import { createProgress, progressMode } from '../sweep/progress.js';
import { InputError, formatInputError } from '../errors.js';
import { withOutput } from '../output/dir.js';
import { performance } from 'node:perf_hooks';
import { checkScenario, loadScenario, prepareRun } from '../scenario/load.js';
import type { FlatMetrics } from '../sweep/metrics.js';
import { csvValue } from '../sweep/outputs.js';
import { createRunPool, defaultThreads, runEach } from '../sweep/pool.js';
import { jobsOption } from './sweep.js';
import { intOption, parseOptions, realOption } from './options.js';
import { MAX_COMPARE_SEEDS } from '../limits.js';
import { COMMANDS } from './catalog.js';

const compareOptions = z.strictObject({
  policies: z.string().min(1).optional(),
  seeds: intOption(1, MAX_COMPARE_SEEDS).default(5),
  metrics: z.string().min(1).optional(),
  level: realOption().pipe(z.number().gt(0).lt(1)).default(0.95),
  jobs: jobsOption.optional(),
  out: z.string().min(1).optional(),
  quiet: z.boolean().default(false),
  format: z.enum(COMPARE_FORMATS).default('table'),
});

/**
 * `llmsim compare <scenario>`: the same workload under several policies, seed by seed (common
 * random numbers: the workload's streams depend on the seed only), and a table of each metric
 * with the paired difference to the first policy and its confidence interval over seeds.
 * Writes compare.csv (every run), comparison.csv (the table) and, per policy, the full results of
 * the first seed (for `llmsim report`) - all only once every run has succeeded.
 */
export async function compareCommand(file: string, rawOptions: unknown, print: (text: string) => void): Promise<void> {
  const opts = parseOptions(compareOptions, rawOptions);
  const loaded = loadScenario(file);
  const { sweep: _ignored, ...raw } = loaded.source!.data as Record<string, unknown>;
  const dropped: DroppedVariant[] = [];
  const variants = policyVariants(opts.policies, loaded.scenario, dropped);
  const metrics = opts.metrics === undefined ? KEY_METRICS : opts.metrics.split(',').map((m) => m.trim());
  // A trace replayed with nothing random (no noise, no random policy) gives the same results on
  // every seed: one seed is the whole answer, and more would only repeat it.
  const deterministic = seedFree(loaded.scenario, variants);
  const seeds = Array.from({ length: deterministic ? 1 : opts.seeds }, (_, k) => loaded.scenario.seed + k);
  const dir = resolve(opts.out ?? join(loaded.scenario.output.dir ?? `results/${loaded.scenario.name}`, 'compare'));
  const dataOf = (v: PolicyVariant, seed: number) => ({ ...raw, seed, policy: { name: v.name, params: v.params } });
  for (const v of variants) checkVariant(v, dataOf(v, seeds[0]!), loaded.file, loaded.baseDir);
  // Pre-flight: load what `llmsim run` would (trace, profiles) once, here, so a problem of the
  // scenario itself reads exactly as `llmsim run` reports it instead of as one worker's failure.
  prepareRun(loaded);
  const labels = variants.map((v) => v.label);
  const slugs = uniqueSlugs(labels);
  checkPolicyDirs(dir, slugs);

  const runs: FlatMetrics[][] = variants.map(() => new Array<FlatMetrics>(seeds.length));
  const items = variants.flatMap((_, p) => seeds.map((_, s) => [p, s] as const));
  const cells = await withOutput(dir, 'compare', async (out) => {
    const staging = out.stage();
    const pool = createRunPool(Math.min(opts.jobs ?? defaultThreads(), items.length));
    let finished = 0;
    let failed = true;
    // Ctrl-C: compare writes nothing until every run is done, so there is nothing to resume from.
    const guard = onInterrupt(
      () => `${finished} of ${items.length} run(s) had finished; compare keeps nothing until every run is done and ${dir} is unchanged: rerun the same command to start again: ${commandLine()}`,
      () => (progress.stop(true), out.close()),
    );
    const progress = createProgress({ label: `compare ${loaded.scenario.name}`, total: items.length, done: 0, mode: progressMode(process.stderr, process.env, opts.quiet), stream: process.stderr, nowMs: () => performance.now() });
    try {
      await runEach(
        items,
        pool,
        ([p, s]) => ({
          file: loaded.file,
          baseDir: loaded.baseDir,
          data: dataOf(variants[p]!, seeds[s]!),
          name: variants[p]!.label,
          writeDir: s === 0 ? join(staging, slugs[p]!) : undefined,
          resultsDir: s === 0 ? join(dir, slugs[p]!) : undefined,
        }),
        ([p, s], m) => {
          runs[p]![s] = m;
          finished++;
          progress.tick();
        },
        ([p, s]) => `policy ${variants[p]!.label}, seed ${seeds[s]}`,
      );
      failed = false;
    } finally {
      guard.dispose();
      progress.stop(failed);
      await pool.close();
    }
    const unknown = metrics.filter((m) => !(m in runs[0]![0]!));
    if (unknown.length > 0) throw new InputError({ field: '--metrics' }, `expected summary metrics such as ${KEY_METRICS.slice(0, 3).join(', ')}, found unknown ${unknown.map((m) => `"${m}"`).join(', ')}`);
    const table = comparePolicies(labels, runs, metrics, opts.level);
    stageCompare(staging, slugs, labels, { [COMPARE_FILES.table]: comparisonCsv(table), [COMPARE_FILES.runs]: runsCsv(labels, seeds, runs) });
    checkPolicyDirs(dir, slugs); // a directory of the user's may have appeared meanwhile
    out.commit(previousCompare(dir));
    return table;
  });
  if (!opts.quiet) {
    // Machine formats: stdout holds the data only; the notes go to stderr.
    const note = opts.format === 'table' ? print : (text: string) => process.stderr.write(`${text}\n`);
    note(`${loaded.scenario.name}: ${variants.length} policies x ${seeds.length} seeds (${seeds[0]}..${seeds.at(-1)}), same workload per seed`);
    for (const d of dropped) note(`note: baseline ${d.label} left out: it routes and orders exactly as ${d.sameAs}`);
    if (deterministic && opts.seeds > 1) note(`note: ran one seed: the workload is a trace replay and nothing in the scenario or the policies draws random numbers, so every seed gives the same results (no intervals to show)`);
    const fixed = seedIndependent(labels, runs);
    if (fixed.length > 0) {
      note(
        `warning: all ${seeds.length} seeds gave identical results for ${fixed.length === labels.length ? 'every policy' : fixed.join(', ')}: ` +
          'the workload does not depend on the seed (a trace replay?), so there is no spread to test; differences are shown without intervals or * (one seed is enough)',
      );
    }
    if (opts.format === 'table') print(formatComparison(cells, labels, opts.level));
    else print((opts.format === 'json' ? comparisonJson(cells, labels, opts.level) : opts.format === 'csv' ? comparisonCsv(cells) : comparisonMarkdown(cells, labels)).trimEnd());
    note(`wrote ${join(dir, COMPARE_FILES.table)}, ${join(dir, COMPARE_FILES.runs)} and per-policy results (seed ${seeds[0]}) in ${dir}/{${slugs.join(',')}}`);
  }
}

/** Labels of the policies whose every seed gave the same metrics (none with a single seed). */
export function seedIndependent(labels: readonly string[], runs: readonly (readonly FlatMetrics[])[]): string[] {
  return labels.filter((_, p) => {
    const perSeed = runs[p]!.map((m) => JSON.stringify(m));
    return perSeed.length > 1 && perSeed.every((m) => m === perSeed[0]);
  });
}

// compare.csv: one row per run (policy, seed, every metric).
function runsCsv(labels: readonly string[], seeds: readonly number[], runs: readonly (readonly FlatMetrics[])[]): string {
  const names = Object.keys(runs[0]![0]!);
  const lines = [`policy,seed,${names.map(csvValue).join(',')}\n`];
  runs.forEach((perSeed, p) => perSeed.forEach((m, s) => lines.push(`${csvValue(labels[p])},${seeds[s]},${names.map((k) => csvValue(m[k])).join(',')}\n`)));
  return lines.join('');
}

function checkVariant(v: PolicyVariant, data: Record<string, unknown>, file: string, baseDir: string): void {
  try {
    checkScenario(data, { file, baseDir });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const message = err.message.slice(formatInputError(err.location, '').length);
    throw new InputError({ field: '--policies' }, `policy "${v.label}": ${err.location.field ? `${err.location.field}: ` : ''}${message}`);
  }
}

/** Adds `compare` to the program. */
export function registerCompareCommand(program: Command, print: (text: string) => void): void {
  program
    .command('compare')
    .description(COMMANDS.compare.description)
    .argument('<scenario>', 'scenario YAML file')
    .option('-p, --policies <list>', `comma-separated policies, each name[:key=value...] (default: ${DEFAULT_POLICIES_TEXT})`)
    .option('-s, --seeds <n>', 'seeds (replications): seed, seed+1, ... (default 5)')
    .option('-m, --metrics <list>', `comma-separated summary metrics (default: ${KEY_METRICS.slice(0, 3).join(', ')}, ...)`)
    .option('--level <p>', 'confidence level (default 0.95)')
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores)')
    .option('-o, --out <dir>', 'output directory (default: <output.dir or results/<name>>/compare)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--format <format>', `what to print: ${COMPARE_FORMATS.join(', ')} (default table)`)
    .action((file: string, opts: unknown) => compareCommand(file, opts, print));
}
