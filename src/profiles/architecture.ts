/**
 * Model architecture files (profiles/models/<id>.yaml): the shape of a decoder-only transformer as
 * its published config.json gives it, each number with the document it was read from. The
 * `transformer` latency form turns one of these and a hardware file into iteration times; the pure
 * helpers here (parameter counts, KV bytes, weight bytes) are what it and the tests use.
 */
import { z } from 'zod';
import { rejectNonFinite, validate } from '../util/validate.js';
import { loadYamlFile, parseYaml, type SourceDoc } from '../util/yaml-file.js';

/** Number formats of weights and KV cache. */
export const DTYPES = ['bf16', 'fp16', 'fp8', 'int8', 'int4', 'fp4', 'fp32'] as const;
export const DtypeSchema = z.enum(DTYPES).describe('Number format: bf16 | fp16 | fp8 | int8 | int4 | fp4 | fp32');
export type Dtype = z.output<typeof DtypeSchema>;

const BYTES: Record<Dtype, number> = { fp32: 4, bf16: 2, fp16: 2, fp8: 1, int8: 1, int4: 0.5, fp4: 0.5 };

/** Bytes per element of `dtype` (4-bit formats are 0.5; block scales of quantized formats are not counted). */
export function dtypeBytes(dtype: Dtype): number {
  return BYTES[dtype];
}

const count = (description: string) => z.number().int().positive().describe(description);

/** The architecture block: config.json fields under the names of this project. */
export const ArchitectureSchema = z
  .strictObject({
    layers: count('Transformer layers (config.json num_hidden_layers)'),
    hiddenSize: count('Model width (hidden_size)'),
    heads: count('Query heads (num_attention_heads)'),
    kvHeads: count('Key/value heads (num_key_value_heads; equal to heads without grouped-query attention)'),
    headDim: count('Dimension of one head (head_dim); default hiddenSize / heads').optional(),
    ffnSize: count('Feed-forward inner size (intermediate_size); per expert for mixture-of-experts models'),
    vocabSize: count('Rows of the embedding and of the output head (vocab_size)'),
    experts: count('Experts per MoE layer (num_local_experts); 1 = dense').default(1),
    activeExperts: count('Experts each token is routed to (num_experts_per_tok); 1 for dense models').default(1),
    gatedFfn: z.boolean().describe('Gated FFN (SwiGLU: gate, up and down matrices) rather than two matrices'),
    tiedEmbeddings: z.boolean().describe('Output head shares the embedding matrix (tie_word_embeddings)'),
    qkvBias: z.boolean().default(false).describe('Query, key and value projections have biases (Qwen2: true)'),
    weightDtype: DtypeSchema.describe('Format the weights are stored and read in'),
    kvDtype: DtypeSchema.describe('Format of the KV cache'),
  })
  .superRefine((a, ctx) => {
    if (a.headDim === undefined && a.hiddenSize % a.heads !== 0)
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `expected heads to divide hiddenSize (${a.hiddenSize}) when headDim is absent; set headDim if the model's heads are not hiddenSize / heads wide` });
    if (a.heads % a.kvHeads !== 0) ctx.addIssue({ code: 'custom', path: ['kvHeads'], message: `expected kvHeads to divide heads (${a.heads}): each KV head serves a whole group of query heads` });
    if (a.activeExperts > a.experts) ctx.addIssue({ code: 'custom', path: ['activeExperts'], message: `expected activeExperts <= experts (${a.experts})` });
  });

export type Architecture = z.output<typeof ArchitectureSchema>;

/** A model architecture file: the shape, a published parameter count to check it against, and sources. */
export const ArchitectureFileSchema = z.strictObject({
  name: z.string().min(1).describe('Model id used by profiles and scenarios, e.g. llama-3.1-8b'),
  description: z.string().min(1),
  huggingface: z.string().min(1).describe('HuggingFace repository whose config.json the architecture follows'),
  architecture: ArchitectureSchema,
  publishedParams: z.number().positive().describe("The publisher's parameter count (model card, paper or announcement), an independent check of the computed total"),
  publishedActiveParams: z.number().positive().optional().describe('Mixture-of-experts only: the published parameters used per token'),
  sources: z.array(z.string().min(1)).min(1).describe('Document (repository, path, commit or URL) and the figures read from it'),
  assumptions: z.array(z.string().min(1)).default([]).describe('Values not read from a document, and why they were chosen'),
});

export type ArchitectureFile = z.output<typeof ArchitectureFileSchema>;

function fromSource(doc: SourceDoc): ArchitectureFile {
  rejectNonFinite(doc);
  return validate(ArchitectureFileSchema, doc.data, doc);
}

/** Reads and validates an architecture file (errors name file, line and field). */
export function loadArchitecture(file: string): ArchitectureFile {
  return fromSource(loadYamlFile(file, 'model architecture file'));
}

/** Parses architecture file text; `file` is used in error messages. */
export function parseArchitecture(text: string, file: string): ArchitectureFile {
  return fromSource(parseYaml(text, file));
}

/** Width of one attention head: headDim, or hiddenSize / heads. */
export function headDimOf(arch: Architecture): number {
  return arch.headDim ?? arch.hiddenSize / arch.heads;
}

/** Parameter counts of an architecture (see parameterCounts). */
export interface ParameterCounts {
  /** Input embedding, vocabSize x hiddenSize. */
  embedding: number;
  /** Output head, vocabSize x hiddenSize; 0 when tied to the embedding. */
  lmHead: number;
  /** q (h x heads*headDim), k and v (h x kvHeads*headDim each), o (heads*headDim x h), plus q/k/v biases when qkvBias. */
  attentionPerLayer: number;
  /** One expert's FFN: 3 x h x ffn when gated, else 2 x h x ffn. */
  ffnPerExpertPerLayer: number;
  /** Router, h x experts; 0 for dense models. */
  routerPerLayer: number;
  /** Every stored parameter. */
  total: number;
  /**
   * Parameters a token multiplies through (2 FLOPs each): attention, router and activeExperts
   * experts per layer, plus the output projection (vocabSize x hiddenSize, also when it is tied to
   * the embedding). The embedding itself is a lookup, not a GEMM, and is left out.
   */
  activePerToken: number;
}

/**
 * Parameter counts from the shape alone. Normalization weights (2 x hiddenSize per layer, plus one
 * final norm) and the biases of models that have them beyond q/k/v are left out: under 0.01% of any
 * model here. Qwen2's q/k/v biases are counted when qkvBias is set (also tiny: 4,608 per layer for
 * Qwen2.5-7B).
 */
export function parameterCounts(arch: Architecture): ParameterCounts {
  const h = arch.hiddenSize;
  const hd = headDimOf(arch);
  const q = arch.heads * hd;
  const kv = arch.kvHeads * hd;
  const embedding = arch.vocabSize * h;
  const lmHead = arch.tiedEmbeddings ? 0 : arch.vocabSize * h;
  const attentionPerLayer = h * q + 2 * h * kv + q * h + (arch.qkvBias ? q + 2 * kv : 0);
  const ffnPerExpertPerLayer = (arch.gatedFfn ? 3 : 2) * h * arch.ffnSize;
  const routerPerLayer = arch.experts > 1 ? h * arch.experts : 0;
  const total = embedding + lmHead + arch.layers * (attentionPerLayer + arch.experts * ffnPerExpertPerLayer + routerPerLayer);
  const activePerToken = arch.layers * (attentionPerLayer + arch.activeExperts * ffnPerExpertPerLayer + routerPerLayer) + arch.vocabSize * h;
  return { embedding, lmHead, attentionPerLayer, ffnPerExpertPerLayer, routerPerLayer, total, activePerToken };
}

/** KV-cache bytes per token: keys and values, every layer, every KV head. */
export function kvBytesPerToken(arch: Architecture): number {
  return 2 * arch.layers * arch.kvHeads * headDimOf(arch) * dtypeBytes(arch.kvDtype);
}

/** Bytes of all weights in weightDtype. */
export function weightBytes(arch: Architecture): number {
  return parameterCounts(arch).total * dtypeBytes(arch.weightDtype);
}
