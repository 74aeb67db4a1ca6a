import type { IterationModel, RequestCostModel } from '../profiles/model.js';
import type { ServiceEstimator } from './device.js';

/** Estimates of a request-level (slots) replica: the profile's own service time and energy. */
export function costEstimator(cost: RequestCostModel): ServiceEstimator {
  return { serviceS: (p, o) => cost.serviceS(p, o), energyJ: (p, o) => cost.energyJ(p, o) };
}

/**
 * Estimates of a batching replica serving one request alone: a prefill of the prompt (which
 * yields the first token), then o - 1 decode steps of a batch of one whose context starts at
 * p + 1 tokens. Energy is the batch-of-one busy power times that time.
 */
export function iterationEstimator(model: IterationModel): ServiceEstimator {
  const serviceS = (p: number, o: number) => model.prefillS(p) + model.decodeRunS(1, p + 1, Math.max(0, o - 1));
  return { serviceS, energyJ: (p, o) => model.busyPowerW(1) * serviceS(p, o) };
}
