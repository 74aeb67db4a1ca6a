import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { z } from 'zod';
import { ensureDir } from '../metrics/atomic-write.js';
import { loadScenario } from '../scenario/load.js';
import { describePoint, planSweep, runData, runOf, type SweepPlan } from '../sweep/expand.js';
import { openOutput } from '../output/dir.js';
import { openJournal, type Journal } from '../sweep/journal.js';
import { preflightSweep } from '../sweep/preflight.js';
import { manifestOf, SWEEP_FILES, writeManifest, writeSweepCsvs } from '../sweep/outputs.js';
import { createRunPool, defaultThreads, runEach } from '../sweep/pool.js';
import { createProgress, progressMode } from '../sweep/progress.js';
import { commandLine, onInterrupt } from '../sweep/interrupt.js';
import { intOption, parseOptions } from './options.js';
import { MAX_JOBS } from '../limits.js';
import { COMMANDS } from './catalog.js';

/** `-j N`: worker threads. */
export const jobsOption = intOption(1, MAX_JOBS);

const sweepOptions = z.strictObject({
  jobs: jobsOption.optional(),
  out: z.string().min(1).optional(),
  shard: z
    .string()
    .regex(/^\d+\/\d+$/, 'expected i/n with 0 <= i < n')
    .refine((s) => {
      const [i, n] = s.split('/').map(Number);
      return n! >= 1 && i! < n!;
    }, 'expected i/n with 0 <= i < n')
    .optional(),
  quiet: z.boolean().default(false),
});

/**
 * `llmsim sweep <scenario>`: expands the scenario's sweep block, runs each (point, seed) in a
 * worker pool, journals every finished run durably, and writes runs.csv and points.csv (whole
 * sweep) or runs.csv only (one shard, to be merged). Every point is validated, and the files of
 * each distinct file set loaded, before the output directory is touched; a sweep that fails
 * before finishing any run leaves nothing behind.
 */
export async function sweepCommand(file: string, rawOptions: unknown, print: (text: string) => void): Promise<void> {
  const opts = parseOptions(sweepOptions, rawOptions);
  const loaded = loadScenario(file);
  const plan = planSweep(loaded);
  preflightSweep(plan, loaded);
  const [index, count] = (opts.shard ?? '0/1').split('/').map(Number) as [number, number];
  const shard = { index, count };
  const base = loaded.scenario.output.dir ?? `results/${plan.name}`;
  const dir = resolve(opts.out ?? (count > 1 ? join(base, 'sweep', `shard-${index}-of-${count}`) : join(base, 'sweep')));
  const manifest = manifestOf(plan, shard);
  // Locked against a second sweep (or run, compare, merge) into the same directory; what a killed
  // process left half-done is finished and its temporaries removed.
  const out = openOutput(dir, 'sweep');
  let journal: Journal | undefined;
  let finished: ReadonlyMap<number, unknown> = new Map();
  try {
    ensureDir(dir);
    // The journal first: it refuses a directory holding another sweep before anything is overwritten.
    journal = openJournal(join(dir, SWEEP_FILES.journal), { fingerprint: plan.fingerprint, runs: plan.runs, shard });
    const done = journal.done;
    finished = done;
    const mine: number[] = [];
    for (let r = index; r < plan.runs; r += count) mine.push(r);
    const todo = mine.filter((r) => !done.has(r));
    const resumed = mine.length - todo.length;
    const threads = Math.min(opts.jobs ?? defaultThreads(), Math.max(1, todo.length));
    const startMs = performance.now();
    writeManifest(dir, manifest);
    if (todo.length > 0) {
      let ran = 0;
      // Ctrl-C: every finished run is already in the journal (fsynced); say so and how to resume.
      // Installed before anything is printed, so a Ctrl-C at the first progress line is caught.
      const guard = onInterrupt(
        () => `${resumed + ran} of ${mine.length} run(s) finished and kept in ${join(dir, SWEEP_FILES.journal)}; rerun the same command to resume: ${commandLine()}`,
        () => (progress.stop(true), journal?.close(), out.keep(), out.close()),
      );
      const progress = createProgress({
        label: `sweep ${plan.name}${count > 1 ? ` shard ${index}/${count}` : ''}`,
        total: mine.length,
        done: resumed,
        mode: progressMode(process.stderr, process.env, opts.quiet),
        stream: process.stderr,
        nowMs: () => performance.now(),
      });
      const pool = createRunPool(threads);
      let failed = true;
      try {
        await runEach(
          todo,
          pool,
          (r) => ({ file: loaded.file, baseDir: loaded.baseDir, data: runData(plan, r) }),
          (r, metrics) => {
            journal!.append(r, metrics);
            ran++;
            progress.tick();
          },
          (r) => describeRun(plan, r),
        );
        failed = false;
      } finally {
        guard.dispose();
        progress.stop(failed);
        await pool.close();
      }
    }
    journal.close();
    journal = undefined;
    const written = writeSweepCsvs(dir, manifest, done);
    out.keep();
    if (!opts.quiet) {
      const wallS = (performance.now() - startMs) / 1000;
      const runsText = `sweep ${plan.name}: ${plan.points.length} points x ${plan.seeds.length} seeds = ${plan.runs} runs${count > 1 ? `; shard ${index}/${count} holds ${mine.length}` : ''}`;
      if (mine.length === 0) print(`warning: shard ${index}/${count} holds no runs (runs r with r mod ${count} = ${index}; the sweep has ${plan.runs}): its runs.csv has a header only`);
      else if (todo.length === 0) print(`${runsText}; all ${mine.length} already in the journal, nothing to run`);
      else print(`${runsText}; ran ${todo.length} in ${wallS.toFixed(1)} s on ${threads} thread(s)${resumed > 0 ? `, ${resumed} resumed from the journal` : ''}`);
      print(`wrote ${written.join(', ')}${count > 1 ? ` (merge the ${count} shard directories with llmsim merge)` : ''}`);
    }
  } catch (err) {
    journal?.close();
    // Nothing finished: nothing worth keeping, and nothing to trip over when the input is fixed.
    if (finished.size === 0) removeSweepFiles(dir);
    else out.keep();
    throw out.explain(err, finished.size > 0 ? `the ${finished.size} finished run(s) are kept in ${SWEEP_FILES.journal}: rerun the same command to resume` : 'nothing was kept');
  } finally {
    out.close();
  }
}

// Removes what a failed sweep wrote: its own files (the directories it created go when the output is closed).
function removeSweepFiles(dir: string): void {
  for (const f of [SWEEP_FILES.journal, SWEEP_FILES.manifest]) rmSync(join(dir, f), { force: true });
}

function describeRun(plan: SweepPlan, r: number): string {
  const { point, seed } = runOf(plan, r);
  return `run ${r} (point ${point}: ${describePoint(plan.params, plan.points[point]!.values) || 'no grid'}; seed ${seed})`;
}

/** Adds `sweep` to the program. */
export function registerSweepCommand(program: Command, print: (text: string) => void): void {
  program
    .command('sweep')
    .description(COMMANDS.sweep.description)
    .argument('<scenario>', 'scenario YAML file with a sweep: block')
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores)')
    .option('-o, --out <dir>', 'sweep directory (default: <output.dir or results/<name>>/sweep, or .../sweep/shard-i-of-n)')
    .option('--shard <i/n>', 'run only runs r with r mod n = i (0 <= i < n); merge the shards with llmsim merge')
    .option('-q, --quiet', 'no progress and no summary line')
    .action((file: string, opts: unknown) => sweepCommand(file, opts, print));
}
