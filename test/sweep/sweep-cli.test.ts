import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { repoFile, sweepScenario, tempDir } from './fixtures.js';
import { captureCli } from '../support/cli.js';

/**
 * The sweep's promises, end to end through the CLI: results identical whatever -j, a sweep killed
 * with SIGKILL (and a torn journal line) resumes to the same bytes, and n shards merged equal the
 * unsharded sweep byte for byte.
 */
const dir = tempDir('sweep-cli');
const FILES = ['runs.csv', 'points.csv', 'sweep.json'];
const grid = ['sweep:', '  grid:', '    workload.rateScale: [0.5, 1, 2, 4]', '    policy.params.routing: [round-robin, least-loaded]', '  seeds: 5'].join('\n');
let scenario: string;
let reference: string;
const io = captureCli(dir);
const { llmsim } = io;

beforeAll(async () => {
  scenario = sweepScenario(dir, grid, { count: 2000 });
  reference = join(dir, 'reference');
  expect(await llmsim('sweep', scenario, '-o', reference, '-j', '2', '-q')).toBe(0);
});


const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8');
function expectSameAsReference(d: string): void {
  for (const f of FILES) expect(read(d, f), f).toBe(read(reference, f));
}

describe('llmsim sweep', () => {
  it('writes one row per run and one per grid point', () => {
    expect(read(reference, 'runs.csv').trimEnd().split('\n')).toHaveLength(1 + 4 * 2 * 5);
    expect(read(reference, 'points.csv').trimEnd().split('\n')).toHaveLength(1 + 4 * 2);
    const header = read(reference, 'points.csv').split('\n')[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['point', 'workload.rateScale', 'policy.params.routing', 'runs']);
    expect(header).toContain('latency.e2eS.p99.mean');
    expect(header).toContain('latency.e2eS.p99.low');
  });

  it('gives identical results with -j 1', async () => {
    const d = join(dir, 'j1');
    expect(await llmsim('sweep', scenario, '-o', d, '-j', '1', '-q')).toBe(0);
    expectSameAsReference(d);
  });

  it('resumes after SIGKILL and a torn journal line: only the missing runs, same bytes', async () => {
    const d = join(dir, 'killed');
    const journal = join(d, 'journal.jsonl');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', tsx, repoFile('src/cli.ts'), 'sweep', scenario, '-o', d, '-j', '1', '-q'], { stdio: 'ignore' });
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    const lines = () => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').length - 2 : 0);
    while (lines() < 3 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await exited;
    const before = lines();
    expect(before, 'the child finished before it could be killed').toBeLessThan(40);
    expect(before).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(d, 'runs.csv'))).toBe(false);
    appendFileSync(journal, '{"run":39,"metrics":{"requests.total":20'); // a write cut short

    expect(await llmsim('sweep', scenario, '-o', d, '-j', '2')).toBe(0);
    expect(io.out).toMatch(new RegExp(`ran ${40 - before} in .* ${before} resumed from the journal`));
    expectSameAsReference(d);
    const runs = readFileSync(journal, 'utf8').trimEnd().split('\n').slice(1).map((l) => JSON.parse(l).run as number);
    expect(runs).toHaveLength(40);
    expect(new Set(runs).size).toBe(40);

    // A finished sweep reruns nothing.
    expect(await llmsim('sweep', scenario, '-o', d)).toBe(0);
    expect(io.out).toMatch(/= 40 runs; all 40 already in the journal, nothing to run\n/);
    expect(io.err).toBe(''); // no progress line for nothing to do
  });

  it('n shards merged equal the unsharded sweep byte for byte', async () => {
    const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}`));
    for (const [i, d] of shards.entries()) expect(await llmsim('sweep', scenario, '--shard', `${i}/3`, '-o', d, '-j', '1', '-q')).toBe(0);
    expect(readdirSync(shards[0]!).sort()).toEqual(['journal.jsonl', 'runs.csv', 'sweep.json']);
    expect(read(shards[1]!, 'runs.csv').trimEnd().split('\n')).toHaveLength(1 + 13); // runs 1, 4, ..., 37
    const merged = join(dir, 'merged');
    expect(await llmsim('merge', ...[...shards].reverse(), '-o', merged)).toBe(0);
    expectSameAsReference(merged);
  });

  it('merge refuses a missing shard, a shard twice, and an unfinished shard', async () => {
    const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}`));
    expect(await llmsim('merge', shards[0]!, shards[2]!, '-o', join(dir, 'm1'))).toBe(2);
    expect(io.err).toMatch(/expected all 3 shards, found none for shard\(s\) 1\/3/);
    expect(await llmsim('merge', shards[0]!, shards[1]!, shards[1]!, '-o', join(dir, 'm2'))).toBe(2);
    expect(io.err).toMatch(/found shard 1\/3 again/);
    const partial = join(dir, 'partial');
    const lines = read(shards[2]!, 'journal.jsonl').split('\n');
    expect(await llmsim('sweep', scenario, '--shard', '2/3', '-o', partial, '-q')).toBe(0);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(partial, 'journal.jsonl'), `${lines.slice(0, 5).join('\n')}\n`);
    expect(await llmsim('merge', shards[0]!, shards[1]!, partial, '-o', join(dir, 'm3'))).toBe(2);
    expect(io.err).toMatch(/expected 13 finished runs in shard 2\/3, found 4: rerun that shard/);
  });

  it('bad flags and a scenario without a sweep block are input errors (exit 2)', async () => {
    expect(await llmsim('sweep', scenario, '--shard', '3/3')).toBe(2);
    expect(io.err).toMatch(/--shard: expected i\/n with 0 <= i < n/);
    expect(await llmsim('sweep', scenario, '-j', '0')).toBe(2);
    expect(io.err).toMatch(/--jobs/);
    const plain = sweepScenario(join(dir, 'reference'), '');
    expect(await llmsim('sweep', plain)).toBe(2);
    expect(io.err).toMatch(/expected a sweep: block/);
  });
});
