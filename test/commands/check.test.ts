import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareSummaries } from '../../src/check/check.js';
import { DEFAULT_TOLERANCE, loadTolerances, patternToRegExp, toleranceFor } from '../../src/check/tolerances.js';
import { main } from '../../src/main.js';
import { tempDir } from '../sweep/fixtures.js';

const dir = tempDir('check');
let out = '';
let err = '';
beforeAll(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});
function llmsim(...args: string[]): Promise<number> {
  out = '';
  err = '';
  return main(['node', 'llmsim', ...args]);
}

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
  beforeAll(() => writeFileSync(summary, `${JSON.stringify(base, null, 2)}\n`));

  it('--update creates the baseline; an identical summary passes with exit 0', async () => {
    expect(await llmsim('check', summary, '--baseline', golden)).toBe(2);
    expect(err).toMatch(/golden\.json: --baseline: expected an existing baseline summary, found no such file/);
    expect(await llmsim('check', summary, '--baseline', golden, '--update')).toBe(0);
    expect(readFileSync(golden, 'utf8')).toBe(readFileSync(summary, 'utf8'));
    expect(await llmsim('check', summary, '--baseline', golden)).toBe(0);
    expect(out).toMatch(/ok: 6 value\(s\) within tolerance/);
  });

  it('a perturbed result fails with exit 1 and a table of what drifted; --update accepts it on purpose', async () => {
    const perturbed = join(dir, 'perturbed.json');
    writeFileSync(perturbed, JSON.stringify({ ...base, latency: { e2eS: { mean: 10, p99: 21 } } }));
    expect(await llmsim('check', perturbed, '--baseline', golden)).toBe(1);
    expect(out).toMatch(/latency\.e2eS\.p99 .*20 .*21 .*\+1 .*\+5%/);
    expect(err).toMatch(/perturbed\.json: 1 of 6 value\(s\) drifted from baseline .*golden\.json/);
    const loose = join(dir, 'loose.yaml');
    writeFileSync(loose, 'metrics:\n  latency.e2eS.p99: { rel: 0.1 }\n');
    expect(await llmsim('check', perturbed, '--baseline', golden, '--tolerances', loose)).toBe(0);
    expect(await llmsim('check', perturbed, '--baseline', golden, '--update')).toBe(0);
    expect(out).toMatch(/updated baseline .* \(1 value\(s\) had drifted\)/);
    expect(await llmsim('check', perturbed, '--baseline', golden)).toBe(0);
  });

  it('bad input is exit 2 with file and line: broken JSON, a bad tolerances file', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "a": 1,\n  "b": [1, 2\n}\n');
    expect(await llmsim('check', broken, '--baseline', golden)).toBe(2);
    expect(err).toMatch(/broken\.json:\d+:\d+: invalid YAML/);
    const tol = join(dir, 'bad-tol.yaml');
    writeFileSync(tol, 'default:\n  rel: -1\n');
    expect(await llmsim('check', summary, '--baseline', golden, '--tolerances', tol)).toBe(2);
    expect(err).toMatch(/bad-tol\.yaml:2:8: default\.rel: expected >= 0, found -1/);
  });
});
