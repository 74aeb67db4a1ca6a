/**
 * The transformer form: the time of one forward pass from the model's architecture and a GPU's
 * spec sheet, as basis terms times a few calibrated efficiency coefficients.
 *
 * Per pipeline stage, for a pass of N tokens (prompt-chunk tokens plus one per decode) over S
 * sequences, with tensor-parallel degree t, every layer costs
 *   layerOverheadS
 *   + bound(GEMM FLOPs / (computeEfficiency * peak), weight bytes / (memoryEfficiency * bandwidth))
 *   + bound(attention FLOPs / (attentionEfficiency * peak), KV bytes read / (memoryEfficiency * bandwidth))
 *   + 2 all-reduces of N x hidden activations (ring: 2(t-1)/t of the bytes over the interconnect) when t > 1,
 * where GEMM FLOPs = 2 N x active parameters of the layer / t; weight bytes are the layer's weights
 * over t (for mixture-of-experts, the experts the N tokens are expected to touch); attention FLOPs =
 * 4 x heads x headDim x (causal query-key pairs of the chunks + context of the decodes) / t; KV bytes
 * = (context the decodes read + the cached past the chunks read) x KV bytes per token per layer / t.
 * The LM head is one more GEMM over the S sequences that produce a token. The pass then costs
 *   stepOverheadS + perSeqOverheadS x S + pipeline x (the layers of one stage + LM head / pipeline)
 *   + (pipeline - 1) point-to-point sends of the activations.
 * bound(c, m) = max(c, m) + (1 - overlap) x min(c, m): with overlap 1 (the default) each kernel
 * kind takes the longer of its compute and memory times, the roofline; a calibrated overlap < 1
 * says a kernel does not hide all of its shorter side (real GEMMs at a few hundred tokens). Pipeline
 * stages run one after another for a batch (no overlap of micro-batches: an upper bound on the
 * latency of a pipelined engine). Kernel kinds do not overlap each other.
 */
import type { IterationModel, IterationShape } from './model.js';
import type { TransformerProfile } from './schema.js';
import { dtypeBytes, headDimOf, kvBytesPerToken, parameterCounts, weightBytes } from './architecture.js';

/** Activations travel in 16-bit floats. */
const ACTIVATION_BYTES = 2;

/** The instance-level constants of a transformer profile, per pass. */
export interface TransformerTerms {
  /** Seconds per GEMM FLOP of one GPU at the calibrated efficiency. */
  sPerGemmFlop: number;
  sPerAttnFlop: number;
  sPerByte: number;
  /** GEMM FLOPs per token per layer on one GPU. */
  gemmFlopsPerTokenLayer: number;
  /** Weight bytes of one layer on one GPU, attention and router (always read). */
  denseBytesLayer: number;
  /** Bytes of one expert's FFN of one layer on one GPU. */
  expertBytesLayer: number;
  experts: number;
  activeExperts: number;
  /** Attention FLOPs per query-key pair per layer on one GPU. */
  attnFlopsPerPairLayer: number;
  kvBytesPerTokenLayer: number;
  /** Layers of one pipeline stage. */
  stageLayers: number;
  pipeline: number;
  /** LM head FLOPs per sequence and its weight bytes, per GPU. */
  headFlopsPerSeq: number;
  headBytes: number;
  /** Seconds of two ring all-reduces per token per layer (0 without tensor parallel), and their fixed latency. */
  allReduceSPerTokenLayer: number;
  allReduceFixedLayerS: number;
  /** Seconds to send one token's activations to the next stage. */
  p2pSPerToken: number;
  stepOverheadS: number;
  layerOverheadS: number;
  perSeqOverheadS: number;
  /** 1 - overlap: the share of the shorter of compute and memory time that adds to the longer. */
  exposed: number;
}

export function transformerTerms(p: TransformerProfile): TransformerTerms {
  const a = p.architecture, c = p.coefficients, t = p.parallel.tensor;
  const counts = parameterCounts(a);
  const wb = dtypeBytes(a.weightDtype);
  const ic = (p.interconnectBytesPerS ?? Infinity) * c.commEfficiency;
  const activeLayer = counts.attentionPerLayer + counts.routerPerLayer + a.activeExperts * counts.ffnPerExpertPerLayer;
  const lmHeadParams = a.vocabSize * a.hiddenSize;
  const tokenBytes = a.hiddenSize * ACTIVATION_BYTES;
  return {
    sPerGemmFlop: 1 / (p.device.peakFlopsPerS * c.computeEfficiency),
    sPerAttnFlop: 1 / (p.device.peakFlopsPerS * c.attentionEfficiency),
    sPerByte: 1 / (p.device.memoryBandwidthBytesPerS * c.memoryEfficiency),
    gemmFlopsPerTokenLayer: (2 * activeLayer) / t,
    denseBytesLayer: ((counts.attentionPerLayer + counts.routerPerLayer) * wb) / t,
    expertBytesLayer: (counts.ffnPerExpertPerLayer * wb) / t,
    experts: a.experts,
    activeExperts: a.activeExperts,
    attnFlopsPerPairLayer: (4 * a.heads * headDimOf(a)) / t,
    kvBytesPerTokenLayer: kvBytesPerToken(a) / a.layers / t,
    stageLayers: a.layers / p.parallel.pipeline,
    pipeline: p.parallel.pipeline,
    headFlopsPerSeq: (2 * lmHeadParams) / t,
    headBytes: (lmHeadParams * wb) / t,
    allReduceSPerTokenLayer: t > 1 ? (2 * (2 * (t - 1)) / t) * tokenBytes / ic : 0,
    allReduceFixedLayerS: t > 1 ? 2 * c.allReduceLatencyS : 0,
    p2pSPerToken: p.parallel.pipeline > 1 ? tokenBytes / ic : 0,
    stepOverheadS: c.stepOverheadS,
    layerOverheadS: c.layerOverheadS,
    perSeqOverheadS: c.perSeqOverheadS,
    exposed: 1 - c.overlap,
  };
}

/** A kernel bound by compute or memory: the longer time plus the exposed share of the shorter. */
const bound = (t: TransformerTerms, computeS: number, memoryS: number) =>
  computeS >= memoryS ? computeS + t.exposed * memoryS : memoryS + t.exposed * computeS;

/** Expected number of distinct experts N tokens routed to k of E experts each touch (uniform routing). */
function expertsTouched(t: TransformerTerms, tokens: number): number {
  if (t.experts === 1) return 1;
  return t.experts * (1 - Math.pow(1 - t.activeExperts / t.experts, tokens));
}

/** Seconds of the pass's work that does not depend on context: GEMMs, LM head, communication, overheads. */
function fixedPartS(t: TransformerTerms, tokens: number, seqs: number): number {
  const weights = t.denseBytesLayer + expertsTouched(t, tokens) * t.expertBytesLayer;
  const gemm = bound(t, t.gemmFlopsPerTokenLayer * tokens * t.sPerGemmFlop, weights * t.sPerByte);
  const layer = t.layerOverheadS + gemm + t.allReduceSPerTokenLayer * tokens + t.allReduceFixedLayerS;
  const head = bound(t, t.headFlopsPerSeq * seqs * t.sPerGemmFlop, t.headBytes * t.sPerByte);
  return t.stepOverheadS + t.perSeqOverheadS * seqs + t.pipeline * t.stageLayers * layer + head + (t.pipeline - 1) * t.p2pSPerToken * tokens;
}

/** Seconds of attention over `pairs` query-key pairs that read `kvTokens` cached tokens, all layers. */
function attentionS(t: TransformerTerms, pairs: number, kvTokens: number): number {
  const layers = t.pipeline * t.stageLayers;
  return layers * bound(t, t.attnFlopsPerPairLayer * pairs * t.sPerAttnFlop, t.kvBytesPerTokenLayer * kvTokens * t.sPerByte);
}

/** Compiles a transformer profile into the iteration model batching devices use. */
export function compileTransformer(p: TransformerProfile): IterationModel {
  const t = transformerTerms(p);
  const usable = p.device.memoryBytes * p.gpus * p.memoryUtilization;
  const kvTokens = Math.floor((usable - weightBytes(p.architecture)) / kvBytesPerToken(p.architecture));
  if (!(kvTokens >= 1)) throw new Error(`profile ${p.name}: KV capacity ${kvTokens} tokens; the schema should have rejected it`);
  const { idleW, busyW, busyWPerSeq } = p.power ?? { idleW: NaN, busyW: NaN, busyWPerSeq: NaN };
  const capW = p.power?.capW ?? Infinity;
  const powerW = (seqs: number) => Math.min(capW, busyW + busyWPerSeq * seqs);
  // Decodes of context C: attention is bound(a*C, b*C) = C * bound(a, b), a line through 0, so a
  // run of steps sums in closed form.
  const layers = t.pipeline * t.stageLayers;
  const decodeSPerContextToken = layers * bound(t, t.attnFlopsPerPairLayer * t.sPerAttnFlop, t.kvBytesPerTokenLayer * t.sPerByte);
  const iterationS = (s: IterationShape) => {
    const tokens = s.prefillTokens + s.decodeSeqs;
    if (tokens === 0) return 0;
    // Prompt chunks and decodes run their attention as separate kernels (vLLM's unified kernel
    // still splits the work by kind): each is bound by its own resource.
    return (
      fixedPartS(t, tokens, s.prefillSeqs + s.decodeSeqs) +
      (s.prefillSeqs > 0 ? attentionS(t, s.prefillPairs, s.prefillPastTokens) : 0) +
      decodeSPerContextToken * s.decodeContextTokens
    );
  };
  const decodeStepS = (batch: number, ctx: number) => (batch > 0 ? fixedPartS(t, batch, batch) + decodeSPerContextToken * ctx : 0);
  return {
    iterationS,
    iterationPowerW: (s) => powerW(s.prefillSeqs + s.decodeSeqs),
    // One prompt of `tokens` tokens with nothing cached.
    prefillS: (tokens) =>
      tokens > 0 ? iterationS({ prefillSeqs: 1, prefillTokens: tokens, prefillPastTokens: 0, prefillPairs: (tokens * (tokens + 1)) / 2, decodeSeqs: 0, decodeContextTokens: 0 }) : 0,
    decodeStepS,
    // Sum over i < steps of decodeStepS(batch, ctx + i*batch).
    decodeRunS: (batch, ctx, steps) =>
      batch > 0 && steps > 0 ? steps * fixedPartS(t, batch, batch) + decodeSPerContextToken * (steps * ctx + (batch * steps * (steps - 1)) / 2) : 0,
    busyPowerW: powerW,
    idlePowerW: idleW,
    kvCapacityTokens: kvTokens,
    frontendS: p.coefficients.frontendS,
  };
}
