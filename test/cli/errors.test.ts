import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/main.js';
import { tempDir } from '../support/tmp.js';

const root = resolve(__dirname, '../..');
const profile70b = join(root, 'profiles/splitwise/llama2-70b-h100-tp4.yaml');

// One directory per test, all under one per file that is removed after the file's tests.
const scratch = tempDir('cli');
let dir: string;
let stdout: string;
let stderr: string;

beforeEach(() => {
  dir = mkdtempSync(join(scratch, 'test-'));
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

/** A valid scenario whose trace is `trace.csv` in the temp dir; `patch` edits its text. */
function scenario(patch: (text: string) => string = (t) => t, traceText = 'arrival_s,prompt_tokens,output_tokens\n0,10,5\n0.5,20,3\n'): string {
  writeFileSync(join(dir, 'trace.csv'), traceText);
  const text = [
    'name: t',
    'seed: 3',
    'workload:',
    '  trace:',
    '    path: trace.csv',
    'cluster:',
    '  devices:',
    '    - name: gpu',
    '      kind: continuous-batching',
    `      profile: ${profile70b}`,
    '      replicas: 1',
    'policy:',
    '  name: fifo',
    '  params: { routing: round-robin }',
    `output: { dir: ${join(dir, 'out')} }`,
    '',
  ].join('\n');
  const file = join(dir, 's.yaml');
  writeFileSync(file, patch(text));
  return file;
}

function run(...args: string[]): Promise<number> {
  return main(['node', 'llmsim', ...args]);
}

/** The CLI's contract for bad input: exit 2, one line on stderr, no stack trace, no results. */
function expectInputError(code: number, pattern: RegExp): void {
  expect(code).toBe(2);
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(join(dir, 'out'))).toBe(false);
}

describe('llmsim run: bad input gives one clear line and exit code 2', () => {
  it('runs the valid scenario (control case)', async () => {
    expect(await run('run', scenario())).toBe(0);
    expect(stderr).toBe('');
    expect(existsSync(join(dir, 'out', 'summary.json'))).toBe(true);
  });

  it('YAML syntax error: file:line:col', async () => {
    expectInputError(await run('run', scenario((t) => t.replace('seed: 3', 'seed: [3'))), /s\.yaml:\d+:\d+: expected valid YAML, found invalid YAML/);
  });

  it('unknown key: names it and suggests the closest', async () => {
    expectInputError(await run('run', scenario((t) => t.replace('replicas: 1', 'replica: 1'))), /s\.yaml:11:7: cluster\.devices\[0\]\.replica: unknown key \(did you mean "replicas"\?\)/);
  });

  it('wrong type: expected vs found', async () => {
    expectInputError(await run('run', scenario((t) => t.replace('replicas: 1', 'replicas: two'))), /s\.yaml:11:17: cluster\.devices\[0\]\.replicas: expected number, found "two"/);
  });

  it('NaN and infinite numbers', async () => {
    expectInputError(await run('run', scenario((t) => t.replace('seed: 3', 'seed: .nan'))), /s\.yaml:2:7: seed: expected a finite number, found NaN/);
    stderr = '';
    expectInputError(await run('run', scenario((t) => t.replace('replicas: 1', 'replicas: .inf'))), /replicas: expected a finite number, found Infinity/);
  });

  it('zero devices', async () => {
    expectInputError(
      await run('run', scenario((t) => t.replace(/cluster:[\s\S]*?policy:/, 'cluster:\n  devices: []\npolicy:'))),
      /s\.yaml:7:12: cluster\.devices: expected at least 1 item\(s\), found 0/,
    );
  });

  it('missing scenario file', async () => {
    expectInputError(await run('run', join(dir, 'nope.yaml')), /nope\.yaml: expected a readable scenario file, found no such file/);
  });

  it('missing trace file', async () => {
    expectInputError(await run('run', scenario((t) => t.replace('path: trace.csv', 'path: gone.csv'))), /s\.yaml:5:11: workload\.trace\.path: expected an existing file, found none at .*gone\.csv$/);
  });

  it('missing profile file', async () => {
    expectInputError(await run('run', scenario((t) => t.replace(profile70b, 'nowhere.yaml'))), /s\.yaml:10:16: cluster\.devices\[0\]\.profile: expected an existing file, found none at .*nowhere\.yaml$/);
  });

  it('empty scenario file', async () => {
    expectInputError(await run('run', scenario(() => '')), /s\.yaml: expected a scenario \(a YAML mapping with name, workload, cluster, \.\.\.\), found an empty file/);
  });

  it('a workload error without a line gets the scenario line of its field', async () => {
    expectInputError(
      await run('run', scenario((t) => t.replace('    path: trace.csv', '    path: trace.csv\n  window: { startS: 100, endS: 200 }'))),
      /s\.yaml:6:11: workload\.window: /,
    );
  });

  it('unknown policy, with a suggestion, and bad policy params with the exact path', async () => {
    expectInputError(await run('run', scenario((t) => t.replace('name: fifo', 'name: fif'))), /s\.yaml:13:9: policy\.name: unknown policy "fif" \(did you mean "fifo"\?\)/);
    stderr = '';
    expectInputError(await run('run', scenario((t) => t.replace('routing: round-robin', 'routing: random-ish'))), /s\.yaml:14:\d+: policy\.params\.routing: expected one of "round-robin", "least-loaded", found "random-ish"/);
  });

  it('CSV: bad header, non-numeric cell, negative tokens, empty file, unsorted rows', async () => {
    const cases: Array<[string, RegExp]> = [
      ['arrival,prompt_tokens,output_tokens\n0,1,1\n', /trace\.csv:1: .*arrival_s/],
      ['arrival_s,prompt_tokens,output_tokens\n0,10,5\n1,abc,5\n', /trace\.csv:3: .*prompt_tokens.*"abc"/],
      ['arrival_s,prompt_tokens,output_tokens\n0,10,-5\n', /trace\.csv:2: .*output_tokens.*-5/],
      ['', /trace\.csv.*empty/],
      ['arrival_s,prompt_tokens,output_tokens\n0,10,5\n2,10,5\n1,10,5\n', /trace\.csv:4: arrival_s: expected arrival times in non-decreasing order.*found 1/],
    ];
    for (const [trace, pattern] of cases) {
      stderr = '';
      expectInputError(await run('run', scenario(undefined, trace)), pattern);
    }
  });

  it('profile missing a coefficient names the profile file, line and field', async () => {
    const text = readFileSync(profile70b, 'utf8').replace(/^(\s+)perSeq:.*$/m, '');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, text);
    expectInputError(await run('run', scenario((t) => t.replace(profile70b, broken))), /broken\.yaml:\d+:\d+: decode\.perSeq: missing required field/);
  });

  it('profile of the wrong form for the device kind', async () => {
    const wilkins = join(root, 'profiles/wilkins/llama-2-7b-a100.yaml');
    expectInputError(await run('run', scenario((t) => t.replace(profile70b, wilkins))), /s\.yaml:10:\d+: cluster\.devices\[0\]\.profile: expected a profile of form "iteration"/);
  });

  it('bad flags: unknown option (with a suggestion), bad --seed, missing argument: one llmsim line each', async () => {
    expectInputError(await run('run', scenario(), '--sed', '3'), /^llmsim: --sed: expected an option of this command \(--help lists them\), found an unknown option \(did you mean --seed\?\)$/);
    stderr = '';
    expectInputError(await run('run', scenario(), '--seed', 'x1'), /^llmsim: --seed: expected a whole number in decimal digits, found "x1"$/);
    stderr = '';
    expectInputError(await run('run', scenario(), '--seed', '-1'), /^llmsim: --seed: expected a number >= 0, found "-1"$/);
    stderr = '';
    expectInputError(await run('run'), /^llmsim: <scenario>: expected this argument, found none$/);
  });
});

describe('llmsim fit: bad measurements and filters give one clear line and exit code 2', () => {
  it('a negative or zero measured time names the file line; a bad --where names the flag', async () => {
    const csv = join(dir, 'm.csv');
    writeFileSync(csv, 'input_tokens,output_tokens,runtime_s\n8,8,1\n16,16,-2\n32,32,4\n64,64,8\n');
    expectInputError(await run('fit', csv, '--form', 'bilinear'), /^llmsim: .*m\.csv:3: runtime_s: expected a measured time > 0 for runtimeS, found "-2"$/);
    stderr = '';
    writeFileSync(csv, 'input_tokens,output_tokens,runtime_s\n8,8,1\n16,16,0\n');
    expectInputError(await run('fit', csv, '--form', 'bilinear'), /m\.csv:3: runtime_s: expected a measured time > 0 for runtimeS, found "0"$/);
    stderr = '';
    expectInputError(await run('fit', csv, '--form', 'bilinear', '--where', 'input_tokens>=eight'), /where\.input_tokens: expected a number after ">=", found "eight"$/);
    stderr = '';
    expectInputError(await run('fit', csv, '--form', 'bilinear', '--where', 'input_tokens'), /--where\[0\]: expected column=value, column!=value, column>=number/);
  });
});

describe('llmsim run: requests that cannot fit are rejected or aborted with a reason, the run completes', () => {
  const trace = 'arrival_s,prompt_tokens,output_tokens\n0,10,5\n0.5,900,200\n1,20,3\n2,1200,1\n';
  const withKv = (extra: string) => (t: string) => t.replace('replicas: 1', `replicas: 1\n      kvCapacityTokens: 1000\n      blockSize: 16${extra}`);

  it('vllm-v1 (default): a prompt beyond the KV cache is rejected on arrival; a sequence outgrowing it alone is aborted', async () => {
    const file = scenario(withKv(''), trace);
    expect(await run('run', file, '--quiet')).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.requests).toMatchObject({ total: 4, finished: 2, rejected: 2 });
    expect(summary.requests.rejectReasons.map((r: { reason: string }) => r.reason).sort()).toEqual([
      'aborted: the sequence outgrew the KV cache of its replica while running alone',
      'prompt exceeds the KV capacity of a gpu replica (992 tokens)',
    ]);
    const csv = readFileSync(join(dir, 'out', 'requests.csv'), 'utf8').split('\n');
    expect(csv[2]).toMatch(/rejected/);
  });

  it('legacy: a prompt+output beyond the KV capacity is rejected on arrival (it used the true output length)', async () => {
    const file = scenario(withKv('\n      scheduler: legacy'), trace);
    expect(await run('run', file, '--quiet')).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.requests).toMatchObject({ total: 4, finished: 2, rejected: 2 });
    expect(summary.requests.rejectReasons[0].reason).toBe('prompt+output exceeds the KV capacity of a gpu replica (992 tokens)');
  });
});

describe('llmsim run: the written scenario.yaml is what ran, and runs as it stands', () => {
  it('rewrites file paths relative to the results directory and records --seed and --no-requests', async () => {
    const file = scenario();
    expect(await run('run', file, '-q', '--seed', '9', '--no-requests', '-o', join(dir, 'first'))).toBe(0);
    const written = readFileSync(join(dir, 'first', 'scenario.yaml'), 'utf8');
    expect(written).toMatch(/^seed: 9$/m);
    expect(written).toMatch(/path: \.\.\/trace\.csv$/m);
    expect(written).toMatch(/requests: false/);
    expect(existsSync(join(dir, 'first', 'requests.csv'))).toBe(false);
    // Re-running the copy from its own directory reproduces the summary byte for byte.
    expect(await run('run', join(dir, 'first', 'scenario.yaml'), '-q', '-o', join(dir, 'second'))).toBe(0);
    expect(readFileSync(join(dir, 'second', 'summary.json'))).toEqual(readFileSync(join(dir, 'first', 'summary.json')));
  });
});

describe('llmsim run: determinism', () => {
  it('the same scenario and seed give byte-identical files', async () => {
    const file = scenario();
    mkdirSync(join(dir, 'a'));
    expect(await run('run', file, '-q', '-o', join(dir, 'a'))).toBe(0);
    expect(await run('run', file, '-q', '-o', join(dir, 'b'))).toBe(0);
    for (const f of ['requests.csv', 'summary.json', 'scenario.yaml']) {
      expect(readFileSync(join(dir, 'a', f))).toEqual(readFileSync(join(dir, 'b', f)));
    }
  });
});
