import type { KvHandoff } from '../disaggregation/handoff.js';
import type { Engine } from '../engine/engine.js';
import type { Lifecycle } from '../simulation/lifecycle.js';
import type { Request } from '../workload/request.js';

/** Counters a device replica reports at the end of a run. */
export interface DeviceStats {
  /** Replica name, `<group>/<index>`, e.g. `h100/0`. */
  readonly name: string;
  /** The scenario device entry it came from. */
  readonly group: string;
  /** Execution model: `slots`, `continuous-batching`, ... */
  readonly kind: string;
  /** Seconds of work, normalized to the replica's capacity (for `slots`: busy slot-seconds / slots). */
  readonly busyS: number;
  /** Energy while working, J. */
  readonly busyEnergyJ: number;
  /** Energy while idle: idle power x the run window's time not spent busy, J. */
  readonly idleEnergyJ: number;
  /** Requests it finished. */
  readonly finished: number;
  /** Iterations it ran (batching devices), or requests served (slots). */
  readonly iterations: number;
  /** Requests preempted by recompute. */
  readonly preemptions: number;
  /** Times a profile value was clamped at its floor. */
  readonly clampedCount: number;
  /** Peak KV-cache use in tokens (batching devices), 0 otherwise. */
  readonly peakKvTokens: number;
  /** KV-cache capacity in tokens (batching devices), 0 otherwise. */
  readonly kvCapacityTokens: number;
  /** What the energy figures count, e.g. "per-request GPU energy from profile; idle 0 W". */
  readonly energyScope: string;
  /**
   * Figures only some kinds have, by name with units (e.g. `meanBatchSize`, `meanAccuracyPct`,
   * `maxPeakMemoryBytes`); reported as is under the device in summary.json.
   */
  readonly extra?: Readonly<Record<string, number>>;
  /** Model the replica served; simulate() fills it in (devices need not). */
  readonly model?: string;
  /** Leaderboard accuracy A_K of that model, %, when its profile gives one; filled in by simulate(). */
  readonly accuracyPct?: number;
}

/**
 * Profile-based estimate of one request served alone on a replica (no queue, batch of one).
 * Policies call it with *predicted* output lengths, so no truth leaks through it; it is built from
 * the deterministic profile, never a noisy one, so asking costs no random draws.
 */
export interface ServiceEstimator {
  /** Seconds of service. */
  serviceS(promptTokens: number, outputTokens: number): number;
  /** Joules of service; NaN when the profile has no energy model. */
  energyJ(promptTokens: number, outputTokens: number): number;
}

/** Read-only state of a replica that routing policies may look at. */
export interface DeviceView {
  /** Index among all replicas of the cluster (what `route` returns). */
  readonly index: number;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  /** Model the replica serves (from its profile), for model-aware routing. */
  readonly model: string;
  /** Requests waiting on this replica. */
  queued(): number;
  /** Requests in service (slots held, or sequences in the running batch). */
  running(): number;
  /** Concurrent requests the replica can serve at most (slots, or max batch size). */
  readonly capacity: number;
  /** Leaderboard accuracy A_K of the model, %, when the profile gives one (accuracy-aware routing). */
  readonly accuracy?: number;
  /** GPUs (accelerators) of one model instance, from the profile. */
  readonly gpus?: number;
  /** Service estimates from the profile, for routing that predicts completion or energy. */
  readonly estimate?: ServiceEstimator;
  /** P/D disaggregation: the replica's stage (prefill replicas emit the first token, decode replicas the rest); undefined = both. */
  readonly role?: 'prefill' | 'decode';
  /**
   * KV blocks in use / capacity, 0..1 (batching devices; free cached prefix blocks count as free,
   * as vLLM's kv_cache_usage). Undefined for kinds without a KV cache.
   */
  kvUtilization?(): number;
  /**
   * Prompt tokens of `request` this replica's prefix cache holds now: what it would reuse if it
   * started now (whole blocks from the first token, never the whole prompt). Read-only (no LRU
   * order or reference change): a router may ask every replica. Undefined: no prefix cache.
   */
  cachedPrefixTokens?(request: Pick<Request, 'prefix' | 'promptTokens' | 'outputId'>): number;
}

/** What the simulation hands a device: the clock, the requests, where to report their stages, hooks. */
export interface DeviceContext {
  readonly engine: Engine;
  readonly requests: readonly Request[];
  /** Where the device reports each request's stages (start, first token, finish, ...); it owns the records. */
  readonly lifecycle: Lifecycle;
  /**
   * Schedules one of this device's own events; `arg` comes back to `fire`. Device events at a time
   * run before arrivals at that time (what finishes frees room for them), unless `afterArrivals`:
   * then every request arriving at that instant has been admitted first (an idle replica uses it
   * to start a batch with all of them, as a scheduler loop would).
   */
  schedule(timeS: number, arg: number, afterArrivals?: boolean): void;
  /** Scenario seed, for replicas that draw random numbers (residual noise). */
  readonly seed: number;
  /** Priority key for waiting request `id` (smaller runs first); undefined = FCFS. */
  readonly priority?: (request: Request) => number;
  /**
   * Members of the next batch of a static-batching replica, chosen among `waiting` (request ids in
   * queue order; read it, do not keep it): at most `maxBatch` ids. Undefined = the queue's first
   * `maxBatch`.
   */
  readonly selectBatch?: (waiting: readonly number[], maxBatch: number) => readonly number[];
  /** P/D disaggregation: where replicas with a role report prefilled requests and KV reservations. */
  readonly handoff?: KvHandoff;
  /**
   * When given, the replica keeps `loads[index]` equal to its queued() + running() after every
   * change (the cluster's load board, `ClusterView.loads`). Only kinds that implement it get one.
   */
  readonly loads?: Int32Array;
}

/** A device replica: receives routed requests and its own events, reports stats at the end. */
export interface Device extends DeviceView {
  /** Request `id` was routed here at the engine's current time. */
  admit(id: number): void;
  /**
   * One of this device's own events fired at the engine's current time. Returns false when the
   * event was stale and did nothing (a decode run's end after the run was cut): the run's end time
   * (SimResult.endS) is that of the last event that did something, so it does not depend on
   * fast-forwarding.
   */
  fire(arg: number): boolean | void;
  /**
   * The client of request `id` (routed here, not ended) gives up now. Returns true when the request
   * was waiting and is taken out (the caller records the time-out); false when it is in service
   * (the caller marks it abandoned; the device ends it when it can: see Lifecycle.abandon).
   */
  cancel(id: number): boolean;
  /**
   * Closes the accounts and reports. `windowS` is the length of the run's window (first arrival to
   * last finish), the one utilization and throughput use: idle energy counts its time not busy.
   */
  stats(windowS: number): DeviceStats;
  /**
   * P/D, decode replicas: prefilled request `id` was routed here; it waits for KV room, then the
   * replica reserves it and reports `handoff.reserved`. Returns why the replica refuses it, or undefined.
   */
  receive?(id: number): string | undefined;
  /** P/D, decode replicas: the KV of request `id` arrived; it joins the batch at the next boundary. */
  land?(id: number): void;
  /** P/D, prefill replicas: the KV of request `id` was sent (or is no longer needed): free it. */
  release?(id: number): void;
}
