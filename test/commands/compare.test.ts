import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { comparePolicies, formatComparison } from '../../src/compare/table.js';
import { seedIndependent } from '../../src/commands/compare.js';
import { policyVariants } from '../../src/compare/variants.js';
import { loadScenario } from '../../src/scenario/load.js';
import { sweepScenario, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';

const dir = tempDir('compare');
const io = captureCli(dir);
const { llmsim } = io;

describe('--policies', () => {
  const scenario = () => loadScenario(sweepScenario(dir, '')).scenario;
  it('parses name[:key=value...] entries, values as YAML scalars', () => {
    expect(policyVariants('fifo, fifo:routing=least-loaded:n=3:on=true', scenario())).toEqual([
      { label: 'fifo', name: 'fifo', params: {} },
      { label: 'fifo:routing=least-loaded:n=3:on=true', name: 'fifo', params: { routing: 'least-loaded', n: 3, on: true } },
    ]);
  });
  it('defaults to the scenario policy first, then the routing baselines that are not the same configuration', () => {
    // round-robin (level replica) routes and orders exactly as fifo, least-loaded as fifo:routing=least-loaded: left out.
    expect(policyVariants(undefined, scenario()).map((v) => v.label)).toEqual(['fifo', 'fifo:routing=least-loaded', 'random']);
    // fifo with routing round-robin (its default) is the baseline `fifo`: not run twice.
    const rr = { ...scenario(), policy: { name: 'fifo', params: { routing: 'round-robin' } } };
    expect(policyVariants(undefined, rr).map((v) => v.label)).toEqual(['fifo:routing=round-robin', 'fifo:routing=least-loaded', 'random']);
    const sjf = { ...scenario(), policy: { name: 'sjf-oracle', params: {} } };
    expect(policyVariants(undefined, sjf).map((v) => v.label)).toEqual(['sjf-oracle', 'fifo', 'fifo:routing=least-loaded', 'random']);
    const byModel = { ...scenario(), policy: { name: 'round-robin', params: { level: 'model' } } };
    expect(policyVariants(undefined, byModel).map((v) => v.label)).toEqual(['round-robin:level=model', 'fifo', 'fifo:routing=least-loaded', 'random']);
  });
  it('rejects malformed entries and duplicates', () => {
    expect(() => policyVariants('fifo,', scenario())).toThrow(/--policies: expected name\[:key=value\.\.\.\]/);
    expect(() => policyVariants('fifo:routing', scenario())).toThrow(/expected key=value after "fifo:", found "routing"/);
    expect(() => policyVariants('fifo,fifo', scenario())).toThrow(/found "fifo" twice/);
  });
});

describe('paired comparison', () => {
  it('gives each policy its mean and interval, and the paired difference to the first', () => {
    // A = 1, 2, 3 and B = 2, 4, 5 on seeds 1..3: B - A = 1, 2, 2, mean 5/3, s = sqrt(1/3);
    // t(0.975, 2) = 4.302653 so the half-width is 4.302653 * sqrt(1/3) / sqrt(3) = 1.434218.
    const cells = comparePolicies(['A', 'B'], [[{ m: 1 }, { m: 2 }, { m: 3 }], [{ m: 2 }, { m: 4 }, { m: 5 }]], ['m', 'never'], 0.95);
    expect(cells.map((c) => c.label)).toEqual(['A', 'B']); // 'never' is in no run: left out
    expect(cells[0]!.diff).toBeNull();
    expect(cells[1]!.value.mean).toBeCloseTo(11 / 3, 12);
    expect(cells[1]!.diff!.mean).toBeCloseTo(5 / 3, 12);
    expect(cells[1]!.diff!.low).toBeCloseTo(5 / 3 - 1.434218, 5);
    expect(cells[1]!.diff!.high).toBeCloseTo(5 / 3 + 1.434218, 5);
  });
  it('gives a value or difference that is the same on every seed an exact zero-width interval, never starred', () => {
    // Three seeds, identical per policy (a trace replay): 0.1 + 0.1 + 0.1 is not 3 * 0.1 in floating point.
    const cells = comparePolicies(['A', 'B'], [[{ m: 0.1 }, { m: 0.1 }, { m: 0.1 }], [{ m: 0.3 }, { m: 0.3 }, { m: 0.3 }]], ['m'], 0.95);
    expect(cells[0]!.value).toMatchObject({ n: 3, mean: 0.1, halfWidth: 0, low: 0.1, high: 0.1 });
    expect(cells[1]!.diff).toMatchObject({ n: 3, mean: 0.3 - 0.1, halfWidth: 0 });
    const text = formatComparison(cells, ['A', 'B'], 0.95);
    const table = text.slice(0, text.lastIndexOf('┘') + 1);
    expect(table).toMatch(/│ m +│ +0\.1 │ +0\.3 +│\n│ +│ +│ diff \+0\.2 │/);
    expect(table).not.toMatch(/ \*|±/);
    expect(text).toMatch(/without an interval was the same on every seed/);
    // A difference that varies and excludes 0 is still starred.
    const varied = comparePolicies(['A', 'B'], [[{ m: 1 }, { m: 2 }, { m: 3 }], [{ m: 2 }, { m: 3.1 }, { m: 4 }]], ['m'], 0.95);
    expect(formatComparison(varied, ['A', 'B'], 0.95)).toMatch(/diff \+1\.033 \[[\d.]+, [\d.]+\] \*/);
  });

  it('detects policies whose every seed gave the same metrics', () => {
    const same = [{ a: 1, b: null }, { a: 1, b: null }];
    expect(seedIndependent(['A', 'B', 'C'], [same, [{ a: 1, b: null }, { a: 2, b: null }], [same[0]!]])).toEqual(['A']); // C: one seed proves nothing
  });

  it('pairs only seeds where both policies have a value', () => {
    const cells = comparePolicies(['A', 'B'], [[{ m: 1 }, { m: null }, { m: 3 }], [{ m: 2 }, { m: 4 }, { m: 5 }]], ['m'], 0.95);
    expect(cells[1]!.diff!.n).toBe(2);
    expect(cells[1]!.diff!.mean).toBe(1.5);
  });
});

describe('llmsim compare', () => {
  it('runs every policy on the same workloads and writes the table, the runs and per-policy results', async () => {
    const file = sweepScenario(dir, '', { count: 300 });
    const o = join(dir, 'out');
    expect(await llmsim('compare', file, '--policies', 'fifo,fifo:routing=least-loaded', '--seeds', '3', '-j', '2', '-o', o)).toBe(0);
    expect(io.out).toMatch(/2 policies x 3 seeds \(5\.\.7\), same workload per seed/);
    // Side by side these two would be wider than 80 columns: a row per metric, then one per policy.
    expect(io.out).toMatch(/│ metric \/ policy +│ +mean ± hw │ +diff to fifo │/);
    expect(io.out).toMatch(/│ latency\.e2eS\.p99 +│\n│   fifo +│ +[\d.]+ ± [\d.]+ │ +\(baseline\) │\n│   fifo:routing=least-loaded +│ +[\d.]+ ± [\d.]+ │ +[-+]?[\d.]+ \[[-\d.]+, [-\d.]+\]( \*)? │/);
    for (const line of io.out.split('\n').filter((l) => !l.startsWith('wrote '))) expect(line.length, line).toBeLessThan(80);
    const rows = readFileSync(join(o, 'compare.csv'), 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(1 + 6);
    const header = rows[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    const cells = rows.slice(1).map((r) => r.split(','));
    // Common random numbers: per seed, both policies saw the same requests (same count and tokens/s of input).
    for (let s = 0; s < 3; s++) {
      expect(cells[s]![col('requests.total')]).toBe(cells[s + 3]![col('requests.total')]);
      expect(cells[s]![col('seed')]).toBe(String(5 + s));
    }
    for (const slug of ['fifo', 'fifo_routing_least-loaded']) {
      expect(existsSync(join(o, slug, 'requests.csv'))).toBe(true);
      expect(JSON.parse(readFileSync(join(o, slug, 'summary.json'), 'utf8')).name).toBe(slug === 'fifo' ? 'fifo' : 'fifo:routing=least-loaded');
    }
    const table = readFileSync(join(o, 'comparison.csv'), 'utf8');
    expect(table.split('\n')[0]).toBe('metric,policy,n,mean,low,high,diff_mean,diff_low,diff_high');
    expect(table).toMatch(/\nrequests\.rejected,fifo:routing=least-loaded,3,0,0,0,0,0,0\n/);
  });

  it('a bad policy or parameter is an input error naming the entry and field', async () => {
    const file = sweepScenario(dir, '');
    expect(await llmsim('compare', file, '--policies', 'fifo:routing=sideways', '-o', join(dir, 'x'))).toBe(2);
    expect(io.err).toMatch(/--policies: policy "fifo:routing=sideways": policy\.params\.routing: expected one of "round-robin", "least-loaded", found "sideways"/);
    expect(await llmsim('compare', file, '--policies', 'fifoo', '-o', join(dir, 'x'))).toBe(2);
    expect(io.err).toMatch(/policy "fifoo": policy\.name: unknown policy "fifoo" \(did you mean "fifo"\?\)/);
    expect(await llmsim('compare', file, '--policies', 'fifo', '--metrics', 'latency.e2eS.p99,bogus', '--seeds', '1', '-o', join(dir, 'x'))).toBe(2);
    expect(io.err).toMatch(/--metrics: .*unknown "bogus"/);
  });
});
