/** The iteration-level model compiled from an iteration profile. */
import type { IterationModel } from './model.js';
import type { IterationProfile } from './schema.js';

/**
 * KV-cache capacity of one instance: usable memory after the weights, in whole tokens. A profile
 * without a memory block (the source gave no model shape) has unbounded capacity: Infinity.
 */
export function kvCapacityTokens(memory: IterationProfile['memory']): number {
  if (!memory) return Infinity;
  return Math.floor((memory.deviceBytes * memory.utilization - memory.weightBytes) / memory.kvBytesPerToken);
}

/**
 * Compiles prefill/decode/power/memory coefficients. No work costs no time: prefill of 0 tokens,
 * a decode step of an empty batch and a run of 0 steps all take 0 s (devices skip them anyway).
 */
export function compileIteration(p: IterationProfile): IterationModel {
  const { c0: p0, c1: p1, c2: p2 } = p.prefill;
  const { c0: d0, perSeq, perContextToken: perCtx } = p.decode;
  // No power data: energy is unknown (NaN), as for a bilinear profile without an energy model.
  const { idleW, busyW, busyWPerSeq } = p.power ?? { idleW: NaN, busyW: NaN, busyWPerSeq: NaN };
  const capW = p.power?.capW ?? Infinity;
  const kvTokens = kvCapacityTokens(p.memory);
  if (!(kvTokens >= 1)) throw new Error(`profile ${p.name}: KV capacity ${kvTokens} tokens; the schema should have rejected it`);
  const powerW = (batch: number) => Math.min(capW, busyW + busyWPerSeq * batch);
  return {
    // One forward pass: the fixed cost (weights read, launches) is paid once, the larger of the two
    // fits' intercepts; token terms add. Prompt chunks read their cached past like decodes read
    // their context (perContextToken). Decodes only: exactly decodeStepS; fresh prompts only:
    // exactly prefillS. The fits never saw mixed batches: this composition is an assumption.
    iterationS: (s) => {
      const fixed = Math.max(s.prefillSeqs > 0 ? p0 : 0, s.decodeSeqs > 0 ? d0 : 0);
      const t = s.prefillTokens;
      return fixed + p1 * t + p2 * t * t + perSeq * s.decodeSeqs + perCtx * (s.decodeContextTokens + s.prefillPastTokens);
    },
    iterationPowerW: (s) => powerW(s.prefillSeqs + s.decodeSeqs),
    prefillS: (tokens) => (tokens > 0 ? p0 + p1 * tokens + p2 * tokens * tokens : 0),
    decodeStepS: (batch, ctx) => (batch > 0 ? d0 + perSeq * batch + perCtx * ctx : 0),
    // Sum over i < steps of decodeStepS(batch, ctx + i*batch): the context grows by one token per
    // sequence per step, so the context term is an arithmetic series.
    decodeRunS: (batch, ctx, steps) =>
      batch > 0 && steps > 0 ? steps * (d0 + perSeq * batch + perCtx * ctx) + (perCtx * batch * steps * (steps - 1)) / 2 : 0,
    busyPowerW: powerW,
    idlePowerW: idleW,
    kvCapacityTokens: kvTokens,
  };
}
