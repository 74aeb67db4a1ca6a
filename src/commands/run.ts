import { basename, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { flattenJson } from '../check/flatten.js';
import { TABLE_COLUMNS, formatSummaryTable, summaryMarkdown, wrapLine } from '../metrics/table.js';
import { offeredRate, vllmBenchResult } from '../metrics/vllm-bench.js';
import { csvValue } from '../sweep/outputs.js';
import { RESULT_FILE_NAMES, writeResults } from '../metrics/write.js';
import { withOutput } from '../output/dir.js';
import { EXACT_QUANTILE_LIMIT, SKETCH_RELATIVE_ERROR } from '../metrics/quantiles.js';
import { loadScenario, resolvedScenarioText, type LoadedScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';
import { scenarioNotStreamable, streamScenario, type StreamRun } from '../scenario/stream-run.js';
import type { Summary } from '../metrics/summary.js';
import type { WriteChunk } from '../metrics/requests-csv.js';
import { loadPolicies } from '../policies/registry.js';
import { parseOptions, realOption, seedOption } from './options.js';
import { COMMANDS } from './catalog.js';
import { MAX_TIME_S } from '../limits.js';

/** What `run` prints: the tables, the summary as JSON, CSV (metric,value) or Markdown, or vLLM bench's result JSON. */
export const RUN_FORMATS = ['table', 'json', 'csv', 'markdown', 'vllm'] as const;

const runOptions = z.strictObject({
  out: z.string().min(1).optional(),
  seed: seedOption.optional(),
  quiet: z.boolean().default(false),
  requests: z.boolean().default(true),
  stream: z.boolean().default(false),
  format: z.enum(RUN_FORMATS).default('table'),
  warmup: realOption().pipe(z.number().min(0).max(MAX_TIME_S)).optional(),
  cooldown: realOption().pipe(z.number().min(0).max(MAX_TIME_S)).optional(),
});

/**
 * `llmsim run <scenario>`: simulate, write results/<name>/, print the summary table. The results
 * directory is locked while the run writes it and replaced as a whole (src/output/dir.ts): a
 * kill leaves the previous results or the new ones, never a mix.
 */
export async function runCommand(file: string, rawOptions: unknown, print: (text: string) => void): Promise<void> {
  const opts = parseOptions(runOptions, rawOptions);
  const loaded = loadScenario(file);
  await loadPolicies([loaded.scenario.policy.name]);
  const requests = opts.requests && loaded.scenario.output.requests;
  // What actually runs: flags override the file, and the written scenario.yaml says so.
  const scenario = { ...loaded.scenario, seed: opts.seed ?? loaded.scenario.seed, output: { ...loaded.scenario.output, requests } };
  const run = { ...loaded, scenario };
  const dir = resolve(opts.out ?? scenario.output.dir ?? `results/${scenario.name}`);
  if (opts.stream) {
    const why = scenarioNotStreamable(run);
    if (why === undefined) return streamCommand(run, dir, requests, opts.quiet, print);
    if (!opts.quiet) print(`note: not streamed: ${why}; the whole workload is held in memory`);
  }
  const { input, result, summary, written } = await withOutput(dir, 'run', (out) => {
    const simulated = runScenario(run);
    const staged = writeResults(out.stage(), {
      result: simulated.result,
      summary: simulated.summary,
      scenarioText: resolvedScenarioText(run, dir),
      requests,
    });
    out.commit(Object.values(RESULT_FILE_NAMES));
    return { ...simulated, written: staged.map((f) => join(dir, basename(f))) };
  });
  if (opts.quiet) return;
  const vllm = () => vllmBenchResult(result, { slo: scenario.slo, warmupS: opts.warmup, cooldownS: opts.cooldown, maxConcurrency: scenario.workload.maxConcurrency });
  if (opts.format === 'table') {
    print(formatSummaryTable(summary, { offeredRps: offeredRate(result) }));
  } else {
    // Machine formats: stdout holds the data only; the notes below go to stderr.
    print(formatted(opts.format, summary, vllm, offeredRate(result)).trimEnd());
  }
  const note = opts.format === 'table' ? print : (text: string) => process.stderr.write(`${text}\n`);
  for (const g of input.cluster) if (g.profileLabel) note(wrapLine(`profile of ${g.name}: ${g.profileLabel}`, TABLE_COLUMNS - 1));
  for (const w of result.warnings) note(`warning: ${w}`);
  note(`wrote ${written.join(', ')}`);
}

function formatted(format: Exclude<(typeof RUN_FORMATS)[number], 'table'>, summary: Summary, vllm: () => Record<string, unknown>, offeredRps: number | null): string {
  switch (format) {
    case 'json':
      return JSON.stringify(summary, null, 2);
    case 'csv':
      return `metric,value\n${[...flattenJson(summary)].map(([k, v]) => `${csvValue(k)},${csvValue(v)}`).join('\n')}\n`;
    case 'markdown':
      return summaryMarkdown(summary, { offeredRps });
    case 'vllm':
      return JSON.stringify(vllm(), null, 2);
  }
}

/** `llmsim run --stream`: the same files, written as the run goes (src/scenario/stream-run.ts). */
async function streamCommand(run: LoadedScenario, dir: string, requests: boolean, quiet: boolean, print: (text: string) => void): Promise<void> {
  const { streamed, written } = await withOutput(dir, 'run', (out) => {
    let streamed: StreamRun | undefined;
    const go = (csv?: WriteChunk) => (streamed = streamScenario(run, { requestsCsv: csv }));
    if (!requests) go();
    const staged = writeResults(out.stage(), {
      summary: () => streamed!.summary,
      scenarioText: resolvedScenarioText(run, dir),
      requests,
      requestsBody: (write) => void go(write),
    });
    out.commit(Object.values(RESULT_FILE_NAMES));
    return { streamed: streamed!, written: staged.map((f) => join(dir, basename(f))) };
  });
  if (quiet) return;
  print(formatSummaryTable(streamed.summary));
  for (const g of streamed.cluster) if (g.profileLabel) print(`profile of ${g.name}: ${g.profileLabel}`);
  for (const w of streamed.result.warnings) print(`warning: ${w}`);
  if (streamed.sketched) print(`note: percentiles from a quantile sketch (more than ${EXACT_QUANTILE_LIMIT} finished requests; relative error <= ${SKETCH_RELATIVE_ERROR * 100}%)`);
  print(`wrote ${written.join(', ')}`);
}

/** Adds `run` to the program. */
export function registerRunCommand(program: Command, print: (text: string) => void): void {
  program
    .command('run')
    .description(COMMANDS.run.description)
    .argument('<scenario>', 'scenario YAML file')
    .option('-o, --out <dir>', 'results directory (default: the scenario output.dir, or results/<name>)')
    .option('--seed <n>', 'override the scenario seed')
    .option('-q, --quiet', 'print nothing but errors')
    .addOption(new Option('--no-requests', 'do not write requests.csv'))
    .option('--stream', 'read the workload as the simulation clock reaches it and accumulate results without holding every request (open-loop workloads; see README, Performance)')
    .option('--format <format>', `what to print: ${RUN_FORMATS.join(', ')} (vllm: vllm bench serve's result JSON; default table)`)
    .option('--warmup <s>', 'vllm format: leave out requests arriving in the first s seconds')
    .option('--cooldown <s>', 'vllm format: leave out requests arriving in the last s seconds')
    .action((file: string, opts: unknown) => runCommand(file, opts, print));
}
