import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/main.js';
import { sweepCharts, sweepTitle } from '../../src/report/charts.js';
import { readPoints, type SweepInput } from '../../src/report/inputs.js';
import { sweepScenario, tempDir } from '../sweep/fixtures.js';

/**
 * What `llmsim report` refuses (exit 2, one line naming file, line, column, expected and found)
 * and how it describes a sweep: its name, its x axis, and a band only where there are seeds.
 */
const dir = tempDir('report-inputs');
let err = '';
let run = ''; // a real run directory: summary.json and requests.csv
beforeAll(async () => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  run = join(dir, 'run');
  expect(await main(['node', 'llmsim', 'run', sweepScenario(dir, '', { count: 20 }), '-o', run, '-q'])).toBe(0);
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});
async function report(input: string): Promise<number> {
  err = '';
  return main(['node', 'llmsim', 'report', input, '-o', join(dir, 'out.html'), '-q']);
}
/** A copy of the run directory with one file replaced. */
function runWith(name: string, file: string, text: (old: string) => string): string {
  const d = join(dir, name);
  cpSync(run, d, { recursive: true });
  writeFileSync(join(d, file), text(readFileSync(join(run, file), 'utf8')));
  return d;
}

describe('report: bad inputs are input errors', () => {
  it('a requests.csv with a header only', async () => {
    const d = runWith('no-requests', 'requests.csv', (t) => t.split('\n')[0]! + '\n');
    expect(await report(d)).toBe(2);
    expect(err).toBe(`llmsim: ${join(d, 'requests.csv')}:2: expected at least one data row after the header, found none\n`);
  });

  it('a requests.csv cell that is not a number', async () => {
    const d = runWith('abc', 'requests.csv', (t) => t.replace(/\n1,[^,]*,/, '\n1,abc,'));
    expect(await report(d)).toBe(2);
    expect(err).toBe(`llmsim: ${join(d, 'requests.csv')}:3: arrival_s: expected a number, found "abc"\n`);
  });

  it('a summary.json that is not a summary', async () => {
    const d = runWith('name3', 'summary.json', () => '{"name": 3}\n');
    expect(await report(d)).toBe(2);
    expect(err).toMatch(/name3\/summary\.json: requests: expected a summary file .*found no "requests"/);
  });

  it('a points.csv with a header only, or a statistic that is not a number', async () => {
    const d = join(dir, 'points');
    mkdirSync(d);
    writeFileSync(join(d, 'points.csv'), 'point,workload.rateScale,runs,latency.e2eS.p99.mean\n');
    expect(await report(join(d, 'points.csv'))).toBe(2);
    expect(err).toBe(`llmsim: ${join(d, 'points.csv')}:2: expected at least one data row after the header, found none\n`);
    writeFileSync(join(d, 'points.csv'), 'point,workload.rateScale,runs,latency.e2eS.p99.mean\n0,1,3,2.5\n1,2,3,n/a\n');
    expect(await report(d)).toBe(2);
    expect(err).toBe(`llmsim: ${join(d, 'points.csv')}:3: latency.e2eS.p99.mean: expected a number, found "n/a"\n`);
  });
});

describe('report: sweeps', () => {
  const sweep = (params: string[], rows: string[][], runs = 3): SweepInput => ({
    label: 's',
    file: 'points.csv',
    params,
    columns: ['point', ...params, 'runs', 'latency.e2eS.p99.mean', 'latency.e2eS.p99.low', 'latency.e2eS.p99.high'],
    rows: rows.map((r, i) => [String(i), ...r, String(runs), '1', runs > 1 ? '0.5' : '', runs > 1 ? '1.5' : '']),
  });

  it('say "vs load" only for a rate or load parameter, else name the parameter on the x axis', () => {
    expect(sweepTitle(sweep(['workload.rateScale', 'policy.params.routing'], [['1', 'a'], ['2', 'a']]))).toBe('Sweep s: latency vs load, energy vs latency');
    const sti = sweep(['cluster.devices[0].targetLatencyS', 'cluster.devices[0].strategy'], [['0.2', 'sti'], ['0.3', 'sti']]);
    expect(sweepTitle(sti)).toBe('Sweep s: latency vs cluster.devices[0].targetLatencyS, energy vs latency');
    expect(sweepCharts(sti, 0)[0]!.title).toBe('s: p99 E2E latency (s) vs cluster.devices[0].targetLatencyS');
  });

  it('draw a confidence band only with two or more seeds per point, and say why not', () => {
    const banded = sweepCharts(sweep(['workload.rateScale'], [['1'], ['2']]), 0)[0]!;
    expect((banded.spec as { layer: { mark: { type: string } }[] }).layer.map((l) => l.mark.type)).toEqual(['area', 'line', 'point']);
    expect(banded.caption).toMatch(/the band is the sweep confidence interval/);
    const single = sweepCharts(sweep(['workload.rateScale'], [['1'], ['2']], 1), 0)[0]!;
    expect((single.spec as { layer: { mark: { type: string } }[] }).layer.map((l) => l.mark.type)).toEqual(['line', 'point']);
    expect(single.caption).toMatch(/^One run \(seed\) per grid point, so no confidence band: sweep with seeds >= 2 for one\. Log scale/);
  });

  it("are labelled with the sweep's name from sweep.json, not the directory", async () => {
    const file = sweepScenario(join(dir), 'sweep:\n  grid:\n    workload.rateScale: [1, 2]\n  seeds: 2', { count: 20, name: 'my-sweep' });
    const o = join(dir, 's1');
    expect(await main(['node', 'llmsim', 'sweep', file, '-o', o, '-q'])).toBe(0);
    expect(readPoints(join(o, 'points.csv')).label).toBe('my-sweep');
  });
});
