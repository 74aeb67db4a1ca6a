import { describe, expect, it } from 'vitest';
import { compileTransformer } from '../../src/profiles/transformer.js';
import { ProfileSchema, type TransformerProfile } from '../../src/profiles/schema.js';
import { kvBytesPerToken, parameterCounts } from '../../src/profiles/architecture.js';
import { parseProfile } from '../../src/profiles/load.js';

// A toy model whose terms are easy to write out: 2 layers, hidden 8, 2 heads of 4, 1 KV head,
// FFN 16 (gated), vocab 10, bf16. Per layer: q 64, k 32, v 32, o 64 = 192; FFN 3*8*16 = 384.
// Embedding 80, LM head 80. Total 2*(192+384) + 160 = 1312 parameters.
const base = {
  name: 'toy',
  form: 'transformer',
  model: 'toy',
  hardware: 'toy-gpu',
  gpus: 1,
  architecture: { layers: 2, hiddenSize: 8, heads: 2, kvHeads: 1, ffnSize: 16, vocabSize: 10, gatedFfn: true, tiedEmbeddings: false, weightDtype: 'bf16', kvDtype: 'bf16' },
  // 1e6 FLOP/s and 1e6 B/s: one FLOP or byte is one microsecond.
  device: { peakFlopsPerS: 1e6, memoryBandwidthBytesPerS: 1e6, memoryBytes: 1e9, tdpW: 100, idleW: 10 },
  parallel: { tensor: 1 },
  coefficients: { computeEfficiency: 0.5, memoryEfficiency: 1, attentionEfficiency: 0.25, stepOverheadS: 0.001, perSeqOverheadS: 0.0001, frontendS: 0.02 },
  power: { idleW: 10, busyW: 50, busyWPerSeq: 1 },
  provenance: { source: 'test', derivation: 'hand-written' },
};
const toy = (over: Record<string, unknown> = {}) => ProfileSchema.parse({ ...base, ...over }) as TransformerProfile;

describe('shape arithmetic', () => {
  it('counts parameters and KV bytes by hand', () => {
    const c = parameterCounts(toy().architecture);
    expect(c).toMatchObject({ attentionPerLayer: 192, ffnPerExpertPerLayer: 384, embedding: 80, lmHead: 80, total: 1312, activePerToken: 2 * 576 + 80 });
    expect(kvBytesPerToken(toy().architecture)).toBe(2 * 2 * 1 * 4 * 2); // K and V, 2 layers, 1 head of 4, 2 bytes
  });
});

describe('transformer form', () => {
  const m = compileTransformer(toy());
  it('prices a decode step from its basis terms', () => {
    // Batch 2, context 10. Per layer: GEMM max(2*576*2 FLOP / 0.5 = 4608 us, 576*2 B = 1152 us) = 4608 us;
    // two layers 9216 us. LM head: max(2*80*2 / 0.5 = 640 us, 160 B = 160 us) = 640 us. Attention per
    // context token per layer: max(4*2*4 FLOP / 0.25 = 128 us, KV 16 B = 16 us) = 128 us -> 2*128*10 = 2560 us.
    // Fixed: 1000 + 2*100 us. Total 9216 + 640 + 2560 + 1200 = 13616 us.
    expect(m.decodeStepS(2, 10)).toBeCloseTo(0.013616, 12);
    const shape = { prefillSeqs: 0, prefillTokens: 0, prefillPastTokens: 0, prefillPairs: 0, decodeSeqs: 2, decodeContextTokens: 10 };
    expect(m.iterationS(shape)).toBe(m.decodeStepS(2, 10));
  });
  it('sums a run of decode steps exactly', () => {
    let sum = 0;
    for (let i = 0; i < 7; i++) sum += m.decodeStepS(3, 40 + 3 * i);
    expect(m.decodeRunS(3, 40, 7)).toBeCloseTo(sum, 12);
    expect(m.decodeRunS(3, 40, 0)).toBe(0);
  });
  it('prices a prompt with causal attention', () => {
    // One 4-token prompt: GEMMs 4*4608/2... per layer max(2*576*4/0.5 = 9216, 1152) = 9216 us, x2 = 18432;
    // LM head for 1 sequence: max(320, 160) = 320; attention pairs 4*5/2 = 10: max(32*10/0.25 = 1280, 0) x 2 = 2560;
    // fixed 1000 + 100. Total 22412 us.
    expect(m.prefillS(4)).toBeCloseTo(0.022412, 12);
    expect(m.frontendS).toBe(0.02);
  });
  it('adds tensor-parallel all-reduces and splits the work', () => {
    const tp = compileTransformer(toy({ gpus: 2, parallel: { tensor: 2 }, interconnectBytesPerS: 1e6, coefficients: { ...base.coefficients, allReduceLatencyS: 0.0005 } }));
    // Batch 1, context 0. Per layer GEMM max(1152/2/0.5 = 1152, 576) = 1152; all-reduce: 2 x (2*(2-1)/2 x 16 B) = 32 us
    // + 2 x 500 us; x2 layers = 2*(1152 + 32 + 1000) = 4368. Head max(160/2/0.5 = 160, 80) = 160. Fixed 1100. Total 5628 us.
    expect(tp.decodeStepS(1, 0)).toBeCloseTo(0.005628, 12);
  });
  it('derives KV capacity from memory, weights and utilization', () => {
    // 1e9 * 0.9 usable - 1312 * 2 bytes of weights, over 32 bytes per token.
    expect(m.kvCapacityTokens).toBe(Math.floor((1e9 * 0.9 - 2624) / 32));
  });
  it('reads experts touched for mixture-of-experts weights', () => {
    const moe = compileTransformer(toy({ architecture: { ...base.architecture, experts: 4, activeExperts: 1 } }));
    // With memory the bound (compute efficiency 1, huge FLOP/s), one token reads 1 expert, many tokens all 4.
    expect(moe.decodeStepS(1, 0)).toBeLessThan(moe.decodeStepS(64, 0));
  });
  it('refuses parallel degrees that do not multiply to gpus, and TP without an interconnect', () => {
    expect(() => parseProfile(JSON.stringify({ ...base, gpus: 2 }), 'p.json')).toThrow(/parallel.*tensor x pipeline = gpus/);
    expect(() => parseProfile(JSON.stringify({ ...base, gpus: 2, parallel: { tensor: 2 } }), 'p.json')).toThrow(/interconnectBytesPerS/);
  });
});
