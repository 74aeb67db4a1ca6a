import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_WIDTH, wrap, type ProfileRow } from '../../src/commands/profiles.js';
import { findShippedProfile, listShippedProfiles, shippedProfileIndex } from '../../src/profiles/catalog.js';
import { captureCli } from '../support/cli.js';
import { errorOf } from '../support/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'llmsim-profiles-'));
const cli = captureCli(tmp);

/** Every YAML/JSON file under `dir`, relative to the repository root, walked here, independently of the catalog. */
function walk(dir: string, skipTop: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!(dir === join(root, 'profiles') && skipTop.includes(e.name))) out.push(...walk(p, skipTop));
    } else if (/\.(ya?ml|json)$/.test(e.name)) out.push(relative(root, p).split('\\').join('/'));
  }
  return out;
}

/** Names used by more than one file, with the files, from (name, file) pairs. */
function duplicates(named: readonly { name: string; file: string }[]): string[] {
  const files = new Map<string, string[]>();
  for (const { name, file } of named) files.set(name, [...(files.get(name) ?? []), file]);
  return [...files].filter(([, fs]) => fs.length > 1).map(([n, fs]) => `${n}: ${fs.join(', ')}`);
}

/** Top-level names of every YAML/JSON file under profiles/ that has one (profiles, hardware, edge models). */
function namesIn(files: readonly string[]): { name: string; file: string }[] {
  return files.flatMap((file) => {
    const data = parse(readFileSync(join(root, file), 'utf8')) as { name?: unknown } | null;
    return data && typeof data.name === 'string' ? [{ name: data.name, file }] : [];
  });
}

async function listing(...args: string[]): Promise<ProfileRow[]> {
  expect(await cli.llmsim('profiles', '--json', ...args)).toBe(0);
  return JSON.parse(cli.out) as ProfileRow[];
}

describe('llmsim profiles', () => {
  let all: ProfileRow[];
  beforeAll(async () => {
    all = await listing();
  });

  it('lists a known profile with its fields as its file states them', async () => {
    const rows = await listing('--model', 'llama-2-70b', '--hardware', 'h100-80gb');
    const row = rows.find((r) => r.name === 'splitwise-llama2-70b-h100-tp4')!;
    const file = parse(readFileSync(join(root, 'profiles/splitwise/llama2-70b-h100-tp4.yaml'), 'utf8'));
    expect(row).toMatchObject({
      path: 'profiles/splitwise/llama2-70b-h100-tp4.yaml',
      form: 'iteration',
      model: 'llama-2-70b',
      hardware: 'h100-80gb',
      gpus: 4,
      engine: 'not stated (Splitwise data, 2024)',
      sourceShort: 'Splitwise',
      source: file.provenance.source,
    });
    expect(row.fit.prefill).toEqual({ r2: file.prefill.fit.r2, mape: file.prefill.fit.mape, points: file.prefill.fit.points });
    expect(row.fit.decode!.mape).toBe(file.decode.fit.mape);

    // The table shows the same profile, its name wrapped into the first column, prefill/decode MAPE last.
    expect(await cli.llmsim('profiles', '--model', 'llama-2-70b', '--hardware', 'h100-80gb')).toBe(0);
    const lines = cli.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^name +form +model +hardware +gpus +engine +source +fit MAPE%$/);
    const at = lines.findIndex((l, i) => l.startsWith('splitwise-llama2-70b-') && lines[i + 1]!.startsWith('h100-tp4 '));
    expect(at).toBeGreaterThan(0);
    const pct = (x: number) => (x < 10 ? x.toFixed(1) : String(Math.round(x)));
    expect(lines[at]!.split(/ +/)).toEqual(['splitwise-llama2-70b-', 'iteration', 'llama-2-70b', 'h100-80gb', '4', 'not', 'stated', 'Splitwise', `p${pct(file.prefill.fit.mape)}`, `d${pct(file.decode.fit.mape)}`]);
  });

  it('filters by form, model and hardware (substrings, any case)', async () => {
    const roofline = await listing('--form', 'roof');
    expect(roofline.length).toBe(all.filter((r) => r.form === 'roofline').length);
    expect(roofline.length).toBeGreaterThan(0);
    expect(new Set(roofline.map((r) => r.engine))).toEqual(new Set(['spec sheet']));

    const h100 = await listing('--hardware', 'H100', '--model', 'LLAMA-2-70B');
    expect(h100.length).toBeGreaterThan(0);
    expect(h100.every((r) => /h100/i.test(r.hardware) && /llama-2-70b/i.test(r.model))).toBe(true);
    expect(h100.length).toBe(all.filter((r) => /h100/i.test(r.hardware) && /llama-2-70b/i.test(r.model)).length);

    expect(await cli.llmsim('profiles', '--model', 'no-such-model')).toBe(0);
    expect(cli.out).toBe('no shipped profile matches --model "no-such-model"\n');
    expect(await listing('--model', 'no-such-model')).toEqual([]);
  });

  it('prints one JSON array, and a table no wider than 100 columns', async () => {
    expect(Array.isArray(all)).toBe(true);
    expect(all.length).toBeGreaterThan(200);

    expect(await cli.llmsim('profiles')).toBe(0);
    const widest = Math.max(...cli.out.split('\n').map((l) => l.length));
    expect(widest).toBeLessThanOrEqual(100);
    expect(TABLE_WIDTH).toBeLessThanOrEqual(100);
  });

  it('lists every shipped profile exactly once', async () => {
    const expected = walk(join(root, 'profiles'), ['hardware', 'models', 'measurements', 'LICENSES', 'edge']).sort();
    const listed = all.map((r) => r.path).sort();
    expect(listed).toEqual(expected);
  });
});

describe('profile names', () => {
  it('are unique across the whole profiles/ tree (profiles, hardware and edge model files)', () => {
    const named = namesIn(walk(join(root, 'profiles')));
    expect(named.length).toBeGreaterThan(260);
    expect(duplicates(named)).toEqual([]);
  });

  it('a duplicate name fails that check and the catalog', () => {
    const dir = join(tmp, 'dup');
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    const text = readFileSync(join(root, 'profiles/wilkins/llama-2-7b-a100.yaml'), 'utf8');
    writeFileSync(join(dir, 'a', 'one.yaml'), text);
    writeFileSync(join(dir, 'b', 'two.yaml'), text);
    const files = ['a/one.yaml', 'b/two.yaml'].map((f) => join(dir, f));
    expect(duplicates(files.map((file) => ({ name: parse(readFileSync(file, 'utf8')).name, file })))).toHaveLength(1);
    expect(errorOf(() => listShippedProfiles(dir))).toBe(`${join(dir, 'b/two.yaml')}:3:7: name: expected a unique profile name, found "wilkins-llama-2-7b-a100" also in a/one.yaml`);
    expect(errorOf(() => shippedProfileIndex(dir))).toMatch(/b\/two\.yaml: name: expected a unique profile name, found "wilkins-llama-2-7b-a100" also in a\/one\.yaml$/);
  });

  it('the quick name index agrees with the validated listing for every shipped profile', () => {
    const listed = listShippedProfiles();
    expect(shippedProfileIndex().size).toBe(listed.length);
    for (const p of listed) expect(findShippedProfile(p.name), p.path).toBe(p.file);
  });
});

describe('table cells', () => {
  it('wrap after "-", "/", "_" or a space, within the width, losing nothing', () => {
    const name = 'mlenergy-lm-arena-chat-llama-4-maverick-17b-128e-instruct-fp8-h100-x8';
    const lines = wrap(name, 25);
    expect(lines.join('')).toBe(name);
    expect(lines.every((l) => l.length <= 25)).toBe(true);
    expect(lines[0]).toBe('mlenergy-lm-arena-chat-');
    expect(wrap('HuggingFace pipeline, 2024 (Wilkins et al.)', 13)).toEqual(['HuggingFace', 'pipeline,', '2024 (Wilkins', 'et al.)']);
    expect(wrap('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    expect(wrap('', 5)).toEqual(['']);
  });
});
