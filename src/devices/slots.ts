import { z } from 'zod';
import { MAX_REPLICAS, MAX_SLOTS } from '../limits.js';
import { noiseField } from './noise-field.js';
import type { RequestCostModel } from '../profiles/model.js';
import type { Device, DeviceContext, DeviceStats, ServiceEstimator } from './device.js';
import { createWaitQueue } from './kit/wait-queue.js';

/** Scenario entry of a request-level device: `slots` concurrent requests (Wilkins et al. style). */
export const slotsDeviceSchema = z.strictObject({
  name: z.string().min(1).describe('Name of this device group; replicas are named <name>/<i>'),
  kind: z.literal('slots'),
  profile: z.string().min(1).describe('Profile file (form: bilinear), relative to the scenario file, or the name of a shipped profile (no "/", no .yaml/.json suffix; llmsim profiles lists them)'),
  replicas: z.number().int().positive().max(MAX_REPLICAS).default(1).describe(`Identical replicas of this device, at most ${MAX_REPLICAS}`),
  slots: z.number().int().positive().max(MAX_SLOTS).default(1).describe(`Requests one replica serves at once (model instances), at most ${MAX_SLOTS}`),
  noise: noiseField,
});
export type SlotsDeviceSpec = z.output<typeof slotsDeviceSchema>;

/**
 * Identity of a replica within the cluster, plus what its profile tells policies (accuracy, GPUs,
 * service estimates). Devices spread it into themselves, so every DeviceView carries it.
 */
export interface ReplicaIdentity {
  readonly index: number;
  readonly name: string;
  readonly group: string;
  readonly model: string;
  readonly accuracy?: number;
  readonly gpus?: number;
  readonly estimate?: ServiceEstimator;
}

/**
 * A request holds one of `slots` slots for r(tin, tout) seconds and costs e(tin, tout) joules;
 * waiting requests queue in policy order. This is the M/G/c server of queueing theory, which is
 * what makes it checkable against Erlang C and Pollaczek-Khinchine.
 */
export function createSlotsDevice(spec: SlotsDeviceSpec, cost: RequestCostModel, ctx: DeviceContext, id: ReplicaIdentity): Device {
  const { requests, lifecycle, engine, loads } = ctx;
  const queue = createWaitQueue(ctx.priority && ((rid: number) => ctx.priority!(requests[rid]!)));
  let busy = 0;
  let waiting = 0; // queue.size, kept here: routers read it for every replica on every arrival
  // Sums written at every start, as fields of one object: a closure's `let` holding a fractional
  // number is a boxed number, reallocated (and recorded by the write barrier) at each assignment.
  const sums = { busySlotS: 0, busyEnergyJ: 0 };
  let finished = 0;
  let served = 0; // finished, and abandoned by their client but run to their end
  let clampedCount = 0;

  function start(rid: number): void {
    const r = requests[rid]!;
    const serviceS = cost.serviceS(r.promptTokens, r.outputTokens);
    const energyJ = cost.energyJ(r.promptTokens, r.outputTokens);
    if (cost.clamped(r.promptTokens, r.outputTokens)) clampedCount++;
    busy++;
    sums.busySlotS += serviceS;
    sums.busyEnergyJ += energyJ;
    lifecycle.started(rid, id.index, engine.nowS);
    lifecycle.chargeEnergy(rid, energyJ);
    ctx.schedule(engine.nowS + serviceS, rid);
  }

  // The identity's fields one by one, not spread: every replica's object then has one hidden
  // class, so routers reading queued() and running() on each replica stay monomorphic (a spread
  // gave the 11th and later replicas another). A field added to ReplicaIdentity fails here.
  const { index, name, group, model: modelName, accuracy, gpus, estimate, ...rest } = id;
  rest satisfies Record<string, never>;
  return {
    index,
    name,
    group,
    model: modelName,
    accuracy,
    gpus,
    estimate,
    kind: 'slots',
    capacity: spec.slots,
    queued: () => waiting,
    running: () => busy,
    admit(rid) {
      if (busy < spec.slots) start(rid);
      else {
        queue.push(rid);
        waiting++;
      }
      if (loads) loads[id.index] = waiting + busy;
    },
    cancel(rid) {
      // A slot cannot stop a request in service: it runs to its end (then counts as timed out).
      if (lifecycle.hasStarted(rid)) return false;
      queue.remove(rid);
      waiting--;
      if (loads) loads[id.index] = waiting + busy;
      return true;
    },
    fire(rid) {
      busy--;
      served++;
      // A request whose client gave up ran to its end but counts as timed out, not finished.
      if (!lifecycle.abandoned(rid)) finished++;
      lifecycle.finished(rid, engine.nowS);
      if (waiting > 0) {
        waiting--;
        start(queue.shift());
      }
      if (loads) loads[id.index] = waiting + busy;
    },
    stats(windowS): DeviceStats {
      const idleSlotS = Math.max(0, spec.slots * windowS - sums.busySlotS);
      return {
        name: id.name,
        group: id.group,
        kind: 'slots',
        busyS: sums.busySlotS / spec.slots,
        busyEnergyJ: sums.busyEnergyJ,
        idleEnergyJ: cost.idlePowerW * idleSlotS,
        finished,
        iterations: served,
        preemptions: 0,
        clampedCount,
        peakKvTokens: 0,
        kvCapacityTokens: 0,
        energyScope: `per-request energy from the profile's energy model; idle ${cost.idlePowerW} W per slot`,
      };
    },
  };
}
