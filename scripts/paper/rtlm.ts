/** The RT-LM tables: policies and single mechanisms at rising load, and the signal-quality (rho) sweep. */
import type { Summary } from '../../src/metrics/summary.js';
import { markdown, overSeeds, runPoint, scenarioData } from './run.js';

const RTLM = 'uncertainty-priority';
const ALL_OFF = { prioritize: false, consolidate: false, offload: false };

/** The policies compared: FCFS, RT-LM with every mechanism, each mechanism alone, none, and the oracle. */
export const RTLM_VARIANTS: readonly [string, unknown][] = [
  ['FCFS (fifo, GPU only)', { name: 'fifo', params: { groups: ['gpu'] } }],
  ['RT-LM, all mechanisms', { name: RTLM, params: {} }],
  ['RT-LM, all, least-slack order', { name: RTLM, params: { order: 'least-slack' } }],
  ['prioritization only', { name: RTLM, params: { ...ALL_OFF, prioritize: true } }],
  ['consolidation only', { name: RTLM, params: { ...ALL_OFF, consolidate: true } }],
  ['CPU offloading only', { name: RTLM, params: { ...ALL_OFF, offload: true } }],
  ['no mechanism (predictor overhead only)', { name: RTLM, params: ALL_OFF }],
  ['SJF oracle (true lengths, GPU only)', { name: 'sjf-oracle', params: { groups: ['gpu'] } }],
];

const figures = (s: Summary) => ({
  mean: s.latency.e2eS.mean!,
  p99: s.latency.e2eS.p99!,
  throughput: s.throughput.requestsPerS!,
  miss: 100 * s.deadlines.missRatio!,
  cpu: s.groups.find((g) => g.group === 'cpu')?.finished ?? 0,
});

/** Policy x load (rateScale of the Azure conversation trace), rho as in the scenario (0.8). */
export function rtlmLoadTable(seeds: readonly number[]): string {
  const data = scenarioData('rtlm-vs-fifo.yaml');
  const rows: string[][] = [];
  for (const rateScale of [0.03, 0.04, 0.05, 0.06]) {
    for (const [label, policy] of RTLM_VARIANTS) {
      const f = overSeeds(seeds, (seed) =>
        figures(runPoint(data, seed, (d) => {
          d.workload.rateScale = rateScale;
          d.policy = policy;
        })),
      );
      rows.push([`${rateScale} (${(5.53 * rateScale).toFixed(2)} req/s)`, label, f.mean!, f.p99!, f.throughput!, f.miss!, f.cpu!.split(' ')[0]!]);
    }
  }
  return markdown(['load (rateScale)', 'policy', 'mean response s', 'p99 response s', 'throughput req/s', 'deadline misses %', 'offloaded'], rows);
}

/** RT-LM (all mechanisms, and prioritization alone) against FCFS and the oracle as the signal's correlation rho goes 0..1. */
export function rtlmRhoTable(seeds: readonly number[]): string {
  const data = scenarioData('rtlm-vs-fifo.yaml');
  const picked = RTLM_VARIANTS.filter(([label]) => /^(FCFS|RT-LM, all mechanisms|prioritization only|SJF)/.test(label));
  const rows: string[][] = [];
  for (const rho of [0, 0.25, 0.5, 0.75, 1]) {
    for (const [label, policy] of picked) {
      const f = overSeeds(seeds, (seed) =>
        figures(runPoint(data, seed, (d) => {
          d.workload.uncertainty.rho = rho;
          d.policy = policy;
        })),
      );
      rows.push([String(rho), label, f.mean!, f.p99!, f.miss!]);
    }
  }
  return markdown(['rho', 'policy', 'mean response s', 'p99 response s', 'deadline misses %'], rows);
}
