import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { benchCases, type BenchCase } from './cases.js';
import { REFERENCE, versus } from './reference.js';
import { checkCaseIds, countFromEnv } from './env-count.js';

/**
 * `npm run bench [case ids...]`: runs every case in a fresh process (so peak memory is per case)
 * and prints wall times, simulated requests/s, events/s and peak RSS, each next to the README's
 * last figure (src/bench/reference.json) and the ratio. Figures, not assertions: speed is
 * measured here, never in tests. `startup` times `llmsim --help`, `policies` and `schema`
 * against `node -e 0` (medians of interleaved runs).
 */
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const fmt = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '-');
const num = (x: unknown) => (typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : '-');
const s2 = (x: number) => `${x.toFixed(x < 0.1 ? 3 : 2)} s`;
const mb = (x: number) => `${x.toFixed(0)} MB`;
const rate = (x: number) => `${(x / 1e6).toFixed(2)}M events/s`;

// Each case runs this many times, each in a fresh process, and every figure printed is the median
// of its runs: single runs on a shared 2-core machine move by 10-30% with the load.
const runs = countFromEnv('LLMSIM_BENCH_RUNS') ?? 3;
checkCaseIds(only, ['startup', ...benchCases.map((c) => c.id)]);

console.log(`llmsim bench: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}); README figures from: ${REFERENCE.machine}`);

if (only.length === 0 || only.includes('startup')) startup();

console.log(`each case: ${runs} run(s) in fresh processes, the median of each figure (LLMSIM_BENCH_RUNS); the cases take turns, one run each per round`);

// Rounds: every case runs once per round, so a slow spell of the shared machine (minutes long at
// times) slows one run of many cases rather than every run of one case. A case timed as a user
// runs it (`cli`) also runs its CLI twice per round.
const selected = benchCases.filter((c) => only.length === 0 || only.includes(c.id));
const results = new Map<string, Record<string, number>[]>(selected.map((c) => [c.id, []]));
// Cases timed through `llmsim run` also run once per round warm (`case.js <id> --warm`): the same
// stages after V8 has optimized the code, to show how much of a short run is its cold start.
const warmResults = new Map<string, Record<string, number>[]>(selected.filter((c) => c.cli).map((c) => [c.id, []]));
const clis = new Map<string, CliCase>();
try {
  for (const c of selected) if (c.cli) clis.set(c.id, cliCase(c));
  for (let round = 1; round <= runs; round++) {
    if (runs > 1) process.stderr.write(`round ${round}/${runs}\n`);
    for (const c of selected) {
      const t0 = performance.now();
      results.get(c.id)!.push({ ...runCase(c.id), wallS: (performance.now() - t0) / 1000 });
      const cli = clis.get(c.id);
      if (cli) {
        for (let k = 0; k < 2; k++) cli.time();
        warmResults.get(c.id)!.push(runCase(c.id, '--warm'));
      }
    }
  }
  const measured = new Map<string, { wallS: number; events: number }>();
  for (const c of selected) {
    const warm = warmResults.get(c.id);
    report(c, medianOf(results.get(c.id)!), clis.get(c.id), warm && medianOf(warm), measured);
  }
} finally {
  for (const cli of clis.values()) cli.remove();
}

/** One run of `case.js` in a fresh process: the figures of its last line. */
function runCase(id: string, ...flags: string[]): Record<string, number> {
  const line = execFileSync(process.execPath, [join(here, 'case.js'), id, ...flags], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop()!;
  return JSON.parse(line) as Record<string, number>;
}

/** Prints one case's figures (medians of its runs) next to the README's. */
function report(c: BenchCase, r: Record<string, number>, cli: CliCase | undefined, warm: Record<string, number> | undefined, measured: Map<string, { wallS: number; events: number }>): void {
  const ref = REFERENCE.cases[c.id];
  const wallS = r.wallS!;
  console.log(`\n${c.title}   [target ${c.target}]`);
  if (c.csv) {
    console.log(`  ${num(r.requests)} rows: ${fmt(r.usPerRow, 3)} us CPU per row (median of 5 passes); the process's first ${num(r.coldRows)} rows ${fmt(r.coldUsPerRow, 3)} us per row`);
    return;
  }
  if (c.id === 'engine') {
    console.log(`  ${num(r.events)} events in ${versus(r.simulateS!, ref?.simulateS, s2)} = ${versus(r.eventsPerS!, ref?.eventsPerS, rate)}, ${versus(r.eventsPerCpuS!, ref?.eventsPerCpuS, rate)} per CPU s (process CPU ${versus(r.cpuS!, ref?.cpuS, s2)}); peak RSS ${versus(r.peakRssMB!, ref?.peakRssMB, mb)}`);
    return;
  }
  console.log(`  simulate ${versus(r.simulateS!, ref?.simulateS, s2)} (${num(r.simulatedRequestsPerS)} req/s, ${num(r.events)} events, ${num(r.eventsPerS)} events/s)`);
  console.log(`  prepare (validate + workload + profiles) ${fmt(r.prepareS, 3)} s, summarize ${fmt(r.summarizeS, 3)} s, process wall ${versus(wallS, ref?.wallS, s2)}, process CPU ${versus(r.cpuS!, ref?.cpuS, s2)}`);
  console.log(`  ${num(r.requests)} requests: ${num(r.finished)} finished, ${num(r.rejected)} rejected; mean E2E ${fmt(r.meanE2eS, 2)} s; mean utilization ${fmt(r.utilization, 3)}; peak RSS ${versus(r.peakRssMB!, ref?.peakRssMB, mb)}`);
  if (r.requestsPerCpuS !== undefined) console.log(`  streamed: ${num(r.requestsPerCpuS)} requests per CPU s of the run; at most ${num(r.peakHeld)} requests held; trace written in ${fmt(r.traceS, 2)} s`);
  if (cli) {
    const spread = (xs: number[]) => `${s2(median(xs))} median, ${s2(Math.min(...xs))} best of ${xs.length}`;
    console.log(`  \`llmsim run\` of it (files written, code cache warm): process wall ${spread(cli.times)}`);
    console.log(`  the same on the trace's first 2 requests (what every run pays): ${spread(cli.floorTimes)}`);
  }
  if (warm) console.log(`  warm, one process's run after ${num(warm.untimedRuns)} untimed ones: prepare (workload + profiles) ${fmt(warm.prepareS, 3)} s, simulate ${fmt(warm.simulateS, 3)} s, summarize ${fmt(warm.summarizeS, 3)} s (first run above: ${fmt(r.prepareS, 3)} s with validation, ${fmt(r.simulateS, 3)} s, ${fmt(r.summarizeS, 3)} s)`);
  measured.set(c.id, { wallS, events: r.events! });
  const base = c.versus !== undefined ? measured.get(c.versus) : undefined;
  if (base) console.log(`  vs ${c.versus}: process wall x${fmt(wallS / base.wallS, 2)}, events x${fmt(r.events! / base.events, 2)}`);
}

/** The median of `xs` (the lower middle for an even count). */
function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;
}

/** Each numeric figure's median over the runs; other fields from the first run. */
function medianOf(results: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = { ...results[0]! };
  for (const key of Object.keys(out)) if (typeof out[key] === 'number') out[key] = median(results.map((x) => x[key]!));
  return out;
}

/** Start-up: median wall of `node -e 0` and of the CLI's light commands, interleaved runs. */
function startup(): void {
  const cli = join(here, '..', 'cli.js');
  const runs: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ...['--help', 'policies', 'schema'].map((cmd): [string, string[]] => [cmd, [cli, cmd]]),
  ];
  const times = runs.map((): number[] => []);
  for (let i = 0; i < 21; i++) {
    runs.forEach(([, args], j) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}`);
      times[j]!.push((performance.now() - t0) / 1000);
    });
  }
  const nodeS = median(times[0]!);
  console.log('\nstart-up: median wall of 21 interleaved runs   [target: within x2 of node -e 0]');
  console.log(`  node -e 0        ${versus(nodeS, REFERENCE.startup.nodeS, s2)}`);
  runs.slice(1).forEach(([cmd], j) => {
    const s = median(times[j + 1]!);
    const before = REFERENCE.startup.commands[cmd];
    console.log(`  llmsim ${cmd.padEnd(9)} ${versus(s, before, s2)}; x${fmt(s / nodeS)} node -e 0${before !== undefined ? ` (README x${fmt(before / REFERENCE.startup.nodeS)})` : ''}`);
  });
}

/**
 * A case as a user runs it (`cli`): its scenario file, a code cache made by a first run, and the
 * wall times of the runs so far; `floorTimes` are those of the same scenario on its trace's first
 * two requests (start-up, validation, profiles, output: what every run pays).
 */
interface CliCase {
  readonly times: number[];
  readonly floorTimes: number[];
  /** One more timed run of each. */
  time(): void;
  /** Removes its temporary directory. */
  remove(): void;
}

/**
 * The case as a user runs it: its scenario written to a YAML file (JSON, with absolute paths),
 * `llmsim run <file> -o <dir> -q` (files written, through dist/run.cjs and its code cache, made by
 * one untimed run first in a temporary cache directory). The floor scenario is the same with the
 * trace cut to its header and first two rows.
 */
function cliCase(c: BenchCase): CliCase {
  const dir = mkdtempSync(join(tmpdir(), 'llmsim-bench-cli-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const root = resolve(here, '..', '..');
    const abs = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) ? join(root, p) : p);
    const scenario = structuredClone(c.scenario) as { workload: { trace?: { path: string } }; cluster: { devices: { profile?: unknown }[] } };
    const trace = scenario.workload.trace;
    if (!trace) throw new Error(`bench case ${c.id}: a case timed through \`llmsim run\` needs a trace`);
    trace.path = abs(trace.path) as string;
    for (const d of scenario.cluster.devices) d.profile = abs(d.profile);
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, JSON.stringify(scenario));
    const floorTrace = join(dir, 'floor.csv');
    writeFileSync(floorTrace, `${readFileSync(trace.path, 'utf8').split('\n').slice(0, 3).join('\n')}\n`);
    const floorFile = join(dir, 'floor.yaml');
    writeFileSync(floorFile, JSON.stringify({ ...scenario, workload: { ...scenario.workload, trace: { ...trace, path: floorTrace } } }));
    const env = { ...process.env, LLMSIM_CODE_CACHE: join(dir, 'code-cache') };
    const run = (scenarioFile: string): number => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(here, '..', 'cli.js'), 'run', scenarioFile, '-o', join(dir, 'out'), '-q'], { stdio: 'ignore', env });
      if (r.status !== 0) throw new Error(`llmsim run (bench case ${c.id}, ${scenarioFile}) exited with ${r.status}`);
      return (performance.now() - t0) / 1000;
    };
    run(file); // makes the code cache
    const times: number[] = [];
    const floorTimes: number[] = [];
    return { times, floorTimes, time: () => void (times.push(run(file)), floorTimes.push(run(floorFile))), remove };
  } catch (err) {
    remove();
    throw err;
  }
}
