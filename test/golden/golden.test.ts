import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkAgainstBaseline } from '../../src/check/check.js';
import { formatDriftTable } from '../../src/check/format.js';
import { loadTolerances } from '../../src/check/tolerances.js';
import { deviceEntrySchema } from '../../src/devices/registry.js';
import { writeFileAtomic } from '../../src/metrics/atomic-write.js';
import { policies } from '../../src/policies/registry.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';

/**
 * The CI regression gate: every test/golden/<name>.yaml is simulated and its summary checked
 * against test/golden/<name>.summary.json with the code `llmsim check` runs (same comparison,
 * same tolerances file). A change that moves any result fails here until the golden files are
 * regenerated on purpose:  UPDATE_GOLDEN=1 npx vitest run test/golden
 * Adding a golden scenario = adding one <name>.yaml (its summary is written by the command above).
 */
const dir = fileURLToPath(new URL('.', import.meta.url));
const scenarios = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'tolerances.yaml').sort();
const tolerances = loadTolerances(join(dir, 'tolerances.yaml'));
const update = process.env.UPDATE_GOLDEN === '1';

function summaryOf(file: string): unknown {
  const { summary } = runScenario(loadScenario(file));
  // Through JSON, as `llmsim check` reads summary.json.
  return JSON.parse(JSON.stringify(summary));
}

describe('golden scenarios match their golden summaries (llmsim check)', () => {
  it('has golden scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(3));

  for (const name of scenarios) {
    it(name, () => {
      const file = join(dir, name);
      const baseline = join(dir, `${basename(name, '.yaml')}.summary.json`);
      const summary = summaryOf(file);
      if (update) writeFileAtomic(baseline, (w) => w(`${JSON.stringify(summary, null, 2)}\n`));
      expect(existsSync(baseline), `${baseline} is missing: create it with UPDATE_GOLDEN=1 npx vitest run test/golden`).toBe(true);
      const report = checkAgainstBaseline(summary, baseline, tolerances);
      expect(report.compared).toBeGreaterThan(50);
      expect(report.drifts, `${name} drifted from its golden summary:\n${formatDriftTable(report)}`).toEqual([]);
      // Invariants any correct summary satisfies, whatever the golden file says.
      const s = summary as { requests: { total: number; finished: number; rejected: number; timedOut: number; pending: number } };
      expect(s.requests.finished + s.requests.rejected + s.requests.timedOut + s.requests.pending).toBe(s.requests.total);
      expect(s.requests.finished).toBeGreaterThan(0);
    });
  }

  it('a deliberately perturbed result fails the same check', () => {
    const baseline = join(dir, `${basename(scenarios[0]!, '.yaml')}.summary.json`);
    const summary = summaryOf(join(dir, scenarios[0]!)) as { latency: { e2eS: { p99: number } }; requests: { finished: number } };
    summary.latency.e2eS.p99 *= 1.0001; // 1e-4 relative: 100 times the tolerance
    summary.requests.finished -= 1;
    const report = checkAgainstBaseline(summary, baseline, tolerances);
    expect(report.drifts.map((d) => [d.metric, d.kind])).toEqual([['requests.finished', 'moved'], ['latency.e2eS.p99', 'moved']]);
    expect(formatDriftTable(report)).toMatch(/latency\.e2eS\.p99 .* \+0\.01%/);
  });

  it('cover every registered device kind and policy (add a golden scenario when adding one)', () => {
    const used = scenarios.map((f) => loadScenario(join(dir, f)).scenario);
    const kinds = deviceEntrySchema.options.map((o) => o.shape.kind.value as string);
    const usedKinds = new Set(used.flatMap((s) => s.cluster.devices.map((d) => d.kind as string)));
    const usedPolicies = new Set(used.map((s) => s.policy.name));
    expect(kinds.filter((k) => !usedKinds.has(k)), 'device kinds without a golden scenario').toEqual([]);
    expect(policies.map((p) => p.name).filter((p) => !usedPolicies.has(p)), 'policies without a golden scenario').toEqual([]);
    // FIFO's two routings take different code paths: both must be pinned.
    const routings = new Set(used.filter((s) => s.policy.name === 'fifo').map((s) => (s.policy.params as { routing?: string }).routing ?? 'round-robin'));
    expect([...routings].sort()).toEqual(['least-loaded', 'round-robin']);
  });
});
