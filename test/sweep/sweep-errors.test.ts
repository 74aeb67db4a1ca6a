import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { planSweep } from '../../src/sweep/expand.js';
import { preflightPoints } from '../../src/sweep/preflight.js';
import { repoFile, sweepScenario, tempDir } from './fixtures.js';
import { captureCli } from '../support/cli.js';

/**
 * Bad input found by a sweep: reported before the output directory is touched, as `llmsim run`
 * reports it, in one line; a sweep that fails before finishing a run leaves nothing behind, so
 * the same command works once the input is fixed.
 */
const dir = tempDir('sweep-errors');
const PROFILE = repoFile('profiles/wilkins/llama-2-7b-a100.yaml');
const io = captureCli(dir);
const { llmsim } = io;

/** The fixture scenario with its text edited, in its own directory. */
function scenarioWith(name: string, sweep: string, edit: (text: string) => string = (t) => t): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const file = sweepScenario(d, sweep, { count: 30 });
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return file;
}
const SEEDS = 'sweep:\n  seeds: 2';

describe('sweep pre-flight', () => {
  it('reports a missing profile exactly as llmsim run does, in one line, and writes nothing', async () => {
    const file = scenarioWith('missing', SEEDS, (t) => t.replace(PROFILE, 'nope.yaml'));
    expect(await llmsim('run', file, '-o', join(dir, 'missing', 'run'))).toBe(2);
    const runError = io.err;
    expect(runError).toMatch(/s\.yaml:13:\d+: cluster\.devices\[0\]\.profile: expected an existing file/);
    const o = join(dir, 'missing', 'out', 'sweep');
    expect(await llmsim('sweep', file, '-o', o)).toBe(2);
    expect(io.err).toBe(runError);
    expect(existsSync(join(dir, 'missing', 'out'))).toBe(false);
    // Fixed, the same command runs: nothing was left to trip over.
    writeFileSync(file, readFileSync(file, 'utf8').replace('nope.yaml', PROFILE));
    expect(await llmsim('sweep', file, '-o', o, '-q')).toBe(0);
    expect(readdirSync(o).sort()).toEqual(['journal.jsonl', 'points.csv', 'runs.csv', 'sweep.json']);
  });

  it('reports a bad trace cell as llmsim run does, not as a fingerprint mismatch with an older sweep there', async () => {
    const d = join(dir, 'trace');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 't.csv'), 'arrival_s,prompt_tokens,output_tokens\n0,10,10\n1,abc,10\n');
    const file = scenarioWith('trace', SEEDS, (t) => t.replace(/workload:\n(  .*\n)+/, 'workload:\n  trace: { path: t.csv }\n'));
    const o = join(d, 'sweep');
    // An older, finished sweep of another scenario in the directory.
    const other = scenarioWith('trace-other', SEEDS);
    expect(await llmsim('sweep', other, '-o', o, '-q')).toBe(0);
    const before = readFileSync(join(o, 'journal.jsonl'), 'utf8');
    expect(await llmsim('sweep', file, '-o', o)).toBe(2);
    expect(io.err).toBe(`llmsim: ${join(d, 't.csv')}:3: prompt_tokens: expected a finite number, found "abc"\n`);
    expect(readFileSync(join(o, 'journal.jsonl'), 'utf8')).toBe(before);
  });

  it('loads every swept file set: a missing profile at point 1 names the point and its grid line', async () => {
    const grid = ['sweep:', '  grid:', '    cluster.devices[0].slots: [1, 2]', `    cluster.devices[0].profile: [${PROFILE}, other.yaml]`].join('\n');
    const file = scenarioWith('swept', grid);
    expect(await llmsim('sweep', file, '-o', join(dir, 'swept', 'out'))).toBe(2);
    expect(io.err).toMatch(/^llmsim: .*s\.yaml:21:\d+: cluster\.devices\[0\]\.profile: in sweep point 1 \(cluster\.devices\[0\]\.slots=1, cluster\.devices\[0\]\.profile="other\.yaml"\): expected an existing file, found none at .*other\.yaml\n$/);
    expect(existsSync(join(dir, 'swept', 'out'))).toBe(false);
  });

  it('prepares one point per distinct set of swept file values, not every point', () => {
    const grid = ['sweep:', '  grid:', '    cluster.devices[0].slots: [1, 2, 3]', `    cluster.devices[0].profile: [${PROFILE}, ${PROFILE.replace('7b', '13b')}]`].join('\n');
    // Points: slots-major, profile fastest: 0 (1, 7b), 1 (1, 13b), 2 (2, 7b), ...
    expect(preflightPoints(planSweep(loadScenario(scenarioWith('points', grid))))).toEqual([0, 1]);
    const noFiles = ['sweep:', '  grid:', '    cluster.devices[0].slots: [1, 2, 3]', '    workload.rateScale: [1, 2]'].join('\n');
    expect(preflightPoints(planSweep(loadScenario(scenarioWith('points', noFiles))))).toEqual([0]);
    const mapping = ['sweep:', '  grid:', '    workload.rateScale: [1, 2]', '    workload.synthetic.prompt: [{ dist: fixed, tokens: 10 }, { dist: fixed, tokens: 20 }]'].join('\n');
    expect(preflightPoints(planSweep(loadScenario(scenarioWith('points', mapping))))).toEqual([0, 1]);
  });
});

describe('sweep failures and edge cases', () => {
  it('a run that fails leaves neither the directories it created nor its files in an existing one', async () => {
    const file = scenarioWith('runtime', SEEDS, (t) => t.replace('  name: fifo', '  name: fifo\n  params: { groups: [nope] }'));
    expect(await llmsim('sweep', file, '-o', join(dir, 'runtime', 'new', 'sweep'))).toBe(2);
    expect(io.err).toMatch(/llmsim: \S*s\.yaml: policy\.params\.groups\[0\]: in run \d \(point 0: no grid; seed \d\): expected a device group of the cluster \(a100\), found "nope"\n$/);
    expect(existsSync(join(dir, 'runtime', 'new'))).toBe(false);
    const mine = join(dir, 'runtime', 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    expect(await llmsim('sweep', file, '-o', mine)).toBe(2);
    expect(readdirSync(mine)).toEqual(['notes.txt']);
  });

  it('refuses a seed listed twice, naming the entry', async () => {
    const file = scenarioWith('dup', 'sweep:\n  seeds: [1, 2, 1]');
    expect(await llmsim('sweep', file, '-o', join(dir, 'dup', 'out'))).toBe(2);
    expect(io.err).toMatch(/s\.yaml:19:\d+: sweep\.seeds\[2\]: expected each seed once \(1 is also sweep\.seeds\[0\]\), found 1\n$/);
  });

  it('says so when a shard holds no runs', async () => {
    const file = scenarioWith('shard', SEEDS);
    expect(await llmsim('sweep', file, '--shard', '5/10', '-o', join(dir, 'shard', 'out'))).toBe(0);
    expect(io.out).toMatch(/^warning: shard 5\/10 holds no runs \(runs r with r mod 10 = 5; the sweep has 2\)/);
    expect(readFileSync(join(dir, 'shard', 'out', 'runs.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1);
  });

  it('leaves configuration echoes (the SLO targets) out of the metric columns', async () => {
    const file = scenarioWith('echo', SEEDS, (t) => `${t}slo: { ttftS: 2 }\n`);
    const o = join(dir, 'echo', 'out');
    expect(await llmsim('sweep', file, '-o', o, '-q')).toBe(0);
    const header = readFileSync(join(o, 'runs.csv'), 'utf8').split('\n')[0]!.split(',');
    expect(header).toContain('goodput.fraction');
    expect(header.filter((h) => h.startsWith('goodput.slo'))).toEqual([]);
  });
});
