import type { z } from 'zod';
import type { DeviceView } from '../devices/device.js';
import type { Request } from '../workload/request.js';

/** What a non-oracle policy may see of a request: everything but the true output length. */
export type RequestView = Omit<Request, 'outputTokens'>;

/** The cluster as policies see it: replicas (read-only) and the clock. */
export interface ClusterView {
  readonly devices: readonly DeviceView[];
  nowS(): number;
  /** Grid carbon intensity of replica `index`'s group now, gCO2/kWh (only with a `fleet.carbon` series). */
  gco2PerKwh?(index: number): number;
  /**
   * queued() + running() of every replica, by index, kept current by the replicas themselves: given
   * only when every replica keeps it (a streamed run of `slots` replicas), so least-loaded reads a
   * number per replica instead of calling two functions. Equal to what those functions return.
   */
  readonly loads?: Int32Array;
}

/**
 * A scheduling policy: routing (which replica gets an arriving request) and, optionally, the
 * order in which a replica serves its waiting requests.
 */
export interface Policy {
  /** Returns one of `eligible` (replicas serving the request's model): where the request goes. */
  route(request: RequestView, eligible: readonly number[], cluster: ClusterView): number;
  /** Static priority key of a waiting request, smaller first; omit for FCFS. */
  priority?(request: RequestView): number;
  /** Called when a request finishes (learning policies update here). */
  onFinish?(request: Request, cluster: ClusterView): void;
  /**
   * Scheduler seconds each arriving request costs (e.g. running a length predictor). simulate()
   * then serves arrivals on one scheduler, first come first served, each taking this long before
   * it is routed, so the overhead shows up in queueing delay. Omitted or 0: routed on arrival.
   */
  readonly overheadS?: number;
  /**
   * Members of the next batch of a static-batching replica (RT-LM consolidation): up to `maxBatch`
   * request ids out of `waiting` (ids in queue order, not to be kept). Omit for the queue's first
   * `maxBatch`.
   */
  selectBatch?(waiting: readonly number[], maxBatch: number, device: DeviceView): readonly number[];
}

/** Everything a policy is created with. */
export interface PolicyEnv {
  /** Scenario seed: derive named random streams from it, never Math.random. */
  readonly seed: number;
  /** Replicas appear in `devices` once the simulation starts: read them in `route`, not in `create`. */
  readonly cluster: ClusterView;
  /**
   * The whole request list, in arrival order (index = id), true output lengths included. This is
   * offline knowledge: oracle policies and offline planners (declared `oracle: true`) may read
   * lengths from it; other policies use it only to size per-request tables.
   */
  readonly workload: readonly Request[];
}

/** A registry entry: one file per policy exports one of these. */
export interface PolicyDefinition<P = unknown> {
  readonly name: string;
  /** One line for `llmsim policies` and the README. */
  readonly description: string;
  /** zod schema of `policy.params` (strict, with defaults). */
  readonly params: z.ZodType<P>;
  /** True when the policy reads true output lengths (a bound, not a deployable policy). */
  readonly oracle?: boolean;
  /**
   * True when the policy reads the whole workload up front (`PolicyEnv.workload`, e.g. offline
   * assignment): such a run keeps every request in memory and is never streamed (`llmsim run --stream`).
   */
  readonly needsWorkload?: boolean;
  /**
   * Loads what the policy needs before it can run (the LP solver, WebAssembly, which loads
   * asynchronously): awaited by `loadPolicies` before simulating, so other commands and policies
   * never pay for it.
   */
  readonly load?: () => Promise<unknown>;
  create(params: P, env: PolicyEnv): Policy;
}

/** Helper that keeps a definition's params type while storing it in a heterogeneous registry. */
export function definePolicy<P>(def: PolicyDefinition<P>): PolicyDefinition<P> {
  return def;
}
