import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkScenario, type LoadedScenario } from '../scenario/load.js';
import { openWorkloadStream } from '../workload/stream.js';
import { streamScenario } from '../scenario/stream-run.js';
import type { BenchCase } from './cases.js';
import { writeSyntheticTrace } from './stream-trace.js';
import { countFromEnv } from './env-count.js';

/**
 * A streamed bench case: writes its trace (native CSV, `c.stream`) to a temporary directory, runs
 * it as `llmsim run --stream --no-requests` does, removes the trace. `LLMSIM_BENCH_STREAM_N`
 * overrides the request count (e.g. 100000000; the trace takes ~21 bytes a request on disk).
 */
export function runStreamCase(c: BenchCase, root: string): Record<string, unknown> {
  const spec = c.stream!;
  const count = countFromEnv('LLMSIM_BENCH_STREAM_N') ?? spec.count;
  const dir = mkdtempSync(join(tmpdir(), 'llmsim-bench-'));
  try {
    const trace = join(dir, 'trace.csv');
    const t0 = performance.now();
    writeSyntheticTrace(trace, { ...spec, count });
    const t1 = performance.now();
    const scenario = { ...c.scenario, workload: { trace: { path: trace } } };
    const loaded = checkScenario(scenario, { file: `bench:${c.id}`, baseDir: root });
    if (spec.readOnly) return readOnly(loaded, root, (t1 - t0) / 1000);
    const cpu0 = process.cpuUsage();
    const t2 = performance.now();
    const run = streamScenario(loaded);
    const t3 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const s = run.summary;
    return {
      requests: run.result.total,
      finished: s.requests.finished,
      rejected: s.requests.rejected,
      events: run.result.events,
      prepareS: 0,
      simulateS: (t3 - t2) / 1000,
      summarizeS: 0,
      simulatedRequestsPerS: run.result.total / ((t3 - t2) / 1000),
      eventsPerS: run.result.events / ((t3 - t2) / 1000),
      meanE2eS: s.latency.e2eS.mean,
      utilization: s.devices.reduce((a, d) => a + (d.utilization ?? 0), 0) / s.devices.length,
      cpuS,
      requestsPerCpuS: run.result.total / cpuS,
      traceS: (t1 - t0) / 1000,
      peakHeld: run.result.peakHeld,
      sketched: run.sketched,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pulls every request of the scenario's workload from its streamed source and does nothing else. */
function readOnly(loaded: LoadedScenario, root: string, traceS: number): Record<string, unknown> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const source = openWorkloadStream(loaded.scenario.workload, { baseDir: root, seed: loaded.scenario.seed, specFile: loaded.file });
  let total = 0;
  try {
    while (source.next() !== undefined) total++;
  } finally {
    source.close();
  }
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return { requests: total, simulateS: s, prepareS: 0, summarizeS: 0, simulatedRequestsPerS: total / s, requestsPerCpuS: total / cpuS, traceS, peakHeld: 0 };
}
