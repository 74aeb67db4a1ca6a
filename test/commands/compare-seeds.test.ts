import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seedFree, SEEDED_POLICIES } from '../../src/compare/seed-free.js';
import { policyVariants } from '../../src/compare/variants.js';
import { loadScenario } from '../../src/scenario/load.js';
import { repoFile, sweepScenario, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';

const dir = tempDir('compare-seeds');
const io = captureCli(dir);
const { llmsim } = io;

/** A trace replay (the shipped Azure excerpt, first 40 requests) on 2 slots replicas. */
function traceScenario(extra: string[] = [], name = 'tracey'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'seed: 3',
      'workload:',
      `  trace: { path: ${repoFile('test/reliability/traces/head-azure-llm-2023-conv.csv')} }`,
      '  limit: 40',
      ...extra,
      'cluster:',
      '  devices:',
      '    - { name: a100, kind: slots, replicas: 2, slots: 2, profile: ' + repoFile('profiles/wilkins/llama-2-7b-a100.yaml') + ' }',
      'policy: { name: fifo }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('compare: one seed for deterministic trace replays', () => {
  it('knows what draws random numbers: synthetic workloads, derived uncertainty, device noise, the random policy', () => {
    const trace = loadScenario(traceScenario()).scenario;
    const fifo = [{ label: 'fifo', name: 'fifo', params: {} }];
    expect(seedFree(trace, fifo)).toBe(true);
    expect(seedFree(trace, [...fifo, { label: 'random', name: 'random', params: {} }])).toBe(false);
    expect(seedFree(loadScenario(traceScenario(['  uncertainty: { rho: 0.5 }'], 'u')).scenario, fifo)).toBe(false);
    expect(seedFree(loadScenario(sweepScenario(dir, '')).scenario, fifo)).toBe(false); // synthetic
    const noisy = { ...trace, cluster: { devices: trace.cluster.devices.map((d) => ({ ...d, noise: true })) } };
    expect(seedFree(noisy as typeof trace, fifo)).toBe(false);
  });

  it('no policy but those listed draws from the seed (reads every policy source, so the list cannot fall behind)', () => {
    const policyDir = repoFile('src/policies');
    const seeded = readdirSync(policyDir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /createStream\(|env\.seed/.test(readFileSync(join(policyDir, f), 'utf8')))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(seeded).toEqual(SEEDED_POLICIES.map((p) => p));
  });

  it('runs each policy once on a trace replay whatever --seeds says, and says why; results equal a --seeds 1 run', async () => {
    const file = traceScenario();
    const five = join(dir, 'five');
    expect(await llmsim('compare', file, '--policies', 'fifo,fifo:routing=least-loaded', '--seeds', '5', '-j', '1', '-o', five)).toBe(0);
    expect(io.out).toMatch(/^tracey: 2 policies x 1 seeds \(3\.\.3\)/);
    expect(io.out).toMatch(/note: ran one seed: the workload is a trace replay/);
    expect(readFileSync(join(five, 'compare.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1 + 2);
    // Progress on stderr (plain lines off a terminal), ending at every run done.
    expect(io.err).toMatch(/^compare tracey: 0\/2 runs \(0%\)/);
    expect(io.err).toMatch(/compare tracey: 2\/2 runs \(100%\)/);
    const one = join(dir, 'one');
    expect(await llmsim('compare', file, '--policies', 'fifo,fifo:routing=least-loaded', '--seeds', '1', '-j', '1', '-o', one, '-q')).toBe(0);
    expect(readFileSync(join(five, 'comparison.csv'), 'utf8')).toBe(readFileSync(join(one, 'comparison.csv'), 'utf8'));
    // With the random policy in the set, every seed runs.
    expect(await llmsim('compare', file, '--policies', 'fifo,random', '--seeds', '3', '-j', '1', '-o', join(dir, 'rnd'), '-q')).toBe(0);
    expect(readFileSync(join(dir, 'rnd', 'compare.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1 + 6);
  });

  it('drops default baselines that route and order exactly as one already listed, with a note; they do give identical results', async () => {
    const file = traceScenario();
    const dropped: { label: string; sameAs: string }[] = [];
    expect(policyVariants(undefined, loadScenario(file).scenario, dropped).map((v) => v.label)).toEqual(['fifo', 'fifo:routing=least-loaded', 'random']);
    expect(dropped).toEqual([
      { label: 'round-robin', sameAs: 'fifo' },
      { label: 'least-loaded', sameAs: 'fifo:routing=least-loaded' },
    ]);
    // The equivalence is behaviour, not a name: run both pairs and compare every metric.
    const o = join(dir, 'pairs');
    expect(await llmsim('compare', file, '--policies', 'fifo,round-robin,fifo:routing=least-loaded,least-loaded', '--seeds', '1', '-j', '1', '-o', o, '-q')).toBe(0);
    const rows = readFileSync(join(o, 'compare.csv'), 'utf8').trimEnd().split('\n').slice(1).map((r) => r.slice(r.indexOf(',')));
    expect(rows[1]).toBe(rows[0]);
    expect(rows[3]).toBe(rows[2]);
    expect(rows[2]).not.toBe(rows[0]);
    expect(await llmsim('compare', file, '--seeds', '1', '-j', '1', '-o', join(dir, 'defaults'))).toBe(0);
    expect(io.out).toMatch(/note: baseline round-robin left out: it routes and orders exactly as fifo\n/);
  });
});

describe('compare --format', () => {
  it('json, csv and markdown print the comparison as data (notes to stderr); csv is comparison.csv', async () => {
    const file = traceScenario([], 'fmt');
    const o = join(dir, 'fmt');
    const args = ['compare', file, '--policies', 'fifo,fifo:routing=least-loaded', '-j', '1', '-o', o, '--format'];
    expect(await llmsim(...args, 'json')).toBe(0);
    const j = JSON.parse(io.out);
    expect(j).toMatchObject({ baseline: 'fifo', policies: ['fifo', 'fifo:routing=least-loaded'], level: 0.95 });
    expect(j.cells[0]).toMatchObject({ metric: 'latency.e2eS.mean', policy: 'fifo', diff: null });
    expect(io.err).toMatch(/^fmt: 2 policies x 1 seeds/m);
    expect(await llmsim(...args, 'csv')).toBe(0);
    expect(io.out).toBe(readFileSync(join(o, 'comparison.csv'), 'utf8'));
    expect(await llmsim(...args, 'markdown')).toBe(0);
    expect(io.out).toMatch(/^\| metric \| policy \| mean ± hw \| diff to fifo \|\n\| --- \| --- \| ---: \| ---: \|\n\| latency\.e2eS\.mean \| fifo \| [\d.]+ \| \(baseline\) \|\n/);
    expect(await llmsim(...args, 'html')).toBe(2);
  });
});

describe('Ctrl-C says how to resume', () => {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  /** Starts the CLI in a child, sends SIGINT once its first progress line is out, resolves to its exit code and stderr. */
  function interrupt(args: string[]): Promise<{ code: number | null; err: string }> {
    return new Promise((done) => {
      const child = spawn(process.execPath, ['--import', tsx, repoFile('src/cli.ts'), ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } });
      let err = '';
      let sent = false;
      child.stderr.on('data', (b: Buffer) => {
        err += String(b);
        if (!sent && / runs \(/.test(err)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (code) => done({ code, err }));
    });
  }

  it('sweep: exit 130, the count kept in the journal and the command to rerun; the rerun resumes', async () => {
    const grid = ['sweep:', '  grid:', '    workload.rateScale: [0.5, 1, 2, 4, 8]', '  seeds: 40'].join('\n');
    const scenario = sweepScenario(dir, grid, { count: 3000, name: 'ctrlc' });
    const out = join(dir, 'ctrlc');
    const { code, err } = await interrupt(['sweep', scenario, '-o', out, '-j', '1']);
    expect(code).toBe(130);
    expect(err).toMatch(new RegExp(`llmsim: interrupted \\(SIGINT\\): \\d+ of 200 run\\(s\\) finished and kept in ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/journal\\.jsonl; rerun the same command to resume: llmsim sweep \\S+ -o \\S+ -j 1\\n$`));
    expect(err, 'the child finished before it was interrupted').not.toMatch(/200\/200/);
    expect(existsSync(join(out, 'runs.csv'))).toBe(false);
    // No lock left behind: the rerun starts at once and completes.
    expect(await llmsim('sweep', scenario, '-o', out, '-j', '2', '-q')).toBe(0);
    expect(readFileSync(join(out, 'runs.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1 + 200);
  });

  it('compare: exit 130 and says nothing was written and to rerun', async () => {
    const scenario = sweepScenario(dir, '', { count: 3000, name: 'ctrlc-compare' });
    const out = join(dir, 'ctrlc-compare');
    const { code, err } = await interrupt(['compare', scenario, '--policies', 'fifo,fifo:routing=least-loaded', '--seeds', '200', '-j', '1', '-o', out]);
    expect(code).toBe(130);
    expect(err).toMatch(/llmsim: interrupted \(SIGINT\): \d+ of 400 run\(s\) had finished; compare keeps nothing until every run is done and .* is unchanged: rerun the same command to start again: llmsim compare /);
    expect(existsSync(out)).toBe(false);
  });
});
