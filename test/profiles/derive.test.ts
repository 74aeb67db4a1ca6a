import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deriveAll } from '../../scripts/derive-profiles.js';
import { LLAMA2_7B, MODEL_SHAPES, kvBytesPerToken, paramCount } from '../../scripts/derive/specs.js';
import { parseProfile } from '../../src/profiles/load.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every .yaml below `dir` (relative to the root), sorted. */
function yamlFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `${dir}/${f}`)
    .sort();
}

// The CI check that the library is up to date (`npm run profiles -- --check` does the same).
describe('derive-profiles (npm run profiles)', () => {
  const first = deriveAll(root);

  it('is deterministic: two runs give identical text', () => {
    const second = deriveAll(root);
    expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
    second.forEach((f, i) => expect(f.text).toBe(first[i]!.text));
  });

  it('matches the committed files byte for byte (run npm run profiles after changing a derivation)', () => {
    for (const f of first) expect(readFileSync(`${root}${f.path}`, 'utf8'), f.path).toBe(f.text);
  });

  it('leaves no stale files in the generated directories', () => {
    const generated = first.map((f) => f.path).sort();
    const onDisk = ['splitwise', 'vidur', 'mlenergy', 'argonne', 'roofline'].flatMap((d) => yamlFiles(`profiles/${d}`)).sort();
    expect(onDisk).toEqual(generated);
  });

  it('covers every Splitwise combination (12), Vidur A100/H100 x TP 1/2/4/8 (8), and the Argonne accelerators', () => {
    const count = (dir: string) => first.filter((f) => f.path.startsWith(`profiles/${dir}/`)).length;
    expect(count('splitwise')).toBe(12);
    expect(count('vidur')).toBe(8);
    const argonneHw = new Set(first.filter((f) => f.path.startsWith('profiles/argonne/')).map((f) => parseProfile(f.text, f.path).hardware));
    for (const hw of ['Nvidia A100 GPU', 'Nvidia H100 GPU', 'Nvidia GH200 GPU', 'AMD MI250 GPU', 'AMD MI300X GPU', 'Habana Gaudi2', 'Intel PVC GPU']) expect(argonneHw, hw).toContain(hw);
    const mlGpus = new Set(first.filter((f) => f.path.startsWith('profiles/mlenergy/')).map((f) => parseProfile(f.text, f.path).hardware));
    expect([...mlGpus].sort()).toEqual(['b200', 'h100-sxm5-80gb']);
  });

  it('writes files that load as valid profiles', () => {
    for (const f of first) {
      const p = parseProfile(f.text, f.path);
      expect(p.form, f.path).toBe(f.path.startsWith('profiles/roofline/') ? 'roofline' : 'iteration');
      expect(p.provenance.notes!.length, f.path).toBeGreaterThan(0);
    }
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
    // Llama-2-7B: 6,738,415,616 parameters (HF model); KV 2*32 layers*32 heads*128 dims*2 B.
    expect(paramCount(LLAMA2_7B)).toBe(6_738_415_616);
    expect(kvBytesPerToken(LLAMA2_7B)).toBe(524_288);
  });
});

describe('measurement copies', () => {
  // SHA-256 of the upstream files as listed in the shared data README: the copies are unchanged.
  it.each([
    ['splitwise-perf-model.csv', 'dbbe505d1d64fc4bd1ec03c50edf944643586de4f68a81e94cbd55dd5bdfbf41'],
    ['mlenergy-v3-llm-configs.csv', 'ae38a49ce7d05743959ff132aeb544007b78d8a92dfe0c34a8efeff8302fa806'],
    ['vidur-a100-llama2-7b-mlp.csv', '2cfacca979f32e83257753cf6fd815a71af8ba9a7a9d0643b18d9f54e8a37688'],
    ['vidur-h100-llama2-7b-mlp.csv', 'b1a2def08857d10e5f66c3b5b2d046b6e8caed5c30b2bc920a0462598e3b2a59'],
    ['llm-inference-bench-all-results.csv', '631a12e08c786ce2d4bdfdc0f67b93234360682cb4b36c93806270ddcfd58412'],
    ['llm-inference-bench-power-results.csv', '0b2ee7555fd76f00b6390d515d20e376077cc5abd4bce56ebc224d18be56adac'],
  ])('%s is byte-identical to the source', (file, sha) => {
    expect(createHash('sha256').update(readFileSync(`${root}profiles/measurements/${file}`)).digest('hex')).toBe(sha);
  });
});
