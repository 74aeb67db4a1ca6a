import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { InputError } from '../../src/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { planSweep, runData, runOf } from '../../src/sweep/expand.js';
import { sweepScenario, tempDir } from './fixtures.js';

const dir = tempDir('expand');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = (sweep: string) => planSweep(loadScenario(sweepScenario(dir, sweep)));
const error = (sweep: string): InputError => {
  try {
    plan(sweep);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
};

describe('sweep expansion', () => {
  it('is the cartesian product in grid order, last path fastest, times the seeds', () => {
    const p = plan(['sweep:', '  grid:', '    workload.rateScale: [1, 2, 4]', '    policy.params.routing: [round-robin, least-loaded]', '  seeds: 3'].join('\n'));
    expect(p.params).toEqual(['workload.rateScale', 'policy.params.routing']);
    expect(p.points.map((x) => x.values)).toEqual([
      [1, 'round-robin'], [1, 'least-loaded'], [2, 'round-robin'], [2, 'least-loaded'], [4, 'round-robin'], [4, 'least-loaded'],
    ]);
    expect(p.seeds).toEqual([5, 6, 7]); // scenario seed 5, then 6 and 7
    expect(p.runs).toBe(18);
    expect(runOf(p, 0)).toEqual({ run: 0, point: 0, replicate: 0, seed: 5 });
    expect(runOf(p, 17)).toEqual({ run: 17, point: 5, replicate: 2, seed: 7 });
    expect(runOf(p, 7)).toEqual({ run: 7, point: 2, replicate: 1, seed: 6 });
    const d = runData(p, 7) as { seed: number; workload: { rateScale: number }; policy: { params: { routing: string } }; sweep?: unknown };
    expect([d.seed, d.workload.rateScale, d.policy.params.routing, d.sweep]).toEqual([6, 2, 'round-robin', undefined]);
  });

  it('takes an explicit seed list, list indexes and no grid at all', () => {
    const p = plan(['sweep:', '  grid:', '    cluster.devices[0].replicas: [1, 3]', '  seeds: [9, 4]'].join('\n'));
    expect(p.seeds).toEqual([9, 4]);
    expect((runData(p, 3) as { cluster: { devices: { replicas: number }[] } }).cluster.devices[0]!.replicas).toBe(3);
    const q = plan(['sweep:', '  seeds: 4'].join('\n'));
    expect([q.points.length, q.runs]).toEqual([1, 4]);
  });

  it('has a fingerprint that changes with the grid and not with the file location', () => {
    const a = plan(['sweep:', '  grid: { workload.rateScale: [1, 2] }'].join('\n')).fingerprint;
    expect(plan(['sweep:', '  grid: { workload.rateScale: [1, 2] }'].join('\n')).fingerprint).toBe(a);
    expect(plan(['sweep:', '  grid: { workload.rateScale: [1, 3] }'].join('\n')).fingerprint).not.toBe(a);
  });

  it('validates every point first; an error names the grid line, the point and the field', () => {
    const e = error(['sweep:', '  grid:', '    workload.rateScale: [1, 2]', '    policy.params.routing: [round-robin, sideways]'].join('\n'));
    expect(e.message).toMatch(/^.*s\.yaml:21:\d+: policy\.params\.routing: in sweep point 1 \(workload\.rateScale=1, policy\.params\.routing="sideways"\): expected one of "round-robin", "least-loaded", found "sideways"$/);
    const neg = error(['sweep:', '  grid:', '    cluster.devices[0].slots: [2, 0]'].join('\n'));
    expect(neg.message).toMatch(/s\.yaml:20:\d+: cluster\.devices\[0\]\.slots: in sweep point 1 \(cluster\.devices\[0\]\.slots=0\): expected > 0, found 0/);
  });

  it('rejects unknown fields, bad paths, seed as a grid field, and a missing sweep block', () => {
    expect(error(['sweep:', '  grid:', '    workload.rateScal: [1]'].join('\n')).message).toMatch(/s\.yaml:20:\d+: workload\.rateScal: in sweep point 0 \(workload\.rateScal=1\): unknown key \(did you mean "rateScale"\?\)/);
    expect(error(['sweep:', '  grid:', '    cluster.devices[3].slots: [1]'].join('\n')).message).toMatch(/s\.yaml:20:\d+: sweep\.grid\.cluster\.devices\[3\]\.slots: cannot set cluster\.devices: expected an index below 1/);
    expect(error(['sweep:', '  grid:', '    seed: [1, 2]'].join('\n')).message).toMatch(/sweep\.grid\.seed: .*use sweep\.seeds/);
    expect(error(['sweep:', '  grid:', '    "workload..x": [1]'].join('\n')).message).toMatch(/sweep\.grid.*a field path/);
    expect(error('').message).toMatch(/sweep: expected a sweep: block/);
  });
});
