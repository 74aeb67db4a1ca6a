/**
 * Sizes that follow from a transformer's architecture: parameters by part, weight bytes and KV bytes
 * per token. Pure arithmetic on the config.json fields (no I/O), shared by the transformer form,
 * architecture files and their tests. Norm weights and output-projection biases are left out (well
 * under 0.1% of any model here); Qwen2's query/key/value biases are counted.
 */
import type { Architecture } from './schema.js';

/** Bytes per value of the data types weights and KV caches are stored in. */
export const DTYPE_BYTES = { fp32: 4, bf16: 2, fp16: 2, fp8: 1, int8: 1, int4: 0.5, fp4: 0.5 } as const;
export type Dtype = keyof typeof DTYPE_BYTES;

/** Parameter counts of one model, by part. */
export interface ParameterCounts {
  /** Token embedding (a lookup: no GEMM work). */
  embedding: number;
  /** LM head (0 when tied to the embedding). */
  lmHead: number;
  /** Attention projections of one layer: q, k, v (with biases when given) and o. */
  attentionPerLayer: number;
  /** One expert's FFN in one layer. */
  ffnPerExpertPerLayer: number;
  /** Router of one layer (0 for dense models). */
  routerPerLayer: number;
  /** Everything. */
  total: number;
  /** Parameters one token's forward pass multiplies by: layers with the active experts, and the LM head. */
  activePerToken: number;
}

/** Dimension of one attention head. */
export const headDimOf = (a: Architecture): number => a.headDim ?? a.hiddenSize / a.heads;

export function parameterCounts(a: Architecture): ParameterCounts {
  const h = a.hiddenSize, d = headDimOf(a);
  const q = h * a.heads * d, kv = 2 * h * a.kvHeads * d, o = a.heads * d * h;
  const bias = a.qkvBias ? a.heads * d + 2 * a.kvHeads * d : 0;
  const attentionPerLayer = q + kv + o + bias;
  const ffnPerExpertPerLayer = (a.gatedFfn ? 3 : 2) * h * a.ffnSize;
  const routerPerLayer = a.experts > 1 ? h * a.experts : 0;
  const embedding = a.vocabSize * h;
  const lmHead = a.tiedEmbeddings ? 0 : a.vocabSize * h;
  const perLayer = attentionPerLayer + routerPerLayer + a.experts * ffnPerExpertPerLayer;
  const activePerLayer = attentionPerLayer + routerPerLayer + a.activeExperts * ffnPerExpertPerLayer;
  return {
    embedding,
    lmHead,
    attentionPerLayer,
    ffnPerExpertPerLayer,
    routerPerLayer,
    total: embedding + lmHead + a.layers * perLayer,
    activePerToken: a.layers * activePerLayer + a.vocabSize * h,
  };
}

/** KV-cache bytes per token, all layers, keys and values. */
export const kvBytesPerToken = (a: Architecture): number => 2 * a.layers * a.kvHeads * headDimOf(a) * DTYPE_BYTES[a.kvDtype];

/** Bytes of all weights as served. */
export const weightBytes = (a: Architecture): number => parameterCounts(a).total * DTYPE_BYTES[a.weightDtype];
