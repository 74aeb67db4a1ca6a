import { basename, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { formatSummaryTable } from '../metrics/table.js';
import { RESULT_FILE_NAMES, writeResults } from '../metrics/write.js';
import { withOutput } from '../output/dir.js';
import { loadScenario, resolvedScenarioText } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';
import { loadPolicies } from '../policies/registry.js';
import { parseOptions, seedOption } from './options.js';
import { COMMANDS } from './catalog.js';

const runOptions = z.strictObject({
  out: z.string().min(1).optional(),
  seed: seedOption.optional(),
  quiet: z.boolean().default(false),
  requests: z.boolean().default(true),
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
  if (!opts.quiet) {
    print(formatSummaryTable(summary));
    for (const g of input.cluster) if (g.profileLabel) print(`profile of ${g.name}: ${g.profileLabel}`);
    for (const w of result.warnings) print(`warning: ${w}`);
    print(`wrote ${written.join(', ')}`);
  }
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
    .action((file: string, opts: unknown) => runCommand(file, opts, print));
}
