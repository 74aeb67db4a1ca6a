/** The Wilkins et al. request-level model compiled from a bilinear profile. */
import type { RequestCostModel } from './model.js';
import type { BilinearProfile } from './schema.js';

/**
 * value = a0*tin + a1*tout + a2*tin*tout + a3*tout^2 (a3 optional, default 0), clamped at the
 * profile's floor. The published fits have a0 < 0, so the raw value goes negative for long prompts
 * with short outputs; `clamped` reports it.
 */
export function compileBilinear(p: BilinearProfile): RequestCostModel {
  const { a0: r0, a1: r1, a2: r2, a3: r3 = 0 } = p.runtime;
  const floorS = p.floor.runtimeS;
  const floorJ = p.floor.energyJ;
  const rawS = (tin: number, tout: number): number => r0 * tin + r1 * tout + r2 * tin * tout + r3 * tout * tout;
  const e = p.energy;
  if (!e) {
    return {
      serviceS: (tin, tout) => Math.max(floorS, rawS(tin, tout)),
      energyJ: () => NaN,
      clamped: (tin, tout) => rawS(tin, tout) < floorS,
      idlePowerW: p.idlePowerW,
    };
  }
  const { a0: e0, a1: e1, a2: e2, a3: e3 = 0 } = e;
  const rawJ = (tin: number, tout: number): number => e0 * tin + e1 * tout + e2 * tin * tout + e3 * tout * tout;
  return {
    serviceS: (tin, tout) => Math.max(floorS, rawS(tin, tout)),
    energyJ: (tin, tout) => Math.max(floorJ, rawJ(tin, tout)),
    clamped: (tin, tout) => rawS(tin, tout) < floorS || rawJ(tin, tout) < floorJ,
    idlePowerW: p.idlePowerW,
  };
}
