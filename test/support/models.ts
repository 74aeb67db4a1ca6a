import type { IterationModel, RequestCostModel } from '../../src/profiles/model.js';
import type { Request } from '../../src/workload/request.js';
import { continuousBatchingDeviceSchema, createContinuousBatchingDevice } from '../../src/devices/continuous-batching.js';
import { createSlotsDevice, slotsDeviceSchema } from '../../src/devices/slots.js';
import type { PreparedDeviceGroup } from '../../src/simulation/simulate.js';

/** Linear iteration model written independently of the profile code (decodeRunS by summation). */
export function testIterationModel(o: {
  prefill: [number, number, number?];
  decode: [number, number, number];
  busyW?: [number, number];
  idleW?: number;
  kvTokens: number;
}): IterationModel {
  const [p0, p1, p2 = 0] = o.prefill;
  const [d0, dB, dC] = o.decode;
  const step = (b: number, c: number) => d0 + dB * b + dC * c;
  const busy = (b: number) => (o.busyW ? o.busyW[0] + o.busyW[1] * b : 0);
  return {
    // Whole-pass price written out from the documented rule: the larger intercept once, token terms added.
    iterationS: (s) =>
      s.prefillSeqs + s.decodeSeqs === 0
        ? 0
        : Math.max(s.prefillSeqs > 0 ? p0 : 0, s.decodeSeqs > 0 ? d0 : 0) +
          p1 * s.prefillTokens + p2 * s.prefillTokens * s.prefillTokens + dB * s.decodeSeqs + dC * (s.decodeContextTokens + s.prefillPastTokens),
    iterationPowerW: (s) => busy(s.prefillSeqs + s.decodeSeqs),
    prefillS: (t) => p0 + p1 * t + p2 * t * t,
    decodeStepS: step,
    decodeRunS: (b, c, k) => k * (d0 + dB * b + dC * c) + (dC * b * k * (k - 1)) / 2,
    busyPowerW: busy,
    idlePowerW: o.idleW ?? 0,
    kvCapacityTokens: o.kvTokens,
  };
}

/** Service time = outputTokens * scaleS, no energy, no floor: lets tests choose service times freely. */
export function tokenTimeCost(scaleS: number): RequestCostModel {
  return { serviceS: (_p, o) => o * scaleS, energyJ: () => 0, clamped: () => false, idlePowerW: 0 };
}

export function cbGroup(model: IterationModel, spec: Record<string, unknown> = {}, replicas = 1): PreparedDeviceGroup {
  const parsed = continuousBatchingDeviceSchema.parse({ name: 'gpu', kind: 'continuous-batching', profile: 'test', replicas, scheduler: 'legacy', ...spec });
  return { name: parsed.name, kind: parsed.kind, model: 'm', replicas, create: (ctx, id) => createContinuousBatchingDevice(parsed, model, ctx, id) };
}

export function slotsGroup(cost: RequestCostModel, slots: number, replicas = 1): PreparedDeviceGroup {
  const parsed = slotsDeviceSchema.parse({ name: 'srv', kind: 'slots', profile: 'test', replicas, slots });
  return { name: parsed.name, kind: parsed.kind, model: 'm', replicas, create: (ctx, id) => createSlotsDevice(parsed, cost, ctx, id) };
}

export function req(id: number, arrivalS: number, promptTokens: number, outputTokens: number): Request {
  return { id, arrivalS, promptTokens, outputTokens };
}
