import type { Device, DeviceContext, DeviceStats, ServiceEstimator } from '../devices/device.js';
import { createHandoff, stageStats, type HandoffRuntime } from '../disaggregation/handoff.js';
import type { DisaggregationSpec } from '../disaggregation/schema.js';
import type { ReplicaIdentity } from '../devices/slots.js';
import { Engine } from '../engine/engine.js';
import { RecordTable, STATUS_FINISHED, STATUS_TIMED_OUT } from '../metrics/records.js';
import type { ClusterView, Policy, PolicyDefinition } from '../policies/policy.js';
import { refreshSOf, staleSignals } from '../policies/signals.js';
import type { Request } from '../workload/request.js';
import { classPriority, createAdmission, type AdmissionSpec, type ClassesSpec } from './admission.js';
import { createLifecycle } from './lifecycle.js';
import { createFleetController, withCarbon, type FleetController, type FleetRuntime } from '../fleet/controller.js';
import type { SimResult } from './result.js';

/** A device entry of the scenario with its files already loaded: builds replicas without I/O. */
export interface PreparedDeviceGroup {
  readonly name: string;
  readonly kind: string;
  /** Model its profile serves. */
  readonly model: string;
  readonly replicas: number;
  /** Leaderboard accuracy A_K of the model, %, when the profile gives one. */
  readonly accuracy?: number;
  /** GPUs of one model instance, from the profile. */
  readonly gpus?: number;
  /** Hardware id of the profile (a file in profiles/hardware/ when it has one: the group's default price). */
  readonly hardware?: string;
  /** Deterministic service estimates from the profile, shown to policies. */
  readonly estimate?: ServiceEstimator;
  /** Which profile the group runs, for people reading a run's output (name, form, where its numbers come from). */
  readonly profileLabel?: string;
  /** What the run's results should warn about this group (e.g. a profile without power data). */
  readonly warnings?: readonly string[];
  /** Bytes of the model's weights, when the profile tells (what an autoscaled replica loads while it boots). */
  readonly weightBytes?: number;
  /** True when the kind applied the group's power cap (fleet.groups.<name>.powerCap). */
  readonly powerCapped?: boolean;
  /** P/D disaggregation: the stage its replicas serve (batching groups with `role`). */
  readonly role?: 'prefill' | 'decode';
  /** KV-cache bytes per token of its model, when the profile gives the model's shape (P/D transfers). */
  readonly kvBytesPerToken?: number;
  /** True when its replicas keep the load board (`DeviceContext.loads`) when given one. */
  readonly keepsLoads?: boolean;
  create(ctx: DeviceContext, identity: ReplicaIdentity): Device;
}

export interface SimInput {
  /** Sorted by arrival, ids 0..n-1. */
  readonly requests: readonly Request[];
  readonly cluster: readonly PreparedDeviceGroup[];
  readonly policy: PolicyDefinition<any>;
  /** Parsed `policy.params`. */
  readonly policyParams: unknown;
  readonly seed: number;
  /**
   * Client concurrency limit: at most this many requests sent and not ended. A request due while
   * the limit is reached waits at the client and is sent (its arrival time set) when one ends.
   */
  readonly maxConcurrency?: number;
  /** The scenario's `fleet:` block (autoscaling, prices, power caps, carbon); undefined = off (src/fleet/). */
  readonly fleet?: FleetRuntime;
  /** P/D disaggregation (cluster.disaggregation); the groups' roles say which replicas serve which stage. */
  readonly disaggregation?: DisaggregationSpec;
  /** Request classes: priorities, rate limits (see admission.ts). Undefined: none. */
  readonly classes?: ClassesSpec;
  /** Admission control beyond the classes' rate limits (queue-length limit). Undefined: none. */
  readonly admission?: AdmissionSpec;
}

/**
 * Creates replica `r` of `group` as the next device: its context (the shared clock, requests,
 * lifecycle and hooks, with events of its own index and the policy's batch selection) and identity.
 */
export function addReplica(devices: Device[], group: PreparedDeviceGroup, r: number, base: Omit<DeviceContext, 'schedule' | 'selectBatch'>, policy: Policy): void {
  const index = devices.length;
  const { engine } = base;
  const ctx: DeviceContext = {
    ...base,
    schedule: (timeS, arg, afterArrivals) => engine.schedule(timeS, afterArrivals ? RANK_AFTER_ARRIVALS : RANK_DEVICE, index, arg),
    selectBatch: policy.selectBatch && ((waiting, maxBatch) => policy.selectBatch!(waiting, maxBatch, devices[index]!)),
  };
  const identity = { index, name: `${group.name}/${r}`, group: group.name, model: group.model, accuracy: group.accuracy, gpus: group.gpus, estimate: group.estimate };
  devices.push(group.create(ctx, identity));
}

const RANK_DEVICE = 0; // a replica's own events first: what finishes at t frees room for arrivals at t
const RANK_ARRIVAL = 1; // arrivals, and requests leaving the scheduler, in the order they got there
const RANK_AFTER_ARRIVALS = 2; // an idle replica's batch start: after every arrival at that instant

/**
 * Runs one simulation to completion. Pure: no I/O, no clock reads, no globals, so the same input
 * always gives the same result (what golden tests, sweeps and sharding rely on).
 */
export function simulate(input: SimInput): SimResult {
  checkSorted(input.requests);
  // What devices, policies and metrics see: a closed-loop turn gets its arrival time when sent.
  const requests: Request[] = input.requests.slice();
  const n = requests.length;
  const followerOf = followers(requests);
  const engine = new Engine();
  const records = new RecordTable(requests.length);
  const devices: Device[] = [];
  const carbonOf = (index: number) => input.fleet?.groups[groupOf[index]!]?.carbon;
  const fresh: ClusterView = {
    devices,
    nowS: () => engine.nowS,
    ...(input.fleet?.groups.some((g) => g?.carbon) && { gco2PerKwh: (index: number) => carbonOf(index)?.at(engine.nowS) ?? NaN }),
  };
  let fleet: FleetController | undefined;
  // Autoscaled groups build their largest size; the fleet controller decides which replicas are provisioned.
  const replicasOf = (g: number) => input.fleet?.groups[g]?.autoscale?.max ?? input.cluster[g]!.replicas;
  const groupOf = new Int32Array(input.cluster.reduce((a, _g, i) => a + replicasOf(i), 0));
  // With policy.params.refreshS the policy sees load signals as of the last refresh instant.
  const refreshS = refreshSOf(input.policyParams);
  const signals = refreshS === undefined ? undefined : staleSignals(devices, fresh.nowS);
  // The load board (ClusterView.loads), when every replica keeps it; never under stale signals,
  // whose loads are the last refresh's, not the board's.
  const loads = !signals && input.cluster.every((g) => g.keepsLoads) ? new Int32Array(groupOf.length) : undefined;
  const cluster: ClusterView = signals ? { ...fresh, devices: signals.cluster.devices } : loads ? { ...fresh, loads } : fresh;
  const policy = input.policy.create(input.policyParams, { seed: input.seed, cluster, workload: requests });
  const priority = classPriority(input.classes) ?? policy.priority?.bind(policy);
  const admission = createAdmission(input.classes, input.admission);
  const waiting = () => devices.reduce((sum, d) => sum + d.queued(), 0);
  const maxInFlight = input.maxConcurrency ?? Infinity;
  let inFlight = 0;
  const held: number[] = []; // requests due while the client was at its limit, FIFO
  let heldHead = 0;
  // When the last request that had started service ended (finished, dropped after its client gave
  // up, aborted): devices work on started requests only, so this bounds every replica's busy time.
  // Time of the last event that did something (lastEventS): stale events (a cut decode run's old
  // end, the timer of a request that already ended) fire later, and some only when fast-forwarding.
  // Both are fields of one object: a closure `let` holding a fraction is a boxed number,
  // reallocated at each assignment (here, at every event).
  const times = { lastServedEndS: -Infinity, lastEventS: 0 };
  const handedSlot = Number.isFinite(maxInFlight) ? new Uint8Array(n) : undefined; // sent into an ended request's slot
  const onEnd = (id: number) => {
    fleet?.onEnd(id);
    if (lifecycle.hasStarted(id) && engine.nowS > times.lastServedEndS) times.lastServedEndS = engine.nowS;
    // The slot passes straight to the longest-held request (so nothing sent at this instant can take it).
    if (heldHead < held.length) {
      const rid = held[heldHead++]!;
      handedSlot![rid] = 1;
      engine.schedule(engine.nowS, RANK_ARRIVAL, sent, rid);
    } else inFlight--;
    // A client sends its next turn a think time after the end it saw: for a time-out, when it gave up
    // (the device may drop the request a little later, at its next iteration boundary).
    const next = followerOf[id]!;
    if (next < 0) return;
    const endS = records.status[id] === STATUS_TIMED_OUT ? records.timedOutS[id]! : engine.nowS;
    engine.schedule(Math.max(engine.nowS, endS + requests[next]!.followUp!.thinkS), RANK_ARRIVAL, sent, next);
  };
  const baseLifecycle = createLifecycle(records, policy.onFinish && ((id: number) => policy.onFinish!(requests[id]!, cluster)), onEnd);
  const carbon = input.fleet && withCarbon(baseLifecycle, input.fleet, records, groupOf, engine);
  const lifecycle = carbon?.lifecycle ?? baseLifecycle;
  const routedTo = new Int32Array(n).fill(-1);
  // P/D: prefill replicas hand requests over to decode replicas (event target `landing`).
  let pd: HandoffRuntime | undefined;
  const overheadS = policy.overheadS ?? 0;
  if (!(overheadS >= 0 && overheadS < Infinity)) throw new Error(`policy ${input.policy.name}: overheadS must be a finite number >= 0, got ${overheadS}`);

  if (input.disaggregation) {
    pd = createHandoff({
      spec: input.disaggregation,
      requests,
      devices,
      cluster,
      lifecycle,
      routedTo,
      bytesPerToken: (index) => input.disaggregation!.kvBytesPerToken ?? input.cluster[groupOf[index]!]!.kvBytesPerToken!,
      scheduleLanding: (timeS, rid) => engine.schedule(timeS, RANK_DEVICE, landing, rid),
    });
  }
  const groupFirst: number[] = [];
  input.cluster.forEach((group, g) => {
    groupFirst.push(devices.length);
    for (let r = 0; r < replicasOf(g); r++) {
      groupOf[devices.length] = g;
      addReplica(devices, group, r, { engine, requests, lifecycle, seed: input.seed, priority, loads, ...(pd && { handoff: pd.handoff }) }, policy);
    }
  });
  if (devices.length === 0) throw new Error('simulate: the cluster has no replicas');
  // P/D: requests enter at prefill replicas (decode replicas are chosen by the handoff).
  const entry = pd ? devices.filter((d) => d.role === 'prefill') : devices;
  const eligibleByModel = eligibility(entry);
  const all = entry.map((d) => d.index);
  const isEligible = eligibilityCheck(devices.length);

  const arrivals = devices.length; // event target of the arrival stream (open-loop requests)
  const decided = devices.length + 1; // event target of "the scheduler is done with request arg"
  const sent = devices.length + 2; // event target of a closed-loop turn sent by its client
  const expired = devices.length + 3; // event target of a client's timeout
  const landing = devices.length + 4; // event target of a P/D KV transfer landing on its decode replica
  const fleetTarget = devices.length + 5; // event target of the fleet controller (src/fleet/controller.ts)
  if (input.fleet) {
    fleet = createFleetController(input.fleet, {
      engine,
      devices,
      requests,
      records,
      groupOf,
      groupFirst,
      groupCount: input.cluster.map((_g, i) => replicasOf(i)),
      groupNames: input.cluster.map((g) => g.name),
      groupGpus: input.cluster.map((g) => g.gpus ?? 1),
      initial: input.cluster.map((g, i) => input.fleet!.groups[i]?.autoscale?.initial ?? g.replicas),
      schedule: (timeS, arg, rank) => engine.schedule(timeS, rank === 'device' ? RANK_DEVICE : RANK_AFTER_ARRIVALS, fleetTarget, arg),
      dispatch: (id) => dispatch(id),
      requestCo2G: carbon?.requestCo2G,
    });
  }
  const refreshed = devices.length + 6; // event target of a refresh of the stale signals
  let refreshK = 1; // the next refresh instant is refreshK x refreshS
  let settled = 0; // requests routed, or never to be (no replica serves them, gone before routing)
  if (signals) {
    signals.refresh(); // the state before anything happens
    engine.schedule(refreshS!, RANK_DEVICE, refreshed, 0);
  }
  // The scheduler is one FIFO server: with a constant overhead, request i leaves it at
  // max(arrival_i, leave_{i-1}) + overheadS, so its departure can be scheduled on arrival.
  let schedulerFreeS = 0;
  const eligibleOf = (id: number) => {
    const model = requests[id]!.model;
    return model === undefined ? all : eligibleByModel.get(model);
  };
  const dispatch = (id: number) => {
    settled++;
    if (!lifecycle.isPending(id)) return; // its client gave up while the scheduler decided
    let eligible: readonly number[] = eligibleOf(id)!;
    if (fleet) {
      eligible = fleet.ready(eligible);
      if (eligible.length === 0) {
        fleet.hold(id); // no replica of its model is ready: it waits at the router
        settled--; // not routed yet: the fleet dispatches it again once a replica is ready
        return;
      }
    }
    const chosen = policy.route(requests[id]!, eligible, cluster);
    if (!isEligible(eligible, chosen)) throw new Error(`policy ${input.policy.name} routed request ${id} to replica ${chosen}, which is not eligible`);
    routedTo[id] = chosen;
    devices[chosen]!.admit(id);
  };
  const nextOpen = (from: number) => {
    let i = from;
    while (i < n && requests[i]!.followUp) i++;
    return i;
  };
  const first = nextOpen(0);
  if (first < n) engine.scheduleHeld(requests[first]!.arrivalS, RANK_ARRIVAL, arrivals, first);
  if (first < n) fleet?.start(requests[first]!.arrivalS);
  engine.run((target, arg) => {
    if (target < arrivals) {
      if (devices[target]!.fire(arg) !== false) times.lastEventS = engine.nowS;
      fleet?.afterDeviceEvent(target);
      return;
    }
    if (target === fleetTarget) {
      fleet!.fire(arg); // scaling does not end a run: lastEventS is left as it is
      return;
    }
    if (target === decided) {
      if (lifecycle.isPending(arg)) times.lastEventS = engine.nowS;
      dispatch(arg);
      return;
    }
    if (target === landing) {
      times.lastEventS = engine.nowS;
      pd!.landed(arg);
      return;
    }
    if (target === refreshed) {
      // At instant k x refreshS (arg 0) the snapshot waits behind every replica event already due
      // then (arg 1), so it sees them all, and is taken before the instant's arrivals are routed.
      if (arg === 0) return engine.schedule(engine.nowS, RANK_DEVICE, refreshed, 1);
      signals!.refresh();
      if (settled < n && engine.pending > 0) engine.schedule(++refreshK * refreshS!, RANK_DEVICE, refreshed, 0);
      return;
    }
    if (target === expired) {
      if (!lifecycle.isPending(arg)) return;
      times.lastEventS = engine.nowS;
      const at = routedTo[arg]!;
      if (at < 0 || devices[at]!.cancel(arg)) lifecycle.timedOut(arg, engine.nowS);
      else lifecycle.abandon(arg, engine.nowS);
      return;
    }
    times.lastEventS = engine.nowS;
    if (target === arrivals) {
      const next = nextOpen(arg + 1);
      if (next < n) engine.scheduleHeld(requests[next]!.arrivalS, RANK_ARRIVAL, arrivals, next);
    }
    if (handedSlot?.[arg] !== 1) {
      if (inFlight >= maxInFlight) {
        held.push(arg); // sent when a request in flight ends
        return;
      }
      inFlight++;
    }
    if (target !== arrivals && requests[arg]!.arrivalS !== engine.nowS) requests[arg] = { ...requests[arg]!, arrivalS: engine.nowS }; // sent: its arrival is now
    const request = requests[arg]!;
    if (request.timeoutS !== undefined) engine.schedule(engine.nowS + request.timeoutS, RANK_ARRIVAL, expired, arg);
    if (!eligibleOf(arg)) {
      settled++;
      lifecycle.rejected(arg, `no device serves model "${request.model}"`);
      return;
    }
    const refused = admission?.(request, engine.nowS, waiting);
    if (refused !== undefined) {
      settled++; // never to be routed
      lifecycle.rejected(arg, refused);
      return;
    }
    if (overheadS === 0) {
      dispatch(arg);
      return;
    }
    schedulerFreeS = Math.max(engine.nowS, schedulerFreeS) + overheadS;
    engine.schedule(schedulerFreeS, RANK_ARRIVAL, decided, arg);
  });

  lifecycle.checkSettled();
  const endS = times.lastEventS;
  const window = runWindow(requests, records, endS, times.lastServedEndS);
  let stats = devices.map((d): DeviceStats => ({ ...d.stats(window.endS - window.startS), model: d.model, accuracyPct: d.accuracy }));
  const closed = fleet?.finish(window, stats);
  if (closed) stats = closed.stats;
  const clamped = stats
    .filter((s) => s.clampedCount > 0)
    .map((s) => `${s.name}: ${s.clampedCount} request(s) had profile values below the floor and were clamped`);
  const warnings = [...input.cluster.flatMap((g) => g.warnings ?? []), ...clamped];
  const disaggregation = pd && { transfers: pd.transfers, stages: stageStats(devices, stats.map((s) => s.busyS)) };
  return { requests, records, devices: stats, endS, window, events: engine.processed, warnings, ...(closed && { fleet: closed.result }), ...(disaggregation && { disaggregation }) };
}

/**
 * The window every rate, utilization and idle energy is measured over: first arrival to the last
 * finish or time-out, or later when a replica still served a request after that (one whose client
 * had given up, which slots, static-batching and edge replicas run to its end and batching
 * replicas drop at their next iteration boundary; or one aborted in service), so that no replica
 * is busy outside the window (utilization <= 1). Empty when nothing started, finished or timed
 * out. Not the run's end: a request's timer or a cut decode run's old end may still fire later.
 */
function runWindow(requests: readonly Request[], records: RecordTable, endS: number, lastServedEndS: number): { startS: number; endS: number } {
  if (requests.length === 0) return { startS: 0, endS };
  let lastS = lastServedEndS;
  for (let i = 0; i < requests.length; i++) {
    const status = records.status[i];
    const t = status === STATUS_FINISHED ? records.finishS[i]! : status === STATUS_TIMED_OUT ? records.timedOutS[i]! : -Infinity;
    if (t > lastS) lastS = t;
  }
  const startS = requests[0]!.arrivalS;
  return { startS, endS: Math.max(startS, lastS) };
}

/**
 * Whether a policy's choice is a member of the eligible set it was given, in O(1) per routed
 * request: a per-replica mask per eligible array, built the first time that array is seen. The
 * arrays are memoized (`all`, one per model, the fleet's ready lists until its state changes), so
 * each mask is built once; the last array's mask is kept at hand, so a cluster serving one model
 * pays one comparison and one load. A non-integer or out-of-range choice reads no 1: not eligible.
 */
export function eligibilityCheck(replicas: number): (eligible: readonly number[], chosen: number) => boolean {
  const masks = new WeakMap<readonly number[], Uint8Array>();
  let last: readonly number[] | undefined;
  let lastMask: Uint8Array = new Uint8Array(0);
  // Another array than last time: its mask (built the first time). Apart, so that the check itself
  // stays small enough for the optimizing compiler to inline at the call site.
  const switchTo = (eligible: readonly number[], chosen: number): boolean => {
    let mask = masks.get(eligible);
    if (mask === undefined) {
      mask = new Uint8Array(replicas);
      for (const i of eligible) mask[i] = 1;
      masks.set(eligible, mask);
    }
    last = eligible;
    lastMask = mask;
    return mask[chosen] === 1;
  };
  return (eligible, chosen) => (eligible === last ? lastMask[chosen] === 1 : switchTo(eligible, chosen));
}

export function eligibility(devices: readonly Device[]): Map<string, number[]> {
  const byModel = new Map<string, number[]>();
  for (const d of devices) {
    const list = byModel.get(d.model) ?? [];
    list.push(d.index);
    byModel.set(d.model, list);
  }
  return byModel;
}

/** Open-loop requests (no followUp) must come sorted by arrival; request 0 must be one of them. */
function checkSorted(requests: readonly Request[]): void {
  let last = -Infinity;
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    if (r.id !== i) throw new Error(`simulate: request at position ${i} has id ${r.id}`);
    if (r.followUp) {
      if (i === 0) throw new Error('simulate: request 0 is a follow-up; the first request must be sent by the open loop');
      continue;
    }
    if (r.arrivalS < last) throw new Error(`simulate: requests not sorted by arrival at id ${i}`);
    last = r.arrivalS;
  }
}

/** followerOf[id] = the turn sent after request id ends, or -1. */
function followers(requests: readonly Request[]): Int32Array {
  const followerOf = new Int32Array(requests.length).fill(-1);
  for (const r of requests) {
    if (!r.followUp) continue;
    const { after, thinkS } = r.followUp;
    if (!(after >= 0 && after < r.id) || followerOf[after] !== -1) throw new Error(`simulate: request ${r.id} follows ${after}, which is not an earlier request without another follower`);
    if (!(thinkS >= 0 && thinkS < Infinity)) throw new Error(`simulate: request ${r.id} has think time ${thinkS}`);
    followerOf[after] = r.id;
  }
  return followerOf;
}
