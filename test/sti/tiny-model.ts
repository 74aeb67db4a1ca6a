import { defineShardedModel, type ShardedModel } from '../../src/sti/model.js';

/** Bit-widths STI stores. */
export const BITS = [2, 3, 4, 5, 6, 32];
/** Loss fractions per width (test values, not the shipped profiles'). */
export const DEGRADATION = [0.4, 0.15, 0.05, 0.02, 0.01, 0];

/**
 * A hand-sized model: shard s stores `bytesPerBit * bits` bytes (no overhead), computes for
 * `computeS[s]` seconds whatever the length, and has importance `importance[s]`.
 * Accuracy runs from chance 50 to full precision 90.
 */
export function tinyModel(layers: number, m: number, bytesPerBit: number, computeS: number[], importance: number[]): ShardedModel {
  return defineShardedModel({
    name: `tiny-${layers}x${m}`,
    layers,
    shardsPerLayer: m,
    bitWidths: BITS,
    bytes: (_s, b) => bytesPerBit * BITS[b]!,
    compute: (s) => [computeS[s]!, 0, 0],
    importance: (s) => importance[s]!,
    maxSeqLen: 512,
    accuracy: { metric: 'test accuracy', fullPrecision: 90, chance: 50, degradation: DEGRADATION, omitted: 1 },
    computePowerW: 10,
  });
}
