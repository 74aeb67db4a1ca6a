import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadShardedModel, parseShardedModel } from '../../src/sti/load-model.js';
import { modelBytes, shardComputeTimes } from '../../src/sti/model.js';

const BERT_FILE = 'profiles/edge/bert-base.yaml';
const bertText = readFileSync(BERT_FILE, 'utf8');

/** 1-based line of the first line containing `needle` (an oracle independent of the YAML locator). */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`test setup: "${needle}" not in text`);
  return i + 1;
}

function errorOf(text: string): InputError {
  try {
    parseShardedModel(text, 'edited.yaml');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('shipped sharded models', () => {
  it('bert-base: 12 x 12 shards whose sizes follow from the shape', () => {
    const m = loadShardedModel(BERT_FILE);
    expect([m.layers, m.shardsPerLayer, m.maxSeqLen]).toEqual([12, 12, 512]);
    // Per shard: Q, K, V 3 * 768*64 + O 64*768 + FFN 2 * 768*256 = 589824 weights;
    // vectors: q/k/v biases 192 + FFN bias 256 + shares of O/FFN-out biases 128 + LayerNorms 256 = 832.
    // bytes(b) = 589824*b/8 + (b < 32 ? 589824/64 groups * 4 B : 0) + 832 * 4 B.
    const expected = [2, 3, 4, 5, 6].map((b) => (589824 * b) / 8 + 9216 * 4 + 3328).concat([589824 * 4 + 3328]);
    expect(Array.from(m.shardBytes.slice(0, 6))).toEqual(expected);
    expect(expected[0]).toBe(187648);
    // 12 encoder layers of BERT-base hold 85,054,464 parameters (110M minus embeddings and pooler).
    expect(modelBytes(m)).toBe(85054464 * 4);
    // Compute at 128 tokens: 2*128*589824 + 4*128^2*64 FLOPs at 30% of 235.9 GFLOP/s.
    const t = shardComputeTimes(m, 128);
    expect(t[0]).toBeCloseTo((2 * 128 * 589824 + 4 * 128 * 128 * 64) / (235.9296e9 * 0.3), 15);
    expect(t[143]).toBe(t[0]);
    // Synthetic importance: sums to 1, each layer 0.85 of the one before, heads spread 0.75x..1.25x.
    const layer = (l: number) => m.importance.slice(l * 12, l * 12 + 12);
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    expect(sum(m.importance)).toBeCloseTo(1, 12);
    for (let l = 1; l < 12; l++) expect(sum(layer(l)) / sum(layer(l - 1))).toBeCloseTo(0.85, 12);
    expect(Math.max(...layer(3)) / Math.min(...layer(3))).toBeCloseTo(1.25 / 0.75, 12);
    expect(m.accuracy.fullPrecision).toBe(93.5);
    expect(Array.from(m.accuracy.degradation)).toEqual([0.4, 0.15, 0.05, 0.02, 0.01, 0]);
  });

  it('tinyllama-1.1b: 22 x 32 shards with grouped K/V and a gated FFN', () => {
    const m = loadShardedModel('profiles/edge/tinyllama-1.1b.yaml');
    expect([m.layers, m.shardsPerLayer, m.maxSeqLen]).toEqual([22, 32, 2048]);
    // Per shard: Q 2048*64 + K,V 2 * 2048*64 * 4/32 + O 64*2048 + FFN 3 * 2048*176 = 1,376,256; RMSNorms 2*2048/32 = 128.
    expect(m.shardBytes[5]).toBe(1376256 * 4 + 128 * 4);
    expect(m.shardBytes[0]).toBe(1376256 / 4 + (1376256 / 64) * 4 + 512);
    // 22 layers x 44,044,288 parameters; with 2 x 32000 x 2048 embeddings and the final norm
    // that is 1,100,048,384 - TinyLlama's "1.1B".
    expect(modelBytes(m)).toBe(22 * 44044288 * 4);
    expect(22 * 44044288 + 2 * 32000 * 2048 + 2048).toBe(1100048384);
  });
});

describe('sharded model file errors', () => {
  it('names a missing field with its line', () => {
    const e = errorOf(bertText.replace(/\n  fullPrecision: .*\n/, '\n'));
    expect(e.location.field).toBe('accuracy.fullPrecision');
    // The locator points at the nearest existing ancestor: the accuracy block, which starts at its first key.
    expect(e.location.line).toBe(lineOf(bertText, '  metric: "SST-2'));
    expect(e.message).toMatch(/^edited\.yaml:\d+:\d+: accuracy\.fullPrecision: missing required field \(expected number, found nothing\)$/);
  });

  it('rejects bit-widths out of order, pointing at the offending entry', () => {
    const text = bertText.replace('bitWidths: [2, 3, 4, 5, 6, 32]', 'bitWidths: [2, 4, 3, 5, 6, 32]');
    const e = errorOf(text);
    expect(e.location.field).toBe('storage.bitWidths[2]');
    expect(e.location.line).toBe(lineOf(text, 'bitWidths:'));
    expect(e.message).toMatch(/expected bit-widths in strictly increasing order, found 3 after 4$/);
  });

  it('rejects a bit-width list without full precision', () => {
    const e = errorOf(bertText.replace('bitWidths: [2, 3, 4, 5, 6, 32]', 'bitWidths: [2, 3, 4]'));
    expect(e.message).toMatch(/storage\.bitWidths: expected the list to end with 32 .*found \[2, 3, 4\]$/);
  });

  it('rejects a bit-width above 32', () => {
    const e = errorOf(bertText.replace('bitWidths: [2, 3, 4, 5, 6, 32]', 'bitWidths: [2, 3, 4, 5, 6, 33]'));
    expect(e.location.field).toBe('storage.bitWidths[5]');
    expect(e.message).toMatch(/expected <= 32, found 33$/);
  });

  it('requires a degradation for every bit-width, and no growth with bits', () => {
    expect(errorOf(bertText.replace('    5: 0.02\n', '')).message).toMatch(/accuracy\.degradation: expected a loss fraction for every bit-width .*found none for 5$/);
    const text = bertText.replace('    6: 0.01', '    6: 0.03');
    const e = errorOf(text);
    expect(e.location.field).toBe('accuracy.degradation.6');
    expect(e.location.line).toBe(lineOf(text, '    6: 0.03'));
    expect(e.message).toMatch(/expected loss not to grow with bits, found 0\.03 at 6 bits > 0\.02 at 5 bits$/);
  });

  it('rejects a degradation key that is not a stored bit-width, at its line', () => {
    const text = bertText.replace('    6: 0.01', '    6: 0.01\n    8: 0.01');
    const e = errorOf(text);
    expect(e.location.line).toBe(lineOf(text, '    8: 0.01'));
    expect(e.message).toMatch(/accuracy\.degradation\.8: expected a key among the bit-widths \[2, 3, 4, 5, 6, 32\], found 8$/);
  });

  it('suggests the closest key for a typo', () => {
    const e = errorOf(bertText.replace('hiddenSize: 768', 'hiddenSze: 768'));
    expect(e.message).toMatch(/shape\.hiddenSze: unknown key \(did you mean "hiddenSize"\?\)/);
  });

  it('rejects an FFN that does not split evenly into shards', () => {
    const e = errorOf(bertText.replace('ffnSize: 3072', 'ffnSize: 3070'));
    expect(e.location.field).toBe('shape.ffnSize');
    expect(e.message).toMatch(/expected a multiple of heads \(12\).*found 3070$/);
  });

  it('checks the dimensions of an explicit importance table', () => {
    const text = bertText.replace(/importance:\n  synthetic:.*\n    depthDecay: 0.85\n    headSpread: 0.5\n/, 'importance:\n  table: [[1, 2], [3, 4]]\n');
    expect(errorOf(text).message).toMatch(/importance\.table: expected 12 rows \(one per layer\), found 2$/);
  });

  it('reports a missing file as an InputError', () => {
    expect(() => loadShardedModel('profiles/edge/no-such-model.yaml')).toThrow(/no-such-model\.yaml: expected a readable sharded model file, found no such file/);
  });
});
