import { z } from 'zod';
import { MAX_HEADS, MAX_LAYERS, MAX_TOKENS } from '../limits.js';

/**
 * Schema of a sharded edge model file (profiles/edge/*.yaml), the compact "generator" form: the
 * model's shape, how shards are stored, the device that computes them, an importance profile and
 * an accuracy model. The loader (model.ts) expands it into per-shard bytes, compute times and
 * importance. Every field that is a modelling assumption says so in profiles/edge/README.md.
 */

const positiveInt = z.number().int().positive();

/** Transformer shape, from the model's published configuration. */
export const modelShapeSchema = z.strictObject({
  family: z.enum(['encoder', 'decoder']).describe('encoder (BERT-style) or decoder (GPT/Llama-style)'),
  layers: positiveInt.max(MAX_LAYERS).describe(`Transformer layers (N), at most ${MAX_LAYERS}`),
  heads: positiveInt.max(MAX_HEADS).describe(`Attention (query) heads per layer; one shard per head (M = heads); at most ${MAX_HEADS}`),
  kvHeads: positiveInt.optional().describe('Key/value heads (grouped-query attention); default = heads'),
  hiddenSize: positiveInt.describe('Model width; must be divisible by heads'),
  ffnSize: positiveInt.describe('Feed-forward inner width; must be divisible by heads (each shard gets a slice)'),
  gatedFfn: z.boolean().default(false).describe('Gated FFN (SwiGLU: three matrices) instead of two'),
  bias: z.boolean().default(true).describe('Linear layers carry bias vectors'),
  norm: z.enum(['layernorm', 'rmsnorm']).default('layernorm').describe('Normalization (layernorm has weight + bias)'),
  vocabSize: positiveInt.describe('Vocabulary (embeddings are not sharded; documented only)'),
  maxSeqLen: positiveInt.max(MAX_TOKENS).describe(`Longest input the model accepts, tokens (at most ${MAX_TOKENS})`),
  source: z.string().min(1).describe('Where the shape comes from (paper, config file)'),
});

/** How shards are stored on flash: quantized at several bit-widths, plus metadata. */
export const storageFormatSchema = z.strictObject({
  bitWidths: z.array(z.number().int().min(1).max(32)).min(1).describe('Stored bit-widths, strictly increasing, must include 32'),
  groupSize: positiveInt.default(64).describe('Weights sharing one quantization scale/zero point'),
  metadataBytesPerGroup: z.number().nonnegative().default(4).describe('Bytes of scale + zero point per group (quantized widths only)'),
  vectorBytesPerParam: z.number().positive().default(4).describe('Bytes per bias/norm parameter (kept at full precision)'),
});

/** The compute unit the per-shard times are derived for. */
export const computeDeviceSchema = z.strictObject({
  device: z.string().min(1).describe('Name of the compute unit, e.g. jetson-nano-gpu'),
  peakFlopsPerS: z.number().positive().describe('Peak FP32 FLOP/s from the spec sheet'),
  utilization: z.number().positive().max(1).describe('Fraction of peak reached on transformer layers (assumption)'),
  powerW: z.number().nonnegative().describe('Power while computing, W'),
  source: z.string().min(1).describe('Where peak and power come from'),
});

/** Per-shard importance: a synthetic profile or an explicit N x M table. */
export const importanceSchema = z.union([
  z.strictObject({
    synthetic: z.strictObject({
      depthDecay: z.number().positive().max(1).describe('Importance ratio of layer l+1 to layer l'),
      headSpread: z.number().min(0).max(1.9).default(0.5).describe('Relative spread of head importance within a layer'),
    }),
  }),
  z.strictObject({
    table: z.array(z.array(z.number().nonnegative()).min(1)).min(1).describe('importance[layer][shard], any scale'),
  }),
]);

/** Accuracy model: full-precision accuracy degraded by importance-weighted per-bit-width loss. */
export const accuracyModelSchema = z.strictObject({
  metric: z.string().min(1).describe('What accuracy means, e.g. "SST-2 accuracy (%)"'),
  fullPrecision: z.number().describe('Accuracy of the whole model at 32 bits'),
  chance: z.number().describe('Accuracy when every shard is lost (chance level)'),
  source: z.string().min(1),
  degradation: z.record(z.string(), z.number().min(0).max(1)).describe('Fraction of the accuracy margin a shard loses at each bit-width'),
  omitted: z.number().min(0).max(1).default(1).describe('Loss fraction of a shard that is not executed'),
});

/** A sharded model file. */
export const shardedModelFileSchema = z.strictObject({
  name: z.string().min(1),
  form: z.literal('sti-sharded').describe('File form marker'),
  description: z.string().optional(),
  shape: modelShapeSchema,
  storage: storageFormatSchema,
  compute: computeDeviceSchema,
  importance: importanceSchema,
  accuracy: accuracyModelSchema,
});
/** A validated sharded model file, before expansion. */
export type ShardedModelFile = z.output<typeof shardedModelFileSchema>;
