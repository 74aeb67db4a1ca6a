/**
 * The scenario's `fleet:` block (off when absent): autoscaling, prices, power caps and grid carbon
 * intensity, per device group (keyed by the device entry's name). See docs/fleet.md.
 */
import { z } from 'zod';
import { MAX_REPLICAS, MAX_TIME_S, MIN_RATE_SCALE, MAX_RATE_SCALE } from '../limits.js';

/** What the autoscaler watches; `slo-miss` needs the scenario's `slo`. */
export const AUTOSCALE_SIGNALS = ['queue', 'utilization', 'kv', 'slo-miss'] as const;
export type AutoscaleSignal = (typeof AUTOSCALE_SIGNALS)[number];

const seconds = (what: string) => z.number().min(0).max(MAX_TIME_S).describe(what);

export const autoscaleSchema = z
  .strictObject({
    min: z.number().int().min(0).max(MAX_REPLICAS).default(1).describe('Fewest replicas kept provisioned (0 = scale to zero)'),
    max: z.number().int().min(1).max(MAX_REPLICAS).describe('Most replicas provisioned at once'),
    initial: z.number().int().min(0).max(MAX_REPLICAS).optional().describe("Replicas ready at time 0 (default: the device entry's `replicas`); min <= initial <= max"),
    signal: z
      .enum(AUTOSCALE_SIGNALS)
      .describe('queue: requests waiting per ready replica (router queue included); utilization: running / capacity over ready replicas; kv: mean KV-cache use of ready replicas (batching kinds); slo-miss: fraction of the requests that ended in the last windowS that missed the scenario slo'),
    upAbove: z.number().min(0).max(1e9).describe('Add `step` replicas when the signal is above this'),
    downBelow: z.number().min(0).max(1e9).describe('Remove `step` replicas (drain them) when the signal is below this'),
    step: z.number().int().min(1).max(MAX_REPLICAS).default(1).describe('Replicas added or removed per decision'),
    intervalS: z.number().positive().max(MAX_TIME_S).default(15).describe('Seconds between decisions (the first at time 0)'),
    windowS: z.number().positive().max(MAX_TIME_S).default(60).describe('Look-back window of the slo-miss signal, s'),
    upCooldownS: seconds('No scale-up within this many seconds of the last scale-up').default(60),
    downCooldownS: seconds('No scale-down within this many seconds of the last scale event').default(300),
    bootS: seconds('Provisioning time before the weights load (node, container and engine start), s').default(0),
    storageBytesPerS: z.number().positive().max(1e15).optional().describe('Bandwidth the weights load at, bytes/s (none: weights load instantly)'),
    weightsOf: z.string().min(1).optional().describe('Id of a model in profiles/models/ whose architecture gives the weight bytes (e.g. llama-3.1-8b), for a profile without them'),
    weightBytes: z.number().positive().max(1e15).optional().describe("Bytes of weights to load (default: from weightsOf, else the profile's memory.weightBytes or a transformer profile's architecture)"),
  })
  .superRefine((a, ctx) => {
    if (a.min > a.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `expected min <= max (${a.max})` });
    if (a.initial !== undefined && (a.initial < a.min || a.initial > a.max)) ctx.addIssue({ code: 'custom', path: ['initial'], message: `expected min (${a.min}) <= initial <= max (${a.max})` });
    if (a.downBelow > a.upAbove) ctx.addIssue({ code: 'custom', path: ['downBelow'], message: `expected downBelow <= upAbove (${a.upAbove})` });
  });
export type AutoscaleSpec = z.output<typeof autoscaleSchema>;

export const powerCapSchema = z.strictObject({
  wattsPerGpu: z.number().positive().max(1e5).describe('Board power limit of each GPU, W (nvidia-smi -pl)'),
  prefillWattsPerGpu: z
    .number()
    .positive()
    .max(1e5)
    .describe("Power a pass with prompt tokens would draw uncapped, per GPU, W: the GPU's TDP from its spec sheet (compute-bound prefill runs at the board limit), e.g. 700 for H100 SXM"),
  exponent: z.number().positive().max(10).optional().describe('Slowdown exponent a: time x (demand/cap)^a when demand > cap (default 0.7356, fitted to the Splitwise power-capped H100 rows; docs/fleet.md)'),
});
export type PowerCapSpec = z.output<typeof powerCapSchema>;

export const carbonSchema = z.strictObject({
  path: z.string().min(1).describe("CSV of grid carbon intensity: columns time_s, gco2_per_kwh (a step function); relative to the scenario file's directory"),
  rateScale: z.number().min(MIN_RATE_SCALE).max(MAX_RATE_SCALE).default(1).describe('Replay the series k times faster (use the workload rateScale to keep them aligned): the intensity at simulated time t is the series value at t*k'),
});
export type CarbonSpec = z.output<typeof carbonSchema>;

export const fleetGroupSchema = z.strictObject({
  pricePerGpuHour: z.number().min(0).max(1e6).optional().describe("Price of one GPU for one hour, USD; overrides the first `pricing` entry of the group's hardware file (profiles/hardware/<the profile's hardware>.yaml), the default (give this price's source in the description)"),
  autoscale: autoscaleSchema.optional().describe('Add and remove replicas of this group from a signal'),
  powerCap: powerCapSchema.optional().describe('Cap each GPU of this group (batching kinds only)'),
  carbon: carbonSchema.optional().describe("This group's grid carbon intensity (overrides fleet.carbon)"),
});
export type FleetGroupSpec = z.output<typeof fleetGroupSchema>;

export const fleetSchema = z.strictObject({
  groups: z.record(z.string(), fleetGroupSchema).default({}).describe('Settings per device group, by its name'),
  carbon: carbonSchema.optional().describe('Grid carbon intensity of every group without its own'),
});
export type FleetSpec = z.output<typeof fleetSchema>;
