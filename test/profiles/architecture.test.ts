import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dtypeBytes, kvBytesPerToken, loadArchitecture, parameterCounts, parseArchitecture, weightBytes, type Architecture } from '../../src/profiles/architecture.js';
import { errorOf } from '../support/errors.js';

const dir = new URL('../../profiles/models/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const load = (id: string) => loadArchitecture(`${dir}${id}.yaml`);

const REQUIRED = ['llama-2-7b', 'llama-2-13b', 'llama-2-70b', 'llama-3.1-8b', 'llama-3.1-70b', 'llama-3.3-70b', 'codellama-34b', 'mistral-7b', 'mixtral-8x7b', 'qwen2.5-7b', 'qwen2.5-72b'];

const valid = `name: tiny
description: a test model
huggingface: none/tiny
architecture:
  layers: 2
  hiddenSize: 64
  heads: 4
  kvHeads: 2
  ffnSize: 128
  vocabSize: 100
  gatedFfn: true
  tiedEmbeddings: false
  weightDtype: bf16
  kvDtype: bf16
publishedParams: 1.0e5
sources: [made up for the test]
`;

describe('model architecture files', () => {
  it('ships every required model, and every file loads with its id as file name', () => {
    expect(files.map((f) => f.replace(/\.yaml$/, '')).sort()).toEqual(expect.arrayContaining(REQUIRED));
    for (const f of files) {
      const a = loadArchitecture(`${dir}${f}`);
      expect(`${a.name}.yaml`).toBe(f);
      expect(a.sources.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('computed total parameters are within 3% of the published count (and active ones for MoE)', () => {
    for (const f of files) {
      const a = loadArchitecture(`${dir}${f}`);
      const c = parameterCounts(a.architecture);
      expect(Math.abs(c.total / a.publishedParams - 1), `${a.name}: ${c.total} vs published ${a.publishedParams}`).toBeLessThan(0.03);
      if (a.publishedActiveParams !== undefined) expect(Math.abs(c.activePerToken / a.publishedActiveParams - 1), `${a.name} active`).toBeLessThan(0.03);
      if (a.architecture.experts === 1) expect(a.publishedActiveParams).toBeUndefined();
    }
  });

  it('counts Llama-2-7B by hand: 6,738,149,376 parameters without norms', () => {
    const c = parameterCounts(load('llama-2-7b').architecture);
    expect(c.embedding).toBe(32000 * 4096);
    expect(c.lmHead).toBe(32000 * 4096);
    expect(c.attentionPerLayer).toBe(4 * 4096 * 4096);
    expect(c.ffnPerExpertPerLayer).toBe(3 * 4096 * 11008);
    expect(c.routerPerLayer).toBe(0);
    expect(c.total).toBe(2 * 32000 * 4096 + 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008));
    // The roofline profiles count 6,738,415,616 with RMSNorm weights (2 x 4096 per layer + 4096): the difference.
    expect(6_738_415_616 - c.total).toBe(32 * 2 * 4096 + 4096);
    expect(c.activePerToken).toBe(c.total - c.embedding);
    expect(weightBytes(load('llama-2-7b').architecture)).toBe(c.total * 2);
  });

  it('KV bytes per token: Llama-2-7B 2*32*32*128*2 = 524288, Llama-3.1-8B 131072', () => {
    expect(kvBytesPerToken(load('llama-2-7b').architecture)).toBe(524_288);
    expect(kvBytesPerToken(load('llama-3.1-8b').architecture)).toBe(131_072);
    expect(kvBytesPerToken(load('llama-2-70b').architecture)).toBe(327_680); // as profiles/splitwise uses
  });

  it('Mixtral: 8 experts stored, 2 per token, a router per layer', () => {
    const c = parameterCounts(load('mixtral-8x7b').architecture);
    expect(c.routerPerLayer).toBe(4096 * 8);
    const attn = c.attentionPerLayer;
    expect(c.total - c.embedding - c.lmHead).toBe(32 * (attn + 8 * c.ffnPerExpertPerLayer + c.routerPerLayer));
    expect(c.activePerToken).toBe(32 * (attn + 2 * c.ffnPerExpertPerLayer + c.routerPerLayer) + c.lmHead);
  });

  it('Qwen2.5-7B: q/k/v biases are counted, and the non-embedding count matches the card (6.53B)', () => {
    const a = load('qwen2.5-7b').architecture;
    const c = parameterCounts(a);
    expect(c.attentionPerLayer).toBe(2 * 3584 * 3584 + 2 * 3584 * 512 + 3584 + 2 * 512);
    expect(Math.abs((c.total - c.embedding - c.lmHead) / 6.53e9 - 1)).toBeLessThan(0.01);
  });

  it('a tied head is stored once but still multiplied through', () => {
    const a = parseArchitecture(valid.replace('tiedEmbeddings: false', 'tiedEmbeddings: true'), 't.yaml').architecture;
    const c = parameterCounts(a);
    expect(c.lmHead).toBe(0);
    expect(c.total).toBe(c.embedding + 2 * c.attentionPerLayer + 2 * c.ffnPerExpertPerLayer);
    expect(c.activePerToken).toBe(2 * (c.attentionPerLayer + c.ffnPerExpertPerLayer) + 100 * 64);
  });

  it('headDim overrides hiddenSize / heads; defaults fill experts and qkvBias', () => {
    const a: Architecture = parseArchitecture(valid, 't.yaml').architecture;
    expect(a.experts).toBe(1);
    expect(a.activeExperts).toBe(1);
    expect(a.qkvBias).toBe(false);
    expect(kvBytesPerToken(a)).toBe(2 * 2 * 2 * 16 * 2);
    const b = parseArchitecture(valid.replace('heads: 4\n', 'heads: 4\n  headDim: 32\n'), 't.yaml').architecture;
    expect(kvBytesPerToken(b)).toBe(2 * 2 * 2 * 32 * 2);
    expect(parameterCounts(b).attentionPerLayer).toBe(64 * 128 + 2 * 64 * 64 + 128 * 64);
  });

  it('dtype sizes', () => {
    expect([dtypeBytes('fp32'), dtypeBytes('bf16'), dtypeBytes('fp16'), dtypeBytes('fp8'), dtypeBytes('int8'), dtypeBytes('int4'), dtypeBytes('fp4')]).toEqual([4, 2, 2, 1, 1, 0.5, 0.5]);
  });

  it('bad input: unknown key, non-integer layers, heads not dividing hidden, bad dtype, non-finite', () => {
    const unknown = errorOf(() => parseArchitecture(valid.replace('  ffnSize: 128', '  ffnSize: 128\n  ffnSzie: 3'), 'm.yaml'));
    expect(unknown).toMatch(/^m\.yaml:\d+:\d+: architecture\.ffnSzie: unknown key/);
    const layers = errorOf(() => parseArchitecture(valid.replace('layers: 2', 'layers: 2.5'), 'm.yaml'));
    expect(layers).toMatch(/^m\.yaml:5:\d+: architecture\.layers: /);
    expect(layers).toMatch(/int/);
    const heads = errorOf(() => parseArchitecture(valid.replace('heads: 4', 'heads: 5').replace('kvHeads: 2', 'kvHeads: 1'), 'm.yaml'));
    expect(heads).toMatch(/^m\.yaml:7:\d+: architecture\.heads: expected heads to divide hiddenSize \(64\) when headDim is absent/);
    const kv = errorOf(() => parseArchitecture(valid.replace('kvHeads: 2', 'kvHeads: 3'), 'm.yaml'));
    expect(kv).toMatch(/architecture\.kvHeads: expected kvHeads to divide heads/);
    const moe = errorOf(() => parseArchitecture(valid.replace('  gatedFfn', '  experts: 2\n  activeExperts: 3\n  gatedFfn'), 'm.yaml'));
    expect(moe).toMatch(/architecture\.activeExperts: expected activeExperts <= experts/);
    const dtype = errorOf(() => parseArchitecture(valid.replace('weightDtype: bf16', 'weightDtype: bf15'), 'm.yaml'));
    expect(dtype).toMatch(/architecture\.weightDtype: expected one of/);
    const inf = errorOf(() => parseArchitecture(valid.replace('publishedParams: 1.0e5', 'publishedParams: .inf'), 'm.yaml'));
    expect(inf).toMatch(/^m\.yaml:\d+:\d+: publishedParams: expected a finite number/);
    const missing = errorOf(() => parseArchitecture(valid.replace('  tiedEmbeddings: false\n', ''), 'm.yaml'));
    expect(missing).toMatch(/architecture\.tiedEmbeddings: missing required field/);
    expect(errorOf(() => loadArchitecture(`${dir}no-such-model.yaml`))).toMatch(/no-such-model\.yaml: expected a readable model architecture file, found no such file/);
  });
});
