/**
 * Accuracy of an executed plan - a modelling assumption, not a measurement: every shard loses a
 * fraction of the model's accuracy margin over chance according to its bit-width (the model
 * file's degradation table; `omitted` for shards that do not run), weighted by its importance:
 *
 *   accuracy = chance + (fullPrecision - chance) * (1 - sum_s importance_s * loss_s)
 *
 * Importances sum to 1, so the full model at 32 bits scores fullPrecision and running nothing
 * scores chance.
 */
import type { ShardedModel } from './model.js';
import type { PipelinePlan } from './plan.js';

/** Importance-weighted loss fraction in [0, 1] of the shards a plan runs (and omits). */
export function planLoss(model: ShardedModel, plan: PipelinePlan): number {
  const { importance, accuracy } = model;
  const runs = new Uint8Array(importance.length);
  let loss = 0;
  for (let i = 0; i < plan.shard.length; i++) {
    const s = plan.shard[i]!;
    runs[s] = 1;
    loss += importance[s]! * accuracy.degradation[plan.bitIndex[i]!]!;
  }
  // Summing the omitted shards' importances (rather than 1 - selected) keeps a full plan exact.
  for (let s = 0; s < importance.length; s++) if (!runs[s]) loss += importance[s]! * accuracy.omitted;
  return Math.min(1, loss);
}

/** Modelled accuracy of a plan, in the units of the model's metric. */
export function planAccuracy(model: ShardedModel, plan: PipelinePlan): number {
  const { fullPrecision, chance } = model.accuracy;
  return chance + (fullPrecision - chance) * (1 - planLoss(model, plan));
}
