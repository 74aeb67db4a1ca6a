/**
 * The roofline form: iteration times from spec-sheet peak FLOP/s and memory bandwidth and the
 * model's shape, for hardware nobody has measured. Every step takes the longer of its compute time
 * and its memory time, so the result is an optimistic bound unless `efficiency`/`overheadS` say
 * otherwise.
 */
import type { IterationModel } from './model.js';
import type { RooflineProfile } from './schema.js';

/** Per-step compute and memory cost, linear in the batch's context tokens. */
export interface RooflineTerms {
  /** Seconds per FLOP at the instance's effective FLOP/s. */
  sPerFlop: number;
  /** Seconds per byte at the instance's effective bandwidth. */
  sPerByte: number;
  weightBytes: number;
  /** FLOPs per token of the forward pass (2 per active parameter). */
  flopsPerToken: number;
  /** Attention FLOPs per context token per decode step: QK^T and AV, 2 FLOPs each, every layer. */
  flopsPerContextToken: number;
  kvBytesPerToken: number;
  overheadS: number;
}

/** The instance-level constants a roofline profile implies. */
export function rooflineTerms(p: RooflineProfile): RooflineTerms {
  const s = p.shape;
  return {
    sPerFlop: 1 / (p.device.peakFlopsPerS * p.gpus * p.efficiency.compute),
    sPerByte: 1 / (p.device.memoryBandwidthBytesPerS * p.gpus * p.efficiency.memory),
    weightBytes: s.params * s.bytesPerParam,
    flopsPerToken: 2 * (s.activeParams ?? s.params),
    flopsPerContextToken: 4 * s.layers * s.attentionDim,
    kvBytesPerToken: s.kvBytesPerToken,
    overheadS: p.overheadS,
  };
}

/**
 * Compiles a roofline profile. Prefill of T batched tokens: max(2*active*T FLOPs, weights once);
 * prompt attention is left out because only the total T is known, not how it splits into prompts
 * (it matters for prompts of several thousand tokens). Decode step of b sequences holding C
 * context tokens: max((2*active*b + 4*layers*attentionDim*C) FLOPs, weights + C*kvBytes).
 * Power: the instance's TDP while busy and its idle power otherwise (an upper bound for busy).
 */
export function compileRoofline(p: RooflineProfile): IterationModel {
  const t = rooflineTerms(p);
  const usable = p.device.memoryBytes * p.gpus * p.memoryUtilization;
  const kvTokens = Math.floor((usable - t.weightBytes) / t.kvBytesPerToken);
  if (!(kvTokens >= 1)) throw new Error(`profile ${p.name}: KV capacity ${kvTokens} tokens; the schema should have rejected it`);
  // A decode step at context C: compute = cA + cB*C, memory = mA + mB*C (seconds).
  const step = (b: number, ctx: number) =>
    t.overheadS + Math.max((t.flopsPerToken * b + t.flopsPerContextToken * ctx) * t.sPerFlop, (t.weightBytes + ctx * t.kvBytesPerToken) * t.sPerByte);
  const busyW = p.device.tdpW * p.gpus;
  return {
    // One pass: compute for every token (prompt chunks and decodes) plus attention over the pairs
    // each query sees; memory for the weights once plus the KV read by decodes and by chunks that
    // continue a cached prefix. Decodes only: exactly decodeStepS.
    iterationS: (s) => {
      const tokens = s.prefillTokens + s.decodeSeqs;
      if (tokens === 0) return 0;
      const flops = t.flopsPerToken * tokens + t.flopsPerContextToken * (s.decodeContextTokens + s.prefillPairs);
      const bytes = t.weightBytes + (s.decodeContextTokens + s.prefillPastTokens) * t.kvBytesPerToken;
      return t.overheadS + Math.max(flops * t.sPerFlop, bytes * t.sPerByte);
    },
    iterationPowerW: () => busyW,
    prefillS: (tokens) => (tokens > 0 ? t.overheadS + Math.max(t.flopsPerToken * tokens * t.sPerFlop, t.weightBytes * t.sPerByte) : 0),
    decodeStepS: (batch, ctx) => (batch > 0 ? step(batch, ctx) : 0),
    decodeRunS: (batch, ctx, steps) => (batch > 0 && steps > 0 ? runOfMax(t, batch, ctx, steps) : 0),
    busyPowerW: () => busyW,
    idlePowerW: p.device.idleW * p.gpus,
    kvCapacityTokens: kvTokens,
  };
}

/**
 * Sum over i < k of overhead + max(c0 + c1*i, m0 + m1*i): two lines cross at most once, so the
 * sum is two arithmetic series split at the crossing. Exact (no loop), O(1).
 */
function runOfMax(t: RooflineTerms, b: number, ctx: number, k: number): number {
  const c0 = (t.flopsPerToken * b + t.flopsPerContextToken * ctx) * t.sPerFlop;
  const c1 = t.flopsPerContextToken * b * t.sPerFlop;
  const m0 = (t.weightBytes + ctx * t.kvBytesPerToken) * t.sPerByte;
  const m1 = b * t.kvBytesPerToken * t.sPerByte;
  // Steps i < split have the larger start value; from split on the other line leads.
  const computeFirst = c0 >= m0;
  const [a0, a1, z0, z1] = computeFirst ? [c0, c1, m0, m1] : [m0, m1, c0, c1];
  let split = k;
  if (z1 > a1) {
    // First i with z0 + z1*i > a0 + a1*i.
    split = Math.min(k, Math.max(0, Math.floor((a0 - z0) / (z1 - a1)) + 1));
  }
  const series = (v0: number, v1: number, from: number, to: number) => {
    const n = to - from;
    return n > 0 ? n * v0 + (v1 * (from + to - 1) * n) / 2 : 0;
  };
  return k * t.overheadS + series(a0, a1, 0, split) + series(z0, z1, split, k);
}
