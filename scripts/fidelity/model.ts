/** Building runtime models straight from fitted coefficients (no file round trip). */
import { compileIteration } from '../../src/profiles/iteration.js';
import type { IterationModel } from '../../src/profiles/model.js';
import type { IterationProfile } from '../../src/profiles/schema.js';

/** An iteration model from coefficients; no memory block (KV unbounded) unless given. */
export function iterationModel(
  prefill: [number, number, number],
  decode: [number, number, number],
  power?: { busyW: number; busyWPerSeq: number; idleW?: number },
): IterationModel {
  const p = {
    name: 'fidelity',
    form: 'iteration',
    model: 'm',
    hardware: 'h',
    gpus: 1,
    provenance: { source: 'fidelity', derivation: 'fidelity' },
    prefill: { c0: prefill[0], c1: prefill[1], c2: prefill[2] },
    decode: { c0: decode[0], perSeq: decode[1], perContextToken: decode[2] },
    ...(power ? { power: { idleW: power.idleW ?? 0, busyW: power.busyW, busyWPerSeq: power.busyWPerSeq } } : {}),
  } as IterationProfile;
  return compileIteration(p);
}
