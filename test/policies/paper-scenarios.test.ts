import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenario, loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { loadYamlFile } from '../../src/util/yaml-file.js';

const DIR = resolve(import.meta.dirname, '../../scenarios');
const file = (name: string) => resolve(DIR, name);

/** Runs scenario `name` with `edit` applied to its data first. */
function run(name: string, edit: (data: any) => void = () => {}) {
  const data = structuredClone(loadYamlFile(file(name), 'scenario').data) as any;
  edit(data);
  return runScenario(checkScenario(data, { file: name, baseDir: DIR }));
}

// The published coefficient table (Wilkins et al., HotCarbon 2024), typed in again here so the
// check does not read the profile files it checks: e = a0*tin + a1*tout + a2*tin*tout, J.
// kWh: the single-model rows of the authors' simulation CSV (not the paper's text); accuracy: the
// leaderboard A_K the paper uses.
const PUBLISHED = {
  'llama-2-7b': { a: [-3.89, 31.52, 4.27e-2], kWh: 74.8, accuracy: 50.97 },
  'llama-2-13b': { a: [-6.79, 56.01, 7.29e-2], kWh: 132.8, accuracy: 55.69 },
  'llama-2-70b': { a: [-12.03, 414.82, 3.15e-1], kWh: 985.2, accuracy: 64.52 },
} as const;
const FLOOR_J = 0.001; // the profiles' default floor

describe('paper scenarios', () => {
  it('load and validate as written', () => {
    for (const name of ['wilkins-offline.yaml', 'wilkins-online.yaml', 'rtlm-vs-fifo.yaml']) expect(() => loadScenario(file(name))).not.toThrow();
  });

  it('wilkins-offline: single-model totals equal what the published coefficients give for the workload', () => {
    for (const [model, pub] of Object.entries(PUBLISHED)) {
      const { result, summary } = run('wilkins-offline.yaml', (d) => (d.policy = { name: 'least-loaded', params: { groups: [model] } }));
      let expectedJ = 0;
      for (const r of result.requests) expectedJ += Math.max(FLOOR_J, pub.a[0] * r.promptTokens + pub.a[1] * r.outputTokens + pub.a[2] * r.promptTokens * r.outputTokens);
      const simJ = result.devices.reduce((s, d) => s + d.busyEnergyJ + d.idleEnergyJ, 0);
      expect(simJ / expectedJ - 1).toBeCloseTo(0, 12);
      // Why the 13B and 70B totals cannot disagree: the output-token term is 98.4-98.5% of each
      // total (docs/policies.md), so every total is about a1 x (output tokens of the workload).
      const outputTermJ = result.requests.reduce((s, r) => s + pub.a[1] * r.outputTokens, 0);
      expect(outputTermJ / expectedJ).toBeGreaterThan(0.983);
      expect(outputTermJ / expectedJ).toBeLessThan(0.986);
      expect(summary.accuracy.tokenWeightedPct).toBe(pub.accuracy);
      // Against the whole-workload totals of the authors' simulation CSV (grantwilkins/energy-inference
      // plots/routing/simulation_results.csv; not figures of the paper): 7B is what the workload was
      // calibrated to; 13B and 70B then follow by arithmetic, since the output-token term is ~98% of
      // every total (within 2%).
      expect(Math.abs(summary.energy.kWh! / pub.kWh - 1)).toBeLessThan(0.02);
    }
  });

  it('wilkins-offline: round-robin over models lands on the 396.9 kWh and 57.05% accuracy of the authors\' simulation CSV', () => {
    const { summary } = run('wilkins-offline.yaml', (d) => (d.policy = { name: 'round-robin', params: { level: 'model' } }));
    expect(Math.abs(summary.energy.kWh! / 396.9 - 1)).toBeLessThan(0.02);
    expect(Math.abs(summary.accuracy.tokenWeightedPct! - 57.05)).toBeLessThan(0.5);
    expect(summary.models.map((m) => m.finished)).toEqual([17334, 17334, 17334]); // 52,002 / 3
  });

  it('wilkins-offline: energy, runtime and accuracy all fall as zeta rises', () => {
    // 3,000 queries keep 11 LP solves quick; the proof that optimal energy and accuracy cannot rise
    // with zeta holds for any workload (docs/policies.md), runtime follows energy here.
    const rows = Array.from({ length: 11 }, (_, i) => {
      const { summary: s } = run('wilkins-offline.yaml', (d) => {
        d.workload.synthetic.count = 3000;
        d.policy.params.zeta = i / 10;
      });
      return { kWh: s.energy.kWh!, runtimeS: s.latency.e2eS.mean! - s.latency.queueingDelayS.mean!, accuracy: s.accuracy.tokenWeightedPct! };
    });
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.kWh).toBeLessThanOrEqual(rows[i - 1]!.kWh * (1 + 1e-9));
      expect(rows[i]!.runtimeS).toBeLessThanOrEqual(rows[i - 1]!.runtimeS * (1 + 1e-9));
      expect(rows[i]!.accuracy).toBeLessThanOrEqual(rows[i - 1]!.accuracy + 1e-9);
    }
    expect(rows[10]!.kWh).toBeLessThan(rows[0]!.kWh / 4);
    expect(rows[0]!.accuracy - rows[10]!.accuracy).toBeGreaterThan(10);
  });

  it('wilkins-online: queue-awareness cuts mean wait by orders of magnitude at high load', () => {
    const wait = (queueAware: boolean) => run('wilkins-online.yaml', (d) => (d.policy.params.queueAware = queueAware)).summary.latency.queueingDelayS.mean!;
    expect(wait(false) / wait(true)).toBeGreaterThan(100);
  });

  it('rtlm-vs-fifo: uncertainty-priority beats FCFS on mean and p99 response; the oracle bounds both', () => {
    const e2e = (policy: unknown) => run('rtlm-vs-fifo.yaml', (d) => (d.policy = policy)).summary.latency.e2eS;
    const fifo = e2e({ name: 'fifo', params: { groups: ['gpu'] } });
    const rtlm = e2e({ name: 'uncertainty-priority', params: {} });
    const oracle = e2e({ name: 'sjf-oracle', params: { groups: ['gpu'] } });
    expect(rtlm.mean!).toBeLessThan(fifo.mean! * 0.9);
    expect(rtlm.p99!).toBeLessThan(fifo.p99!);
    expect(oracle.mean!).toBeLessThan(rtlm.mean!);
  });
});
