/**
 * Noisy versions of the runtime models: each prefill, decode step or request gets a factor drawn
 * from the profile's residual distribution (noise.ts). Without a `noise` block they are the
 * deterministic models themselves.
 */
import type { RandomStream } from '../util/rng.js';
import type { IterationModel, RequestCostModel } from './model.js';
import { createNoiseSampler } from './noise.js';
import type { BilinearProfile, IterationProfile } from './schema.js';

/** Recent runs remembered per model; more than this many replicas interleaving runs would redraw. */
const RUN_MEMORY = 64;

/**
 * Wraps an iteration model with residual noise.
 *
 * decodeRunS(b, c, k): one factor per run, with the exact mean (1) and variance of the sum of k
 * independently noisy steps (NoiseSampler.sumFactor; drawn step by step for k <= 16). A device
 * asks for the same run several times (the fast-forward cut searches prefixes of it), so the
 * factor is remembered by the run's start (batch, context): repeated questions about one run get
 * consistent, monotone answers. A prefix of a run reuses the whole run's factor, which slightly
 * understates the spread of runs cut short by an arrival. Cost: O(1) per call for long runs.
 */
export function withIterationNoise(model: IterationModel, noise: IterationProfile['noise'], stream: RandomStream): IterationModel {
  if (!noise || (!noise.prefill && !noise.decode)) return model;
  const prefill = noise.prefill && createNoiseSampler(noise.prefill, stream);
  const decode = noise.decode && createNoiseSampler(noise.decode, stream);
  const runs = new Map<number, number>();
  return {
    // A pass with prompt chunks draws from the prefill residuals, a pass of decodes from the decode ones.
    iterationS: (shape) => {
      const exact = model.iterationS(shape);
      const sampler = shape.prefillTokens > 0 ? prefill : decode;
      return sampler && exact > 0 ? exact * sampler.factor() : exact;
    },
    iterationPowerW: model.iterationPowerW,
    prefillS: prefill ? (tokens) => model.prefillS(tokens) * prefill.factor() : model.prefillS,
    decodeStepS: decode ? (batch, ctx) => model.decodeStepS(batch, ctx) * decode.factor() : model.decodeStepS,
    decodeRunS: decode
      ? (batch, ctx, steps) => {
          const exact = model.decodeRunS(batch, ctx, steps);
          if (exact === 0) return 0;
          const key = ctx * 65536 + batch;
          let f = runs.get(key);
          if (f === undefined) {
            f = decode.sumFactor(steps, (i) => model.decodeStepS(batch, ctx + i * batch));
            if (runs.size >= RUN_MEMORY) runs.delete(runs.keys().next().value!);
            runs.set(key, f);
          }
          return exact * f;
        }
      : model.decodeRunS,
    busyPowerW: model.busyPowerW,
    idlePowerW: model.idlePowerW,
    kvCapacityTokens: model.kvCapacityTokens,
  };
}

/** Wraps a request-level model: runtime and energy each get their own factor per request. */
export function withRequestNoise(model: RequestCostModel, noise: BilinearProfile['noise'], stream: RandomStream): RequestCostModel {
  if (!noise || (!noise.runtime && !noise.energy)) return model;
  const runtime = noise.runtime && createNoiseSampler(noise.runtime, stream);
  const energy = noise.energy && createNoiseSampler(noise.energy, stream);
  return {
    serviceS: runtime ? (tin, tout) => model.serviceS(tin, tout) * runtime.factor() : model.serviceS,
    energyJ: energy ? (tin, tout) => model.energyJ(tin, tout) * energy.factor() : model.energyJ,
    clamped: model.clamped,
    idlePowerW: model.idlePowerW,
  };
}
