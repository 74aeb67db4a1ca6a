import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { ensureDir } from '../metrics/atomic-write.js';
import { loadScenario } from '../scenario/load.js';
import { openOutput } from '../output/dir.js';
import { openJournal, type Journal } from '../sweep/journal.js';
import { createRunPool, defaultThreads } from '../sweep/pool.js';
import { MAX_REPLICAS } from '../limits.js';
import { intOption, parseOptions, realOption } from './options.js';
import { COMMANDS } from './catalog.js';
import { jobsOption } from './sweep.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

const capacityOptions = z.strictObject({
  target: z.array(z.string()).min(1, 'expected at least one --target'),
  group: z.array(z.string()).default([]),
  rate: realOption().pipe(z.number().positive()).optional(),
  replicas: intOption(1, MAX_REPLICAS).optional(),
  maxReplicas: intOption(1, MAX_REPLICAS).default(64),
  tolerance: realOption().pipe(z.number().gt(0).max(1)).default(0.02),
  seeds: intOption(1, 1000).default(3),
  level: realOption().pipe(z.number().gt(0).lt(1)).default(0.95),
  jobs: jobsOption.optional(),
  out: z.string().min(1).optional(),
  quiet: z.boolean().default(false),
});

/**
 * `llmsim capacity <scenario>`: for each candidate device group, the fewest replicas that meet
 * the SLO targets at a given rate (`--rate`), or the highest rate the scenario's replicas sustain.
 * Each probe runs every seed on the sweep's worker pool and is journaled like a sweep's runs, so a
 * killed search resumes where it stopped. Writes capacity.json, capacity.csv and probes.csv.
 */
export async function capacityCommand(file: string, rawOptions: unknown, print: (text: string) => void): Promise<void> {
  if (rawOptions !== null && typeof rawOptions === 'object' && (rawOptions as { target?: unknown }).target === undefined) {
    throw new InputError({ field: '--target' }, 'expected at least one --target (e.g. --target ttft.p99=2 --target tpot.p99=0.1), found none');
  }
  const opts = parseOptions(capacityOptions, rawOptions);
  const [{ parseTargets, parseCandidates }, { planCapacity, MAX_PROBES }, { executeCapacity }, out_] = await Promise.all([
    import('../capacity/spec.js'),
    import('../capacity/plan.js'),
    import('../capacity/execute.js'),
    import('../capacity/outputs.js'),
  ]);
  const { CAPACITY_FILES, writeCapacityManifest, writeCapacityCsvs, formatCapacityTable } = out_;
  const targets = parseTargets(opts.target);
  const candidates = parseCandidates(opts.group);
  if (opts.rate !== undefined && opts.replicas !== undefined) throw new InputError({ field: '--replicas' }, 'expected --rate (find the fewest replicas) or --replicas (find the highest rate), found both');
  const loaded = loadScenario(file);
  const mode =
    opts.rate !== undefined
      ? { kind: 'min-replicas' as const, rate: opts.rate, maxReplicas: opts.maxReplicas }
      : { kind: 'max-rate' as const, replicas: opts.replicas ?? loaded.scenario.cluster.devices[0]!.replicas, tolerance: opts.tolerance };
  const plan = planCapacity(loaded, { mode, targets, candidates, seeds: opts.seeds, level: opts.level });
  const base = loaded.scenario.output.dir ?? `results/${plan.name}`;
  const dir = resolve(opts.out ?? join(base, 'capacity'));
  const out = openOutput(dir, 'capacity');
  let journal: Journal | undefined;
  let kept = 0;
  try {
    ensureDir(dir);
    journal = openJournal(join(dir, CAPACITY_FILES.journal), { fingerprint: plan.fingerprint, runs: plan.candidates.length * MAX_PROBES * plan.seeds.length, shard: { index: 0, count: 1 } });
    kept = journal.done.size;
    writeCapacityManifest(dir, plan);
    const threads = opts.jobs ?? defaultThreads();
    const startMs = performance.now();
    const pool = createRunPool(threads);
    let ran = 0;
    let results;
    try {
      const j = journal;
      results = await executeCapacity(plan, pool, j, () => {
        ran++;
        kept++;
      }, (label, p) => {
        if (!opts.quiet) process.stderr.write(`capacity ${plan.name}: ${label}: ${p.replicas} replica(s) at ${p.rate}: ${p.pass ? 'meets' : 'misses'} the targets${p.sure ? '' : ' (not sure at this confidence)'}\n`);
      });
    } finally {
      await pool.close();
    }
    journal.close();
    journal = undefined;
    const written = writeCapacityCsvs(dir, plan, results);
    out.keep();
    if (!opts.quiet) {
      print(formatCapacityTable(plan, results).trimEnd());
      const resumed = kept - ran;
      print(`ran ${ran} simulation(s) in ${((performance.now() - startMs) / 1000).toFixed(1)} s on ${threads} thread(s)${resumed > 0 ? `, ${resumed} resumed from the journal` : ''}`);
      print(`wrote ${written.join(', ')}`);
    }
  } catch (err) {
    journal?.close();
    if (kept === 0) for (const f of [CAPACITY_FILES.journal, CAPACITY_FILES.manifest]) rmSync(join(dir, f), { force: true });
    else out.keep();
    throw out.explain(err, kept > 0 ? `the ${kept} finished run(s) are kept in ${CAPACITY_FILES.journal}: rerun the same command to resume` : 'nothing was kept');
  } finally {
    out.close();
  }
}

/** Adds `capacity` to the program. */
export function registerCapacityCommand(program: Command, print: (text: string) => void): void {
  program
    .command('capacity')
    .description(COMMANDS.capacity.description)
    .argument('<scenario>', 'scenario YAML file; its first device entry is the group sized')
    .option('--target <metric=value>', 'SLO target (repeatable): ttft|tpot|e2e|queue.mean|p50|p90|p95|p99|max=<s> (at most), goodput=<fraction>, finished=<fraction> (at least)', collect)
    .option('--group <k=v,...>', "candidate device group (repeatable): fields set on the first device entry, e.g. model=llama-2-70b,hardware=h100-sxm5-80gb,tensorParallel=4 (default: the scenario's)", collect)
    .option('--rate <r>', 'find the fewest replicas for this arrival rate (req/s; for a trace, the rateScale)')
    .option('--replicas <n>', "find the highest rate on n replicas (default, without --rate: the scenario's replicas)")
    .option('--max-replicas <n>', 'largest replica count tried with --rate (default 64)')
    .option('--tolerance <x>', 'rate search: stop when (fail - pass) / pass <= x (default 0.02)')
    .option('--seeds <n>', 'seeds per probe: seed, seed + 1, ... (default 3)')
    .option('--level <p>', 'confidence level of the intervals (default 0.95)')
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores)')
    .option('-o, --out <dir>', 'capacity directory (default: <output.dir or results/<name>>/capacity)')
    .option('-q, --quiet', 'no progress and no table')
    .action((file: string, opts: unknown) => capacityCommand(file, opts, print));
}
