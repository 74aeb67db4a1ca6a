import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlatMetrics } from '../../src/sweep/metrics.js';
import { writeSweepCsvs, type SweepManifest } from '../../src/sweep/outputs.js';
import { tempDir } from './fixtures.js';

const dir = tempDir('outputs');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest: SweepManifest = {
  name: 't',
  fingerprint: 'f',
  runs: 6,
  params: ['workload.rateScale', 'policy.params.routing'],
  pointValues: [[1, 'round-robin'], [2, 'a,b']],
  seeds: [5, 6, 7],
  level: 0.95,
  shard: { index: 0, count: 1 },
};

// Point 0: x = 1, 2, 3 (mean 2, s = 1); point 1: x = 10, 10, 13 (mean 11, s = sqrt(3)).
// t(0.975, 2) = 4.302652730 (tables), so the half-widths are 4.30265/sqrt(3) = 2.48414 and
// 4.30265 * sqrt(3)/sqrt(3) = 4.30265.
const rows: [number, FlatMetrics][] = [
  [0, { x: 1, y: null }], [1, { x: 2, y: null }], [2, { x: 3, y: 4 }],
  [3, { x: 10, y: null }], [4, { x: 10, y: null }], [5, { x: 13, y: null }],
];

describe('sweep CSVs', () => {
  it('writes runs.csv sorted by run and points.csv with the mean and t interval per point', () => {
    const out = join(dir, 'a');
    writeSweepCsvs(out, manifest, new Map(rows));
    expect(readFileSync(join(out, 'runs.csv'), 'utf8')).toBe(
      [
        'run,point,replicate,seed,workload.rateScale,policy.params.routing,x,y',
        '0,0,0,5,1,round-robin,1,', '1,0,1,6,1,round-robin,2,', '2,0,2,7,1,round-robin,3,4',
        '3,1,0,5,2,"a,b",10,', '4,1,1,6,2,"a,b",10,', '5,1,2,7,2,"a,b",13,', '',
      ].join('\n'),
    );
    expect(readFileSync(join(out, 'points.csv'), 'utf8')).toBe(
      [
        'point,workload.rateScale,policy.params.routing,runs,x.mean,x.low,x.high,y.mean,y.low,y.high',
        // y has a single value at point 0 (no interval) and none at point 1.
        '0,1,round-robin,3,2,-0.484138,4.48414,4,,',
        '1,2,"a,b",3,11,6.69735,15.3027,,,',
        '',
      ].join('\n'),
    );
  });

  it('gives the same bytes whatever order the runs finished in', () => {
    const a = join(dir, 'b1');
    const b = join(dir, 'b2');
    writeSweepCsvs(a, manifest, new Map(rows));
    writeSweepCsvs(b, manifest, new Map([...rows].reverse()));
    for (const f of ['runs.csv', 'points.csv']) expect(readFileSync(join(b, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
  });

  it('writes no points.csv for a shard (its points are incomplete)', () => {
    const out = join(dir, 'c');
    expect(writeSweepCsvs(out, { ...manifest, shard: { index: 1, count: 2 } }, new Map(rows.filter(([r]) => r % 2 === 1))).map((f) => f.slice(out.length + 1))).toEqual(['runs.csv']);
  });
});
