/**
 * A GPU power cap as a transformation of an iteration model (docs/fleet.md, "Power caps").
 *
 * Each pass has an uncapped power demand per GPU: the profile's power for its sequences, and, for a
 * pass that computes prompt tokens, at least `prefillWattsPerGpu` (compute-bound prefill runs at the
 * board limit, the TDP). Under a cap C per GPU a pass whose demand D exceeds C draws C and runs
 * (D / C)^a times longer; a pass with D <= C is unchanged. Idle power is min(idle, C).
 *
 * The exponent a is fitted to the only measured capped runs we hold: Splitwise's `h100-80gb-pcap`
 * rows (cap 490 W = 70% of 700 W per GPU): prompt_time is 1.3x the uncapped H100 rows' and
 * token_time 1.0x. With prefill demand 700 W, a = ln 1.3 / ln(700 / 490) = 0.7356; decode passes
 * draw ~447-620 W per GPU in the ML.ENERGY H100 data... (see docs/fleet.md for the check).
 * `scripts/fit-power-cap.ts` recomputes a from the data.
 */
import type { IterationModel, IterationShape } from '../profiles/model.js';
import type { PowerCapSpec } from './schema.js';

/**
 * ln(1.3) / ln(700 / 490): the median ratio of Splitwise's capped to uncapped H100 prompt_time
 * (1.3 in every one of the 2 x 19 paired points of Llama-2-70B TP2/TP4/TP8 and BLOOM-176B TP8),
 * at a cap of 490 W against a prefill demand of 700 W (the H100 SXM TDP).
 */
export const POWER_CAP_EXPONENT = Math.log(1.3) / Math.log(700 / 490);

/** Slowdown of a pass drawing `demandW` per GPU under a cap of `capW` per GPU: (D/C)^a when D > C, else 1. */
export function capSlowdown(demandW: number, capW: number, exponent: number): number {
  return demandW > capW ? (demandW / capW) ** exponent : 1;
}

/** The iteration model of a replica whose `gpus` GPUs are each capped at `cap.wattsPerGpu`. */
export function capIterationModel(m: IterationModel, cap: PowerCapSpec, gpus: number): IterationModel {
  const a = cap.exponent ?? POWER_CAP_EXPONENT;
  const capW = cap.wattsPerGpu;
  const prefillW = cap.prefillWattsPerGpu;
  const total = capW * gpus;
  // Demand per GPU of a decode-only pass of `batch` sequences: the profile's busy power (NaN: none known, no slowdown).
  const decodeDemand = (batch: number) => m.busyPowerW(batch) / gpus;
  const passDemand = (s: IterationShape) => {
    if (s.prefillSeqs === 0) return decodeDemand(s.decodeSeqs);
    const w = m.iterationPowerW(s) / gpus;
    return Number.isNaN(w) ? prefillW : Math.max(w, prefillW);
  };
  const prefillSlow = capSlowdown(prefillW, capW, a);
  return {
    iterationS: (s) => m.iterationS(s) * capSlowdown(passDemand(s), capW, a),
    iterationPowerW: (s) => {
      if (s.prefillSeqs === 0) return Math.min(m.iterationPowerW(s), total);
      const w = m.iterationPowerW(s);
      return Number.isNaN(w) ? NaN : Math.min(passDemand(s), capW) * gpus;
    },
    prefillS: (tokens) => m.prefillS(tokens) * prefillSlow,
    decodeStepS: (batch, ctx) => m.decodeStepS(batch, ctx) * capSlowdown(decodeDemand(batch), capW, a),
    decodeRunS: (batch, ctx, steps) => m.decodeRunS(batch, ctx, steps) * capSlowdown(decodeDemand(batch), capW, a),
    busyPowerW: (batch) => Math.min(m.busyPowerW(batch), total),
    idlePowerW: Math.min(m.idlePowerW, total),
    kvCapacityTokens: m.kvCapacityTokens,
    ...(m.frontendS !== undefined && { frontendS: m.frontendS }),
  };
}
