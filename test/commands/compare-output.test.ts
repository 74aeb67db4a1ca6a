import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLICIES_TEXT } from '../../src/compare/variants.js';
import { repoFile, sweepScenario, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';

/**
 * What `llmsim compare` leaves on disk: the default policy set runs on any cluster; nothing is
 * written unless every run succeeded; a rerun replaces its own per-policy directories and
 * nothing else; scenario problems read as `llmsim run` reports them.
 */
const dir = tempDir('compare-output');
const io = captureCli(dir);
const { llmsim } = io;
const listing = (d: string) => readdirSync(d).sort();

/** Continuous batching with a Splitwise profile: no leaderboard accuracy, so the Wilkins policies cannot run on it. */
function cbScenario(name: string, profile = repoFile('profiles/splitwise/llama2-70b-h100-tp4.yaml')): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'seed: 3',
      'workload:',
      '  synthetic:',
      '    count: 80',
      '    arrival: { process: poisson, rateRps: 4 }',
      '    prompt: { dist: uniform, min: 100, max: 900 }',
      '    output: { dist: uniform, min: 20, max: 300 }',
      'cluster:',
      '  devices:',
      '    - name: h100',
      '      kind: continuous-batching',
      `      profile: ${profile}`,
      '      replicas: 2',
      '      maxBatchSize: 16',
      'policy:',
      '  name: fifo',
      '  params: { routing: least-loaded }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('compare: the default policies', () => {
  it('are the scenario policy and the routing baselines, which run on any cluster', async () => {
    const o = join(dir, 'default');
    expect(await llmsim('compare', cbScenario('cb'), '--seeds', '2', '-j', '2', '-o', o)).toBe(0);
    expect(io.out).toMatch(/3 policies x 2 seeds/);
    // fifo:routing=least-loaded is the scenario's own policy: not run twice; least-loaded routes
    // as it does and round-robin as fifo: left out, with a note.
    expect(io.out).toMatch(/note: baseline round-robin left out: it routes and orders exactly as fifo\n/);
    expect(io.out).toMatch(/note: baseline least-loaded left out: it routes and orders exactly as fifo:routing=least-loaded\n/);
    expect(listing(o)).toEqual(['compare.csv', 'comparison.csv', 'fifo', 'fifo_routing_least-loaded', 'random']);
  });

  it('are described identically in --help and docs/workflow.md', async () => {
    expect(await llmsim('compare', '--help')).toBe(0);
    expect(io.out.replace(/\s+/g, ' ')).toContain(DEFAULT_POLICIES_TEXT);
    expect(readFileSync(repoFile('docs/workflow.md'), 'utf8').replace(/\s+/g, ' ')).toContain(DEFAULT_POLICIES_TEXT);
  });
});

describe('compare: nothing written on failure', () => {
  it('a policy failing at run time leaves no directory, and an earlier comparison as it was', async () => {
    const file = cbScenario('cb-fail');
    const fresh = join(dir, 'fail', 'fresh');
    expect(await llmsim('compare', file, '--policies', 'fifo,wilkins-offline', '--seeds', '2', '-o', fresh)).toBe(2);
    expect(io.err).toMatch(/in policy wilkins-offline, seed [34]: expected a leaderboard accuracy in the profile of h100\/0/);
    expect(existsSync(join(dir, 'fail'))).toBe(false);
    const kept = join(dir, 'kept');
    expect(await llmsim('compare', file, '--policies', 'fifo,random', '--seeds', '2', '-o', kept, '-q')).toBe(0);
    const before = [listing(kept), readFileSync(join(kept, 'comparison.csv'), 'utf8')];
    expect(await llmsim('compare', file, '--policies', 'fifo,wilkins-offline', '--seeds', '2', '-o', kept)).toBe(2);
    expect(await llmsim('compare', file, '--policies', 'fifo', '--metrics', 'latency.e2eS.p999', '--seeds', '2', '-o', kept)).toBe(2);
    expect(io.err).toMatch(/--metrics: .*unknown "latency\.e2eS\.p999"/);
    expect([listing(kept), readFileSync(join(kept, 'comparison.csv'), 'utf8')]).toEqual(before);
  });

  it('reports a scenario problem exactly as llmsim run does, before any run', async () => {
    const file = cbScenario('cb-missing', 'no-such-profile.yaml');
    expect(await llmsim('run', file, '-o', join(dir, 'missing-run'))).toBe(2);
    const runError = io.err;
    expect(runError).toMatch(/cb-missing\.yaml:13:\d+: cluster\.devices\[0\]\.profile: expected an existing file/);
    expect(await llmsim('compare', file, '--seeds', '3', '-o', join(dir, 'missing'))).toBe(2);
    expect(io.err).toBe(runError);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

describe('compare: rerunning into a directory', () => {
  it("replaces its own per-policy directories (also those of older compares) and keeps the user's files", async () => {
    const file = cbScenario('cb-rerun');
    const o = join(dir, 'rerun');
    expect(await llmsim('compare', file, '--policies', 'fifo,random,least-loaded', '--seeds', '2', '-o', o, '-q')).toBe(0);
    mkdirSync(join(o, 'my-notes'));
    writeFileSync(join(o, 'README.txt'), 'mine');
    // A per-policy directory from before the marker file: named in comparison.csv, no marker.
    rmSync(join(o, 'least-loaded', '.llmsim-compare'));
    expect(await llmsim('compare', file, '--policies', 'fifo,round-robin', '--seeds', '2', '-o', o, '-q')).toBe(0);
    expect(listing(o)).toEqual(['README.txt', 'compare.csv', 'comparison.csv', 'fifo', 'my-notes', 'round-robin']);
    // A directory of the user's where a policy's results would go is refused, and nothing changes.
    mkdirSync(join(o, 'random'));
    writeFileSync(join(o, 'random', 'data.txt'), 'mine');
    expect(await llmsim('compare', file, '--policies', 'fifo,random', '--seeds', '2', '-o', o)).toBe(2);
    expect(io.err).toMatch(/rerun\/random: expected no file or directory there but llmsim compare results/);
    expect(listing(o)).toEqual(['README.txt', 'compare.csv', 'comparison.csv', 'fifo', 'my-notes', 'random', 'round-robin']);
    expect(listing(join(o, 'random'))).toEqual(['data.txt']);
  });
});

describe('compare: a workload that does not depend on the seed', () => {
  it('runs one seed, says so in one note line and shows no intervals or significance stars', async () => {
    const d = join(dir, 'replay');
    mkdirSync(d);
    const rows = Array.from({ length: 40 }, (_, i) => `${(i * 0.7).toFixed(1)},${100 + ((i * 37) % 300)},${20 + ((i * 53) % 150)}`);
    writeFileSync(join(d, 'trace.csv'), `arrival_s,prompt_tokens,output_tokens\n${rows.join('\n')}\n`);
    const file = sweepScenario(d, '');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/workload:\n(  .*\n)+/, 'workload:\n  trace: { path: trace.csv }\n'));
    expect(await llmsim('compare', file, '--policies', 'fifo,least-loaded', '--seeds', '3', '-o', join(d, 'out'))).toBe(0);
    expect(io.out).toMatch(/: 2 policies x 1 seeds/);
    const notes = io.out.split('\n').filter((l) => /^(warning|note):/.test(l));
    expect(notes).toEqual([expect.stringMatching(/^note: ran one seed: the workload is a trace replay and nothing .* draws random numbers/)]);
    const table = io.out.slice(io.out.indexOf('┌'), io.out.lastIndexOf('┘') + 1);
    expect(table).toMatch(/diff [-+][\d.]+/); // the policies do differ...
    expect(table).not.toMatch(/±|\*/); // ...but there is no spread over seeds to test that against
  });
});
