/** The Wilkins et al. tables: offline zeta sweep with baselines, LP scale, online queue-awareness, heterogeneous hardware. */
import { performance } from 'node:perf_hooks';
import type { DeviceView } from '../../src/devices/device.js';
import type { Summary } from '../../src/metrics/summary.js';
import { solveAssignment } from '../../src/policies/assignment.js';
import type { ClusterView } from '../../src/policies/policy.js';
import { assignmentProblem, wilkinsOfflineParams } from '../../src/policies/wilkins-offline.js';
import { targetsOf } from '../../src/policies/wilkins.js';
import { checkScenario, prepareRun } from '../../src/scenario/load.js';
import { markdown, overSeeds, runPoint, runtimeS, scenarioData, SCENARIOS, show } from './run.js';

const MODELS = ['llama-2-7b', 'llama-2-13b', 'llama-2-70b'];
const finishedBy = (s: Summary, model: string) => s.models.find((m) => m.model === model)?.finished ?? 0;
const figures = (s: Summary) => ({
  kWh: s.energy.kWh!,
  runtime: runtimeS(s),
  accuracy: s.accuracy.tokenWeightedPct!,
  ...Object.fromEntries(MODELS.map((m) => [m, finishedBy(s, m)])),
});

/** Offline: zeta 0..1 by 0.1, and the single-model, round-robin and random baselines. */
export function wilkinsOfflineTable(seeds: readonly number[]): string {
  const data = scenarioData('wilkins-offline.yaml');
  // Not figures of the paper: the authors' repository CSV of their simulation
  // (grantwilkins/energy-inference plots/routing/simulation_results.csv, commit 9237559b).
  const published: Record<string, string> = {
    'llama-2-7b only': '74.8 kWh, 50.97%',
    'llama-2-13b only': '132.8 kWh, 55.69%',
    'llama-2-70b only': '985.2 kWh, 64.52%',
    'round-robin (models)': '396.9 kWh, 57.05%',
  };
  const variants: [string, unknown][] = [
    ...MODELS.map((m): [string, unknown] => [`${m} only`, { name: 'least-loaded', params: { groups: [m] } }]),
    ['round-robin (models)', { name: 'round-robin', params: { level: 'model' } }],
    ['random (models)', { name: 'random', params: { level: 'model' } }],
    ...Array.from({ length: 11 }, (_, i): [string, unknown] => [`wilkins-offline zeta ${(i / 10).toFixed(1)}`, { ...data.policy, params: { ...data.policy.params, zeta: i / 10 } }]),
  ];
  const rows = variants.map(([label, policy]) => {
    const f = overSeeds(seeds, (seed) => figures(runPoint(data, seed, (d) => (d.policy = policy))), 4);
    return [label, f.kWh!, f.runtime!, f.accuracy!, MODELS.map((m) => f[m]!.split(' ')[0]).join(' / '), published[label] ?? ''];
  });
  return markdown(['policy', 'energy kWh', 'mean runtime s', 'token-weighted accuracy %', 'queries 7B / 13B / 70B', "authors' simulation CSV"], rows);
}

/** Time of the quota LP (and the MILP where it is practical) on the offline workload, zeta 0.5. */
export function lpScaleTable(): string {
  const data = scenarioData('wilkins-offline.yaml');
  const loaded = checkScenario({ ...data, seed: 1 }, { file: 'wilkins-offline.yaml', baseDir: SCENARIOS });
  const input = prepareRun(loaded);
  // Views of the three model groups: what the policy reads (estimates, accuracy), no engine needed.
  const views: DeviceView[] = input.cluster.map((g, index) => ({
    index, name: `${g.name}/0`, group: g.name, kind: g.kind, model: g.model, capacity: 1,
    accuracy: g.accuracy, gpus: g.gpus, estimate: g.estimate, queued: () => 0, running: () => 0,
  }));
  const cluster: ClusterView = { devices: views, nowS: () => 0 };
  const params = wilkinsOfflineParams.parse({ zeta: 0.5, shares: { 'llama-2-7b': 0.05, 'llama-2-13b': 0.2, 'llama-2-70b': 0.75 } });
  const targets = targetsOf(views, 'accuracy');
  const rows: string[][] = [];
  for (const n of [200, 2000, 10000, 52002]) {
    const problem = assignmentProblem(params, input.requests.slice(0, n), targets, cluster);
    let t = performance.now();
    const lp = solveAssignment(problem, 'lp');
    const lpS = (performance.now() - t) / 1000;
    let milpCell = 'not run';
    let same = '';
    if (n <= 2000) {
      t = performance.now();
      const milp = solveAssignment(problem, 'milp');
      milpCell = show((performance.now() - t) / 1000, 3);
      same = Math.abs(milp.objective - lp.objective) <= 1e-7 * Math.max(1, Math.abs(lp.objective)) ? 'yes' : `no (${show(milp.objective, 8)} vs ${show(lp.objective, 8)})`;
    }
    rows.push([String(n), String(n * 3), show(lpS, 3), milpCell, same, show(lp.objective, 7)]);
  }
  return markdown(['queries', 'binary variables', 'LP s', 'MILP s', 'same optimum', 'objective'], rows);
}

/** Online: the greedy router with and without the queue penalty over a load grid. */
export function wilkinsOnlineTable(seeds: readonly number[]): string {
  const data = scenarioData('wilkins-online.yaml');
  const rows: string[][] = [];
  for (const rate of [0.5, 0.7, 0.9, 1.2]) {
    for (const queueAware of [false, true]) {
      const f = overSeeds(seeds, (seed) => {
        const s = runPoint(data, seed, (d) => {
          d.workload.synthetic.arrival.rateRps = rate;
          d.policy.params.queueAware = queueAware;
        });
        return { wait: s.latency.queueingDelayS.mean!, p99: s.latency.queueingDelayS.p99!, kWh: s.energy.kWh!, accuracy: s.accuracy.tokenWeightedPct!, ...Object.fromEntries(MODELS.map((m) => [m, finishedBy(s, m)])) };
      });
      rows.push([String(rate), queueAware ? 'yes (0.1)' : 'no', f.wait!, f.p99!, f.kWh!, f.accuracy!, MODELS.map((m) => f[m]!.split(' ')[0]).join(' / ')]);
    }
  }
  return markdown(['queries/s', 'queue-aware', 'mean wait s', 'p99 wait s', 'energy kWh', 'accuracy %', 'queries 7B / 13B / 70B'], rows);
}

/**
 * Heterogeneous hardware, one model: Llama-2 7B on A100 (published fit) and on an M1 Pro (a
 * roofline-style ESTIMATE, profiles/cpu/): the offline energy-vs-runtime optimum and the threshold
 * rule, against each device alone. 5,000 Alpaca-like queries.
 */
export function wilkinsHeteroTable(seeds: readonly number[]): string {
  const base = scenarioData('wilkins-offline.yaml');
  const data = {
    ...base,
    name: 'wilkins-hetero',
    workload: { synthetic: { ...base.workload.synthetic, count: 5000, arrival: { process: 'poisson', rateRps: 0.05 } } },
    cluster: {
      devices: [
        { name: 'a100', kind: 'slots', profile: '../profiles/wilkins/llama-2-7b-a100.yaml', slots: 2 },
        { name: 'm1-pro', kind: 'slots', profile: '../profiles/cpu/llama-2-7b-m1-pro.yaml', slots: 8 },
      ],
    },
  };
  const variants: [string, unknown][] = [
    ['a100 only', { name: 'least-loaded', params: { groups: ['a100'] } }],
    ['m1-pro only', { name: 'least-loaded', params: { groups: ['m1-pro'] } }],
    ...[16, 32, 64].map((t): [string, unknown] => [`threshold: input <= ${t} to m1-pro`, { name: 'wilkins-threshold', params: { feature: 'input', threshold: t, small: 'm1-pro', large: 'a100' } }]),
    ...[2000, 4000, 8000].map((t): [string, unknown] => [`threshold: input x output <= ${t} to m1-pro`, { name: 'wilkins-threshold', params: { feature: 'product', threshold: t, small: 'm1-pro', large: 'a100' } }]),
    ...[1, 0.75, 0.5].map((z): [string, unknown] => [`offline optimum, runtime objective, zeta ${z}`, { name: 'wilkins-offline', params: { objective: 'runtime', zeta: z, minShareFactor: 0 } }]),
  ];
  const rows = variants.map(([label, policy]) => {
    const f = overSeeds(seeds, (seed) => {
      const s = runPoint(data, seed, (d) => (d.policy = policy));
      const onM1 = s.groups.find((g) => g.group === 'm1-pro')!.finished;
      return { kWh: s.energy.kWh!, runtime: runtimeS(s), wait: s.latency.queueingDelayS.mean!, m1: onM1 / s.requests.finished };
    });
    return [label, f.kWh!, f.runtime!, f.wait!, f.m1!];
  });
  return markdown(['policy', 'energy kWh', 'mean runtime s', 'mean wait s', 'share on m1-pro'], rows);
}
