import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deriveAll } from '../../scripts/derive-profiles.js';
import { MODEL_SHAPES, kvBytesPerToken, paramCount } from '../../scripts/derive/specs.js';
import { parseProfile } from '../../src/profiles/load.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('derive-profiles', () => {
  const first = deriveAll(root);

  it('is deterministic: two runs give identical text', () => {
    const second = deriveAll(root);
    expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
    second.forEach((f, i) => expect(f.text).toBe(first[i]!.text));
  });

  it('matches the committed files byte for byte (rerun the script after changing it)', () => {
    expect(first).toHaveLength(12);
    for (const f of first) expect(readFileSync(`${root}${f.path}`, 'utf8'), f.path).toBe(f.text);
  });

  it('writes files that load as valid profiles', () => {
    for (const f of first) expect(parseProfile(f.text, f.path).form).toBe('iteration');
  });
});

describe('model shapes', () => {
  it('give the published parameter counts and KV bytes per token', () => {
    // Llama-2-70B: 68,976,648,192 parameters (HF model); KV 2*80 layers*8 KV heads*128 dims*2 B.
    expect(paramCount(MODEL_SHAPES['llama2-70b']!)).toBe(68_976_648_192);
    expect(kvBytesPerToken(MODEL_SHAPES['llama2-70b']!)).toBe(327_680);
    // BLOOM: 176,247,271,424 parameters (model card); KV 2*70 layers*112 heads*128 dims*2 B.
    expect(paramCount(MODEL_SHAPES['bloom-176b']!)).toBe(176_247_271_424);
    expect(kvBytesPerToken(MODEL_SHAPES['bloom-176b']!)).toBe(4_014_080);
  });
});

describe('measurement copies', () => {
  // SHA-256 of the upstream files as listed in the shared data README: the copies are unchanged.
  it.each([
    ['splitwise-perf-model.csv', 'dbbe505d1d64fc4bd1ec03c50edf944643586de4f68a81e94cbd55dd5bdfbf41'],
    ['mlenergy-v3-llm-configs.csv', 'ae38a49ce7d05743959ff132aeb544007b78d8a92dfe0c34a8efeff8302fa806'],
  ])('%s is byte-identical to the source', (file, sha) => {
    expect(createHash('sha256').update(readFileSync(`${root}profiles/measurements/${file}`)).digest('hex')).toBe(sha);
  });
});
