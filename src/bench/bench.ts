import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { benchCases } from './cases.js';

/**
 * `npm run bench`: runs every case in a fresh process (so peak memory is per case) and prints
 * wall times, simulated requests/s, events/s and peak RSS. Figures, not assertions: speed is
 * measured here, never in tests.
 */
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const fmt = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '-');
const num = (x: unknown) => (typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : '-');

console.log(`llmsim bench: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'})`);
const measured = new Map<string, { wallS: number; events: number }>();
for (const c of benchCases) {
  if (only.length > 0 && !only.includes(c.id)) continue;
  const t0 = performance.now();
  const line = execFileSync(process.execPath, [join(here, 'case.js'), c.id], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop()!;
  const wallS = (performance.now() - t0) / 1000;
  const r = JSON.parse(line) as Record<string, number>;
  console.log(`\n${c.title}   [target ${c.target}]`);
  if (c.id === 'engine') {
    console.log(`  ${num(r.events)} events in ${fmt(r.simulateS, 3)} s = ${num(r.eventsPerS)} events/s; peak RSS ${fmt(r.peakRssMB, 0)} MB`);
    continue;
  }
  console.log(`  simulate ${fmt(r.simulateS, 3)} s (${num(r.simulatedRequestsPerS)} req/s, ${num(r.events)} events, ${num(r.eventsPerS)} events/s)`);
  console.log(`  prepare (validate + workload + profiles) ${fmt(r.prepareS, 3)} s, summarize ${fmt(r.summarizeS, 3)} s, process wall ${fmt(wallS, 2)} s`);
  console.log(`  ${num(r.requests)} requests: ${num(r.finished)} finished, ${num(r.rejected)} rejected; mean E2E ${fmt(r.meanE2eS, 2)} s; mean utilization ${fmt(r.utilization, 3)}; peak RSS ${fmt(r.peakRssMB, 0)} MB`);
  if (r.cpuS !== undefined) console.log(`  streamed: ${fmt(r.cpuS, 2)} CPU s = ${num(r.requestsPerCpuS)} req per CPU s; at most ${num(r.peakHeld)} requests held; trace written in ${fmt(r.traceS, 2)} s`);
  measured.set(c.id, { wallS, events: r.events! });
  const base = c.versus !== undefined ? measured.get(c.versus) : undefined;
  if (base) console.log(`  vs ${c.versus}: process wall x${fmt(wallS / base.wallS, 2)}, events x${fmt(r.events! / base.events, 2)}`);
}
