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
