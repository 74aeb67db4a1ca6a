import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareSummaries } from '../../src/check/check.js';
import { DEFAULT_TOLERANCE, loadTolerances, patternToRegExp, toleranceFor } from '../../src/check/tolerances.js';
import { repoFile, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';

const dir = tempDir('check');
const io = captureCli(dir);
const { llmsim } = io;

const defaults = loadTolerances();
const base = { name: 'x', latency: { e2eS: { mean: 10, p99: 20 } }, energy: { totalJ: 1000, scope: ['busy'] }, devices: [{ utilization: 0.5 }] };

describe('compareSummaries', () => {
  it('passes identical summaries and values within the default tolerance (rel 1e-6)', () => {
    expect(compareSummaries(base, base, defaults)).toEqual({ compared: 6, ignored: 0, drifts: [] });
    const near = { ...base, energy: { ...base.energy, totalJ: 1000.0009 } }; // 0.9e-6 relative
    expect(compareSummaries(near, base, defaults).drifts).toEqual([]);
  });

  it('reports numbers beyond tolerance with their differences, changed text, and missing or new values', () => {
    const moved = { ...base, latency: { e2eS: { mean: 10.5, p99: 20 } }, energy: { totalJ: 1000, scope: ['busy', 'idle'] }, extra: 1 };
    const r = compareSummaries(moved, base, defaults);
    expect(r.drifts.map((d) => [d.metric, d.kind, d.diff, d.relDiff])).toEqual([
      ['latency.e2eS.mean', 'moved', 0.5, 0.05],
      ['energy.scope[1]', 'new', null, null],
      ['extra', 'new', null, null],
    ]);
    const gone = compareSummaries({ ...base, devices: [] }, base, defaults);
    expect(gone.drifts.map((d) => [d.metric, d.kind])).toEqual([['devices[0].utilization', 'missing'], ['devices', 'new']]);
    expect(compareSummaries({ ...base, name: 'y' }, base, defaults).drifts.map((d) => d.kind)).toEqual(['changed']);
    expect(compareSummaries({ ...base, latency: { e2eS: { mean: null, p99: 20 } } }, base, defaults).drifts.map((d) => d.kind)).toEqual(['changed']);
  });

  it('applies absolute OR relative tolerance, first matching pattern, and ignore', () => {
    const file = join(dir, 'tol.yaml');
    writeFileSync(file, ['default: { rel: 0.01 }', 'metrics:', '  "latency.*.p99": { abs: 5, rel: 0 }', '  "latency.**": { rel: 0.001 }', '  devices[*].utilization: { ignore: true }', ''].join('\n'));
    const t = loadTolerances(file);
    expect(toleranceFor(t, 'latency.e2eS.p99')).toEqual({ abs: 5, rel: 0, ignore: false }); // first match wins
    expect(toleranceFor(t, 'latency.e2eS.mean')).toEqual({ abs: DEFAULT_TOLERANCE.abs, rel: 0.001, ignore: false });
    expect(toleranceFor(t, 'energy.totalJ')).toEqual({ abs: DEFAULT_TOLERANCE.abs, rel: 0.01, ignore: false });
    const result = { ...base, latency: { e2eS: { mean: 10.02, p99: 24.9 } }, energy: { totalJ: 1009, scope: ['busy'] }, devices: [{ utilization: 0.9 }] };
    const r = compareSummaries(result, base, t);
    // mean moved 0.2% > 0.1%; p99 moved 4.9 <= abs 5; totalJ moved 0.9% <= 1%; utilization ignored.
    expect(r.drifts.map((d) => d.metric)).toEqual(['latency.e2eS.mean']);
    expect([r.compared, r.ignored]).toEqual([5, 1]);
  });

  it('matches * within one path segment and ** across segments', () => {
    expect(patternToRegExp('latency.*.p99').test('latency.e2eS.p99')).toBe(true);
    expect(patternToRegExp('latency.*.p99').test('latency.a.b.p99')).toBe(false);
    expect(patternToRegExp('latency.**').test('latency.a.b.p99')).toBe(true);
    expect(patternToRegExp('devices[*].energyJ').test('devices[12].energyJ')).toBe(true);
  });
});

describe('llmsim check', () => {
  const summary = join(dir, 'summary.json');
  const golden = join(dir, 'golden.json');
  // A summary as far as check is concerned: base plus the other top-level mappings every summary has.
  const full = { ...base, requests: { total: 10 }, throughput: { requestsPerS: 2 }, sim: { events: 100 } };
  beforeAll(() => writeFileSync(summary, `${JSON.stringify(full, null, 2)}\n`));

  it('--update creates the baseline; an identical summary passes with exit 0', async () => {
    expect(await llmsim('check', summary, '--baseline', golden)).toBe(2);
    expect(io.err).toMatch(/golden\.json: --baseline: expected an existing baseline summary, found no such file/);
    expect(await llmsim('check', summary, '--baseline', golden, '--update')).toBe(0);
    expect(readFileSync(golden, 'utf8')).toBe(readFileSync(summary, 'utf8'));
    expect(await llmsim('check', summary, '--baseline', golden)).toBe(0);
    expect(io.out).toMatch(/ok: 9 value\(s\) within tolerance/);
  });

  it('a perturbed result fails with exit 1 and a table of what drifted; --update accepts it on purpose', async () => {
    const perturbed = join(dir, 'perturbed.json');
    writeFileSync(perturbed, JSON.stringify({ ...full, latency: { e2eS: { mean: 10, p99: 21 } } }));
    expect(await llmsim('check', perturbed, '--baseline', golden)).toBe(1);
    expect(io.out).toMatch(/latency\.e2eS\.p99 .*20 .*21 .*\+1 .*\+5%/);
    expect(io.err).toMatch(/perturbed\.json: 1 of 9 value\(s\) drifted from baseline .*golden\.json/);
    const loose = join(dir, 'loose.yaml');
    writeFileSync(loose, 'metrics:\n  latency.e2eS.p99: { rel: 0.1 }\n');
    expect(await llmsim('check', perturbed, '--baseline', golden, '--tolerances', loose)).toBe(0);
    expect(await llmsim('check', perturbed, '--baseline', golden, '--update')).toBe(0);
    expect(io.out).toMatch(/updated baseline .* \(1 value\(s\) had drifted\)/);
    expect(await llmsim('check', perturbed, '--baseline', golden)).toBe(0);
  });

  it('bad input is exit 2 with file and line: broken JSON, a bad tolerances file', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "a": 1,\n  "b": [1, 2\n}\n');
    expect(await llmsim('check', broken, '--baseline', golden)).toBe(2);
    // Read as JSON, not YAML: the error is JSON's, where the list should have been closed.
    expect(io.err).toBe(`llmsim: ${broken}:4:1: expected valid JSON, found a syntax error: Expected ',' or ']' after array element\n`);
    writeFileSync(broken, '{"a": 1');
    expect(await llmsim('check', broken, '--baseline', golden)).toBe(2);
    expect(io.err).toMatch(/broken\.json:1:8: expected valid JSON, found a syntax error/);
    const tol = join(dir, 'bad-tol.yaml');
    writeFileSync(tol, 'default:\n  rel: -1\n');
    expect(await llmsim('check', summary, '--baseline', golden, '--tolerances', tol)).toBe(2);
    expect(io.err).toMatch(/bad-tol\.yaml:2:8: default\.rel: expected >= 0, found -1/);
  });

  it('refuses files that are not summaries (exit 2) and never writes one as a baseline', async () => {
    const scenario = repoFile('scenarios/quickstart.yaml');
    expect(await llmsim('check', scenario, '--baseline', golden)).toBe(2);
    expect(io.err).toMatch(/^llmsim: .*quickstart\.yaml: requests: expected a summary file \(an llmsim summary\.json, .*\), found no "requests" \(top-level keys: name, description, seed, workload, cluster, policy, slo\)\n$/);
    const fresh = join(dir, 'fresh.json');
    expect(await llmsim('check', scenario, '--baseline', fresh, '--update')).toBe(2);
    expect(existsSync(fresh)).toBe(false);
    const named = join(dir, 'named.json');
    writeFileSync(named, '{"name": 3}');
    expect(await llmsim('check', summary, '--baseline', named)).toBe(2);
    expect(io.err).toMatch(/named\.json: requests: expected a baseline summary .*found no "requests" \(top-level keys: name\)/);
    writeFileSync(named, JSON.stringify({ ...full, sim: 7 }));
    expect(await llmsim('check', named, '--baseline', golden)).toBe(2);
    expect(io.err).toMatch(/named\.json: sim: expected a summary file .*found "sim" holding 7/);
  });

  it('refuses a tolerance pattern that matches no metric, naming it and its line', async () => {
    const tol = join(dir, 'typo.yaml');
    writeFileSync(tol, ['metrics:', '  "latency.*.p99": { rel: 0.1 }', '  "latncy.**": { rel: 0.1 }', ''].join('\n'));
    expect(await llmsim('check', summary, '--baseline', golden, '--tolerances', tol)).toBe(2);
    expect(io.err).toBe(`llmsim: ${tol}:3:3: metrics.latncy.**: expected a pattern matching some metric of the summaries compared (did you mean "latency" for "latncy"?), found "latncy.**", which matches none\n`);
    writeFileSync(tol, ['metrics:', '  "latency.*.p99": { rel: 0.1 }', '  "devices[*].utilization": { ignore: true }', ''].join('\n'));
    expect(await llmsim('check', summary, '--baseline', golden, '--tolerances', tol)).toBe(0);
  });
});

describe('one-sided rules and absolute limits', () => {
  const summary = join(dir, 'os-summary.json');
  const golden = join(dir, 'os-golden.json');
  const full = { ...base, requests: { total: 10 }, throughput: { requestsPerS: 2 }, sim: { events: 100 } };
  beforeAll(() => {
    writeFileSync(golden, JSON.stringify(full));
    // Latency 10% better (lower), throughput 10% better (higher): both improvements.
    writeFileSync(summary, JSON.stringify({ ...full, latency: { e2eS: { mean: 9, p99: 18 } }, throughput: { requestsPerS: 2.2 } }));
  });

  it('a one-sided rule passes an improvement of any size and fails the same move the other way', () => {
    const t = (better?: 'lower' | 'higher') => ({ default: DEFAULT_TOLERANCE, limits: [], rules: [{ pattern: 'x', match: /^latency\./, tolerance: { abs: 0, rel: 0.01, ignore: false, better } }] });
    const better = { ...base, latency: { e2eS: { mean: 9, p99: 18 } } };
    const worse = { ...base, latency: { e2eS: { mean: 11, p99: 22 } } };
    expect(compareSummaries(better, base, t()).drifts).toHaveLength(2); // two-sided: both moved 10%
    expect(compareSummaries(better, base, t('lower')).drifts).toEqual([]);
    expect(compareSummaries(worse, base, t('lower')).drifts.map((d) => [d.metric, d.diff])).toEqual([['latency.e2eS.mean', 1], ['latency.e2eS.p99', 2]]);
    expect(compareSummaries(better, base, t('higher')).drifts.map((d) => d.metric)).toEqual(['latency.e2eS.mean', 'latency.e2eS.p99']);
    // Within tolerance the worse way still passes: 0.5% worse under rel 1%.
    expect(compareSummaries({ ...base, latency: { e2eS: { mean: 10.05, p99: 20.1 } } }, base, t('lower')).drifts).toEqual([]);
  });

  it('tolerances file: better: lower|higher, and limits: [...] checked against the result', async () => {
    const tol = join(dir, 'os.yaml');
    writeFileSync(tol, ['metrics:', '  "latency.**": { rel: 0.01, better: lower }', '  "throughput.**": { rel: 0.01, better: higher }', 'limits:', '  - latency.e2eS.p99 <= 20', ''].join('\n'));
    expect(await llmsim('check', summary, '--baseline', golden, '--tolerances', tol)).toBe(0);
    expect(io.out).toMatch(/^ok: 9 value\(s\) within tolerance of .*; 1 limit\(s\) hold\n$/);
    // Swap roles: the golden now looks 10% worse than the summary on both counts.
    expect(await llmsim('check', golden, '--baseline', summary, '--tolerances', tol)).toBe(1);
    expect(io.out).toMatch(/latency\.e2eS\.mean .* \(lower better\)/);
    expect(io.err).toMatch(/3 of 9 value\(s\) drifted/);
  });

  it('--limit alone (no baseline) is a gate: exit 0 when it holds, 1 naming the broken limit, 2 for a bad or unknown one', async () => {
    expect(await llmsim('check', summary, '--limit', 'latency.e2eS.p99 <= 18', '--limit', 'throughput.requestsPerS>2')).toBe(0);
    expect(io.out).toBe('ok: 2 limit(s) hold\n');
    expect(await llmsim('check', summary, '--limit', 'latency.e2eS.p99 < 18')).toBe(1);
    expect(io.out).toMatch(/latency\.e2eS\.p99 < 18 .* 18 /);
    expect(io.err).toBe(`llmsim: ${summary}: 1 of 1 limit(s) broken (latency.e2eS.p99 < 18)\n`);
    expect(await llmsim('check', summary, '--limit', 'latency.e2eS.p99 => 18')).toBe(2);
    expect(io.err).toMatch(/^llmsim: --limit: expected a limit "metric <= number" .*found "latency\.e2eS\.p99 => 18"\n$/);
    expect(await llmsim('check', summary, '--limit', 'latency.ttft.p99 <= 2')).toBe(2);
    expect(io.err).toMatch(/^llmsim: --limit: expected a limit on a metric of the summary .*found "latency\.ttft\.p99"/);
    expect(await llmsim('check', summary)).toBe(2);
    expect(io.err).toMatch(/--baseline: expected a baseline summary, or at least one --limit/);
  });

  it('a null metric breaks a limit on it (it cannot be shown to hold)', async () => {
    const nulls = join(dir, 'nulls.json');
    writeFileSync(nulls, JSON.stringify({ ...full, latency: { e2eS: { mean: null, p99: null } } }));
    expect(await llmsim('check', nulls, '--limit', 'latency.e2eS.p99 <= 100')).toBe(1);
  });

  it('--format json and junit: the same verdict as data, to stdout or --out; exit codes unchanged', async () => {
    expect(await llmsim('check', golden, '--baseline', summary, '--limit', 'latency.e2eS.p99 <= 19', '--format', 'json')).toBe(1);
    const j = JSON.parse(io.out);
    expect(j.ok).toBe(false);
    expect(j.drifts.map((d: { metric: string }) => d.metric)).toEqual(['latency.e2eS.mean', 'latency.e2eS.p99', 'throughput.requestsPerS']);
    expect(j.limits).toEqual([{ limit: 'latency.e2eS.p99 <= 19', metric: 'latency.e2eS.p99', op: '<=', value: 19, result: 20, ok: false }]);
    const junit = join(dir, 'check.xml');
    expect(await llmsim('check', golden, '--baseline', summary, '--limit', 'latency.e2eS.p99 <= 19', '--format', 'junit', '--out', junit)).toBe(1);
    const x = readFileSync(junit, 'utf8');
    expect(x).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="llmsim check" tests="5" failures="4">/);
    expect(x.match(/<testcase /g)).toHaveLength(5); // 1 for the values within tolerance, 3 drifts, 1 limit
    expect(x.match(/<failure /g)).toHaveLength(4);
    expect(x).toContain('name="latency.e2eS.p99 &lt;= 19"');
    expect(await llmsim('check', summary, '--baseline', summary, '--format', 'junit')).toBe(0);
    expect(io.out).toMatch(/tests="1" failures="0"/);
    expect(await llmsim('check', summary, '--baseline', summary, '--format', 'xml')).toBe(2);
    expect(io.err).toMatch(/--format: expected one of "table", "json", "junit", found "xml"/);
  });

  it('an internal error (a bug) exits 3, distinct from drift (1) and bad input (2)', async () => {
    const spy = vi.spyOn(JSON, 'stringify').mockImplementationOnce(() => {
      throw new Error('boom');
    });
    try {
      expect(await llmsim('check', summary, '--limit', 'latency.e2eS.p99 <= 100', '--format', 'json')).toBe(3);
      expect(io.err).toMatch(/^llmsim: internal error: boom\n/);
    } finally {
      spy.mockRestore();
    }
  });
});
