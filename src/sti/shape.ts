/**
 * Parameter counts and FLOPs of one STI shard, derived from a transformer's shape. A shard is one
 * attention head with its slice of the output projection and of the feed-forward network
 * (STI's vertical partitioning), so every shard of a layer has the same shape.
 */

/** The subset of a model's shape the derivation needs. */
export interface TransformerShape {
  readonly heads: number;
  readonly kvHeads: number;
  readonly hiddenSize: number;
  readonly ffnSize: number;
  readonly gatedFfn: boolean;
  readonly bias: boolean;
  readonly norm: 'layernorm' | 'rmsnorm';
}

/** Parameters of one shard: matrix weights (quantizable) and vectors (kept at full precision). */
export interface ShardParams {
  readonly headDim: number;
  /** Q, K, V, O and FFN weights belonging to the shard. */
  readonly matrixParams: number;
  /** Its biases plus a 1/heads share of the layer's shared vectors (output biases, norms). */
  readonly vectorParams: number;
}

/**
 * Splits one layer into `heads` shards. With grouped-query attention each K/V head serves
 * heads/kvHeads query heads, so each shard carries kvHeads/heads of a K and a V head.
 */
export function shardParams(s: TransformerShape): ShardParams {
  const headDim = s.hiddenSize / s.heads;
  const kvShare = s.kvHeads / s.heads;
  const ffnSlice = s.ffnSize / s.heads;
  const q = s.hiddenSize * headDim;
  const kv = 2 * s.hiddenSize * headDim * kvShare;
  const o = headDim * s.hiddenSize;
  const ffn = (s.gatedFfn ? 3 : 2) * s.hiddenSize * ffnSlice;
  let vectors = 0;
  if (s.bias) {
    // Own biases: q, k, v slices and the FFN up (and gate) slice; shared: O and FFN-down biases.
    vectors += headDim + 2 * headDim * kvShare + (s.gatedFfn ? 2 : 1) * ffnSlice;
    vectors += (2 * s.hiddenSize) / s.heads;
  }
  // Two norms per layer (pre/post attention); LayerNorm has weight and bias, RMSNorm weight only.
  vectors += (2 * (s.norm === 'layernorm' ? 2 : 1) * s.hiddenSize) / s.heads;
  return { headDim, matrixParams: q + kv + o + ffn, vectorParams: vectors };
}

/**
 * FLOPs of one shard for a sequence of `seqLen` tokens: 2 per weight per token for the matrix
 * products, plus the head's attention (QK^T and the weighted sum of V, 2*L*L*d each). Full
 * (unmasked) attention is counted for decoders too, as dense prefill kernels compute it.
 */
export function shardFlops(p: ShardParams, seqLen: number): number {
  return 2 * seqLen * p.matrixParams + 4 * seqLen * seqLen * p.headDim;
}

/**
 * Bytes of one shard stored at `bits`: weights at `bits` each, plus, for quantized widths, one
 * scale/zero-point record per group of `groupSize` weights, plus vectors at full precision.
 */
export function shardBytes(p: ShardParams, bits: number, groupSize: number, metadataBytesPerGroup: number, vectorBytesPerParam: number): number {
  const weights = Math.ceil((p.matrixParams * bits) / 8);
  const metadata = bits < 32 ? Math.ceil(p.matrixParams / groupSize) * metadataBytesPerGroup : 0;
  return weights + metadata + p.vectorParams * vectorBytesPerParam;
}
