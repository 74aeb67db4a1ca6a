/**
 * One test per bad-input bug of the Reliability issue: each failed before its fix. The catalogue
 * (bad-input-catalogue.test.ts) then checks the one-line contract over hundreds of inputs.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli } from '../support/cli.js';

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'llmsim-items-'));
const cli = captureCli(dir);
let n = 0;

function file(text: string, name = `f${n++}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const wilkins = (m: string) => join(root, `profiles/wilkins/${m}-a100.yaml`);
const cb = join(root, 'profiles/splitwise/llama2-70b-h100-tp4.yaml');

/** Checks the one-line contract and returns the line. */
function oneLine(code: number): string {
  expect(code, cli.err).toBe(2);
  const lines = cli.err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^llmsim: /);
  expect(cli.err).not.toMatch(/internal error|\n\s+at /);
  return lines[0]!;
}

describe('wilkins-threshold on a trace that names models', () => {
  it('routes each request among the replicas serving its model (was: internal error, exit 1)', async () => {
    const s = file(
      [
        'name: wt',
        'workload:',
        `  trace: { path: ${join(root, 'traces/example-native.csv')} }`,
        'cluster:',
        '  devices:',
        `    - { name: small, kind: slots, profile: ${wilkins('llama-2-7b')}, slots: 2 }`,
        `    - { name: large, kind: slots, profile: ${wilkins('llama-2-70b')}, slots: 4 }`,
        'policy:',
        '  name: wilkins-threshold',
        '  params: { feature: input, threshold: 200, small: small, large: large }',
      ].join('\n'),
    );
    const out = join(dir, 'wt-out');
    expect(await cli.llmsim('run', s, '-q', '-o', out), cli.err).toBe(0);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
  });
});

/** A scenario on a continuous-batching device; `over` replaces lines by key. */
function scenario(opts: { workload?: string; device?: string; policy?: string; extra?: string } = {}): string {
  return file(
    [
      'name: s',
      'workload:',
      opts.workload ?? '  synthetic: { count: 5, arrival: { process: poisson, rateRps: 1 }, prompt: { dist: fixed, tokens: 10 }, output: { dist: fixed, tokens: 5 } }',
      'cluster:',
      '  devices:',
      `    - { name: g, kind: continuous-batching, profile: ${cb}${opts.device ?? ''} }`,
      opts.policy ?? '',
      opts.extra ?? '',
    ].join('\n'),
  );
}

describe('limits: counts and sizes that do not fit a machine are refused at validation', () => {
  it('replicas: 1e9 (was: accepted, then the process hung allocating)', async () => {
    const line = oneLine(await cli.llmsim('run', scenario({ device: ', replicas: 1e9' }), '-q', '-o', join(dir, 'never')));
    expect(line).toMatch(/:6:\d+: cluster\.devices\[0\]\.replicas: expected <= 10000, found 1000000000$/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it.each([
    ['maxBatchSize: 1e9', /maxBatchSize: expected <= 65536/],
    ['maxBatchedTokens: 1e12', /maxBatchedTokens: expected <= 10000000/],
    ['kvCapacityTokens: 1e15', /kvCapacityTokens: expected <= 1000000000000/],
    ['blockSize: 1e9', /blockSize: expected <= 10000000/],
  ])('%s', async (field, expected) => {
    expect(oneLine(await cli.llmsim('run', scenario({ device: `, ${field}` }), '-q', '-o', join(dir, 'never')))).toMatch(expected);
  });
});

describe('YAML alias bomb', () => {
  it('is one input line naming the first alias (was: internal error)', async () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [x, y] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) rows.push(`${x}: &${x} [${Array(9).fill(`*${y}`).join(',')}]`);
    const line = oneLine(await cli.llmsim('run', file(rows.join('\n')), '-q'));
    expect(line).toMatch(/f\d+\.yaml:2:\d+: expected aliases \(\*name\) that expand to at most 1000 nodes, found more/);
  });
});

describe('times and rates that do not fit a simulation', () => {
  it('rateRps: 1e-300 is refused at validation (was: internal error blaming the profile)', async () => {
    const w = '  synthetic: { count: 5, arrival: { process: poisson, rateRps: 1e-300 }, prompt: { dist: fixed, tokens: 10 }, output: { dist: fixed, tokens: 5 } }';
    expect(oneLine(await cli.llmsim('run', scenario({ workload: w }), '-q', '-o', join(dir, 'never')))).toMatch(/:3:\d+: workload\.synthetic\.arrival\.rateRps: expected >= 0\.000001, found 1e-300$/);
  });

  it('a trace arrival of 1e308 names the trace line (was: accepted)', async () => {
    const trace = file('arrival_s,prompt_tokens,output_tokens\n0,10,5\n1e308,10,5\n', 'big.csv');
    expect(oneLine(await cli.llmsim('run', scenario({ workload: `  trace: { path: ${trace} }` }), '-q', '-o', join(dir, 'never')))).toMatch(/big\.csv:3: arrival_s: expected an arrival time at most 1000000000 s, found 1e\+308$/);
  });
});

describe('trace rows that passed silently', () => {
  const run = (text: string, name: string) => cli.llmsim('run', scenario({ workload: `  trace: { path: ${file(text, name)} }` }), '-q', '-o', join(dir, 'never'));
  const vidur = 'request_id,arrived_at,num_prefill_tokens,num_decode_tokens\n';

  it('Vidur: a repeated request id', async () => {
    expect(oneLine(await run(`${vidur}0,0,10,5\n1,1,10,5\n1,2,10,5\n`, 'v1.csv'))).toMatch(/v1\.csv:4: request_id: expected each request id once, found 1 again \(first at line 3\)$/);
  });

  it('Vidur: a non-numeric request id', async () => {
    expect(oneLine(await run(`${vidur}0,0,10,5\nx7,1,10,5\n`, 'v2.csv'))).toMatch(/v2\.csv:3: request_id: expected a whole-number request id, found "x7"$/);
  });

  it('Mooncake JSONL: a key twice in one line', async () => {
    const text = '{"timestamp": 0, "input_length": 10, "output_length": 5}\n{"timestamp": 3000, "input_length": 10, "output_length": 5, "input_length": 99}\n';
    expect(oneLine(await run(text, 'm.jsonl'))).toMatch(/m\.jsonl:2: input_length: expected each key once per JSON line, found "input_length" twice$/);
  });

  it.each([
    ['native', 'arrival_s,prompt_tokens,output_tokens,model\n0,10,5,a\n1,10,5,caf\xe9\n', 'n.csv', 3],
    ['azure', 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,10,5\n2023-11-16 18:15:47.6805900,10,5\xff\n', 'a.csv', 3],
    ['mooncake', '{"timestamp": 0, "input_length": 10, "output_length": 5}\n{"timestamp": 1, "input_length": 10, "output_length": 5, "x": "\xc3"}\n', 'm2.jsonl', 2],
    ['vidur', `${vidur}0,0,10,5\n1,1,10,5\n2,2\xfe,10,5\n`, 'v3.csv', 4],
  ])('%s: bytes that are not UTF-8 name their line', async (_f, text, name, lineNo) => {
    writeFileSync(join(dir, name), Buffer.from(text, 'latin1'));
    const code = await cli.llmsim('run', scenario({ workload: `  trace: { path: ${join(dir, name)} }` }), '-q', '-o', join(dir, 'never'));
    expect(oneLine(code)).toMatch(new RegExp(`${name.replace('.', '\\.')}:${lineNo}:\\d+: expected UTF-8 text, found the byte 0x`));
  });
});

describe('integer flags take decimal digits only', () => {
  it.each([[''], ['0x10'], ['1e3'], ['0b1'], [' ']])('--seed %j (was: "" = 0, 0x10 = 16)', async (v) => {
    expect(oneLine(await cli.llmsim('run', scenario(), '--seed', v, '-q', '-o', join(dir, 'never')))).toMatch(/^llmsim: --seed: expected a whole number in decimal digits, found /);
  });

  it.each([
    ['compare', '--seeds', '0x3'],
    ['compare', '--level', ''],
    ['sweep', '-j', '1e1'],
  ])('%s %s %j', async (cmd, flag, v) => {
    expect(oneLine(await cli.llmsim(cmd, scenario(), flag, v, '-o', join(dir, 'never')))).toMatch(/^llmsim: --(seeds|level|jobs): expected a (whole|decimal) number/);
  });
});

describe('blockSize larger than the KV cache', () => {
  it('is refused at the entry blockSize line (was: every request rejected, exit 0)', async () => {
    const line = oneLine(await cli.llmsim('run', scenario({ device: ', kvCapacityTokens: 1000, blockSize: 2048' }), '-q', '-o', join(dir, 'never')));
    expect(line).toMatch(/:6:\d+: cluster\.devices\[0\]\.blockSize: expected a block size <= kvCapacityTokens \(1000 tokens\), found 2048$/);
  });
});

describe('policy errors raised at run time', () => {
  it('name the scenario file, line and policy.params field (was: no file)', async () => {
    const s = file(
      [
        'name: wt',
        'workload:',
        '  synthetic: { count: 5, arrival: { process: poisson, rateRps: 1 }, prompt: { dist: fixed, tokens: 10 }, output: { dist: fixed, tokens: 5 } }',
        'cluster:',
        '  devices:',
        `    - { name: small, kind: slots, profile: ${wilkins('llama-2-7b')} }`,
        `    - { name: large, kind: slots, profile: ${wilkins('llama-2-70b')} }`,
        'policy:',
        '  name: wilkins-threshold',
        '  params: { threshold: 200, small: tiny, large: large }',
      ].join('\n'),
      'policy.yaml',
    );
    expect(oneLine(await cli.llmsim('run', s, '-q', '-o', join(dir, 'never')))).toMatch(/^llmsim: .*policy\.yaml:10:\d+: policy\.params\.small: expected a device group of the cluster \(small, large\), found "tiny"$/);
  });
});

describe('sweeping policy.params.* without a policy: block', () => {
  it('sweeps the default policy, as docs/workflow.md says (was: policy.name missing, at line 1)', async () => {
    const s = scenario({ device: ', replicas: 2', extra: 'sweep:\n  grid:\n    policy.params.routing: [round-robin, least-loaded]' });
    const out = join(dir, 'sweep-out');
    expect(await cli.llmsim('sweep', s, '-q', '-j', '1', '-o', out), cli.err).toBe(0);
    expect(existsSync(join(out, 'points.csv'))).toBe(true);
  });
});
