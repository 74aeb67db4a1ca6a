import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Engine } from '../engine/engine.js';
import { checkScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';
import { benchCases } from './cases.js';
import { loadPolicies } from '../policies/registry.js';
import { checkCaseIds, countFromEnv, refuseBenchInput } from './env-count.js';

/** One benchmark case in this process; prints one JSON line of figures. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Untimed runs of the scenario before the timed one under `--warm`. */
const WARM_RUNS = 3;
const [id = '', ...flags] = process.argv.slice(2);
checkCaseIds([id], benchCases.map((b) => b.id));
const c = benchCases.find((b) => b.id === id)!;
// `--warm` (below) times a scenario case run after untimed ones; nothing else follows the id.
if (flags.length > 1 || (flags.length === 1 && flags[0] !== '--warm')) refuseBenchInput(`expected at most --warm after the case id, found ${flags.join(' ')}`);
const warm = flags.length === 1;
if (warm && (c.csv || c.stream || !c.scenario)) refuseBenchInput(`--warm: expected a case that runs a scenario in memory, found ${id}`);

if (c.csv) {
  const { runCsvCase } = await import('./csv-case.js');
  out(runCsvCase(checkScenario(c.scenario!, { file: `bench:${c.id}`, baseDir: root })));
} else if (c.stream) {
  const { runStreamCase } = await import('./stream-case.js');
  out(runStreamCase(c, root));
} else if (!c.scenario) {
  // Hold model: 10k pending events, each pop schedules one more at a pseudo-random later time.
  const engine = new Engine();
  // The harness's own draws stay a 32-bit integer (a small integer to V8, not a number boxed
  // anew at every write), so the figure is the engine's, not the harness's allocations.
  let x = 12345;
  const rand = () => (x = (Math.imul(x, 1103515245) + 12345) | 0) / 4294967296 + 0.5;
  for (let i = 0; i < 10_000; i++) engine.schedule(rand(), 0, 0, 0);
  const total = 10_000_000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  engine.run(() => {
    if (engine.processed + engine.pending < total) engine.schedule(engine.nowS + rand(), 0, 0, 0);
  });
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // Per CPU second as well: on a shared machine wall time also counts other processes' turns.
  out({ events: engine.processed, simulateS: s, eventsPerS: engine.processed / s, eventsPerCpuS: engine.processed / ((cpu.user + cpu.system) / 1e6) });
} else {
  const t0 = performance.now();
  await loadPolicies([String((c.scenario.policy as { name?: string } | undefined)?.name ?? 'fifo')]);
  const loaded = checkScenario(withCount(c.scenario), { file: `bench:${c.id}`, baseDir: root });
  // `--warm`: the scenario runs WARM_RUNS times untimed first, so the figures are those of code V8
  // has optimized (the process wall and CPU then count every run: the bench reports only the stages).
  if (warm) for (let i = 0; i < WARM_RUNS; i++) runScenario(loaded);
  const t1 = warm ? performance.now() : t0;
  const endOf: Record<string, number> = {};
  const cpuAt: Record<string, number> = {};
  const { input, result, summary } = runScenario(loaded, {
    onStage: (stage) => {
      endOf[stage] = performance.now();
      const cpu = process.cpuUsage();
      cpuAt[stage] = (cpu.user + cpu.system) / 1e6;
    },
  });
  const t4 = performance.now();
  const t2 = endOf.prepared!;
  const t3 = endOf.simulated!;
  out({
    requests: input.requests.length,
    finished: summary.requests.finished,
    rejected: summary.requests.rejected,
    events: result.events,
    prepareS: (t2 - t1) / 1000,
    simulateS: (t3 - t2) / 1000,
    // The simulation's CPU time: on a shared machine it moves less than its wall time.
    simulateCpuS: cpuAt.simulated! - cpuAt.prepared!,
    summarizeS: (t4 - t3) / 1000,
    simulatedRequestsPerS: input.requests.length / ((t3 - t2) / 1000),
    eventsPerS: result.events / ((t3 - t2) / 1000),
    meanE2eS: summary.latency.e2eS.mean,
    utilization: summary.devices.reduce((a, d) => a + (d.utilization ?? 0), 0) / summary.devices.length,
    ...(warm ? { untimedRuns: WARM_RUNS } : {}),
  });
}

/**
 * `LLMSIM_BENCH_N=<n>`: a synthetic case with n requests instead of its count (e.g. a smaller run
 * under valgrind, whose instruction counts do not depend on the machine's load).
 */
function withCount(scenario: Record<string, unknown>): Record<string, unknown> {
  const n = countFromEnv('LLMSIM_BENCH_N');
  const workload = scenario.workload as { synthetic?: Record<string, unknown> } | undefined;
  if (n === undefined || workload?.synthetic === undefined) return scenario;
  return { ...scenario, workload: { ...workload, synthetic: { ...workload.synthetic, count: n } } };
}

function out(figures: Record<string, unknown>): void {
  // CPU time of the whole process: on a shared machine it moves less than wall time.
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ id, ...figures, cpuS: (cpu.user + cpu.system) / 1e6, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}
