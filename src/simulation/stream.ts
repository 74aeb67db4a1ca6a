/**
 * The streamed run: requests are pulled from a source as the simulation clock reaches them, and
 * each request's outcome is handed to a sink (summary accumulators, requests.csv) and forgotten, so
 * memory follows the requests in flight, not the workload's size.
 *
 * Same semantics as `simulate` for the workloads it accepts (open loop: no closed-loop turns, no
 * client timeouts, no concurrency limit; see `scenarioNotStreamable`, src/scenario/stream-run.ts): the same events in the same order, so
 * the same floats. Devices and policies see requests through the same `DeviceContext.requests`
 * array and `RecordTable`, indexed by a *slot*, not by id: a slot is taken when a request arrives
 * and given back once it ended and every request before it was handed to the sink (the sink sees
 * requests in id order, as requests.csv and the summary list them). `Request.id` keeps the id.
 */
import type { Device, DeviceStats } from '../devices/device.js';
import { Engine } from '../engine/engine.js';
import { RecordTable, STATUS_FINISHED, STATUS_PENDING, STATUS_TIMED_OUT } from '../metrics/records.js';
import type { ClusterView } from '../policies/policy.js';
import type { Request } from '../workload/request.js';
import { createLifecycle } from './lifecycle.js';
import type { SimResult } from './result.js';
import { addReplica, eligibility, eligibilityCheck, type SimInput } from './simulate.js';

/** Requests in id order (0, 1, ...), sorted by arrival; undefined when there are no more. */
export interface RequestSource {
  next(): Request | undefined;
}

/** Receives each request once it ended, in id order; `row` is its row of `records`, valid during the call. */
export interface RequestSink {
  take(request: Request, records: RecordTable, row: number): void;
}

/** A streamed run's input: a simulation input whose requests come from a source. */
export interface StreamInput extends Omit<SimInput, 'requests' | 'maxConcurrency'> {
  readonly source: RequestSource;
}

/** What a streamed run produced besides what its sink took: SimResult's run-wide fields, with the request count. */
export interface StreamResult extends Pick<SimResult, 'devices' | 'endS' | 'window' | 'events' | 'warnings'> {
  readonly total: number;
  /** Most requests held at once (in flight, or ended and waiting for an earlier one to end). */
  readonly peakHeld: number;
}

const RANK_ARRIVAL = 1; // as in simulate.ts (replica events: addReplica)

/** Runs one streamed simulation to completion. Pure but for what the source and sink do. */
export function simulateStream(input: StreamInput, sink: RequestSink): StreamResult {
  const requests: Request[] = []; // by slot
  const records = new RecordTable(1024);
  const free: number[] = []; // slots given back
  let order = new Int32Array(1024); // slots of the held requests, in id order (a ring)
  let orderHead = 0;
  let orderSize = 0;
  let peakHeld = 0;
  let total = 0;
  // Fractional numbers written per request or event, as fields of one object: a closure's `let`
  // holding one is a boxed number, reallocated (and recorded by the write barrier) at each
  // assignment. lastS: the last finish or time-out; lastServedEndS: when the last request that had
  // started service ended; lastEventS: the last event that changed something.
  const hot = { firstArrivalS: 0, lastS: -Infinity, lastServedEndS: -Infinity, lastEventS: 0, lastArrivalS: -Infinity, schedulerFreeS: 0 };
  const engine = new Engine();
  const devices: Device[] = [];
  // The load board, when every replica keeps it: least-loaded routing reads it (ClusterView.loads).
  const loads = input.cluster.every((g) => g.keepsLoads) ? new Int32Array(input.cluster.reduce((n, g) => n + g.replicas, 0)) : undefined;
  const cluster: ClusterView = loads ? { devices, nowS: () => engine.nowS, loads } : { devices, nowS: () => engine.nowS };
  const policy = input.policy.create(input.policyParams, { seed: input.seed, cluster, workload: requests });
  const priority = policy.priority?.bind(policy);
  const onEnd = (slot: number) => {
    if (lifecycle.hasStarted(slot) && engine.nowS > hot.lastServedEndS) hot.lastServedEndS = engine.nowS;
  };
  const lifecycle = createLifecycle(records, policy.onFinish && ((slot: number) => policy.onFinish!(requests[slot]!, cluster)), onEnd);
  const overheadS = policy.overheadS ?? 0;
  if (!(overheadS >= 0 && overheadS < Infinity)) throw new Error(`policy ${input.policy.name}: overheadS must be a finite number >= 0, got ${overheadS}`);

  for (const group of input.cluster) {
    for (let r = 0; r < group.replicas; r++) {
      addReplica(devices, group, r, { engine, requests, lifecycle, seed: input.seed, priority, loads }, policy);
    }
  }
  if (devices.length === 0) throw new Error('simulate: the cluster has no replicas');
  const eligibleByModel = eligibility(devices);
  const all = devices.map((d) => d.index);
  const isEligible = eligibilityCheck(devices.length);
  const arrivals = devices.length;
  const decided = devices.length + 1;
  const eligibleOf = (slot: number) => {
    const model = requests[slot]!.model;
    return model === undefined ? all : eligibleByModel.get(model);
  };
  const dispatch = (slot: number, eligible: readonly number[]) => {
    const request = requests[slot]!;
    const chosen = policy.route(request, eligible, cluster);
    if (!isEligible(eligible, chosen)) notEligible(input.policy.name, request, chosen);
    devices[chosen]!.admit(slot);
  };

  // Hands ended requests to the sink in id order and gives their slots back.
  const drain = () => {
    while (orderSize > 0) {
      const slot = order[orderHead]!;
      const status = records.status[slot];
      if (status === STATUS_PENDING) return;
      const t = status === STATUS_FINISHED ? records.finishS[slot]! : status === STATUS_TIMED_OUT ? records.timedOutS[slot]! : -Infinity;
      if (t > hot.lastS) hot.lastS = t;
      sink.take(requests[slot]!, records, slot);
      records.clearRow(slot);
      free.push(slot);
      orderHead = (orderHead + 1) & (order.length - 1);
      orderSize--;
    }
  };
  // Takes the source's next request into a slot and schedules its arrival.
  const pull = (): void => {
    const request = input.source.next();
    if (request === undefined) return;
    if (request.id !== total || request.followUp || !(request.arrivalS >= hot.lastArrivalS)) refusePulled(request, total);
    hot.lastArrivalS = request.arrivalS;
    if (total === 0) hot.firstArrivalS = request.arrivalS;
    total++;
    drain();
    let slot = free.pop();
    if (slot === undefined) {
      slot = requests.length;
      if (slot >= records.size) records.grow(records.size * 2);
      requests.push(request);
    } else requests[slot] = request;
    if (orderSize === order.length) {
      const next = new Int32Array(order.length * 2);
      for (let i = 0; i < orderSize; i++) next[i] = order[(orderHead + i) & (order.length - 1)]!;
      order = next;
      orderHead = 0;
    }
    order[(orderHead + orderSize) & (order.length - 1)] = slot;
    orderSize++;
    if (orderSize > peakHeld) peakHeld = orderSize;
    engine.scheduleHeld(request.arrivalS, RANK_ARRIVAL, arrivals, slot);
  };

  pull();
  engine.run((target, arg) => {
    if (target < arrivals) {
      if (devices[target]!.fire(arg) !== false) hot.lastEventS = engine.nowS;
      return;
    }
    hot.lastEventS = engine.nowS;
    if (target === decided) {
      dispatch(arg, eligibleOf(arg)!);
      return;
    }
    pull(); // the next arrival is scheduled before this one is handled, as in simulate()
    const eligible = eligibleOf(arg);
    if (!eligible) {
      lifecycle.rejected(arg, `no device serves model "${requests[arg]!.model}"`);
      return;
    }
    if (overheadS === 0) {
      dispatch(arg, eligible);
      return;
    }
    hot.schedulerFreeS = Math.max(engine.nowS, hot.schedulerFreeS) + overheadS;
    engine.schedule(hot.schedulerFreeS, RANK_ARRIVAL, decided, arg);
  });

  drain();
  if (orderSize > 0) throw new Error(`request ${requests[order[orderHead]!]!.id} neither finished nor was rejected: a device lost it`);
  const endS = hot.lastEventS;
  const window = total === 0 ? { startS: 0, endS } : { startS: hot.firstArrivalS, endS: Math.max(hot.firstArrivalS, Math.max(hot.lastS, hot.lastServedEndS)) };
  const stats = devices.map((d): DeviceStats => ({ ...d.stats(window.endS - window.startS), model: d.model, accuracyPct: d.accuracy }));
  const clamped = stats
    .filter((s) => s.clampedCount > 0)
    .map((s) => `${s.name}: ${s.clampedCount} request(s) had profile values below the floor and were clamped`);
  const warnings = [...input.cluster.flatMap((g) => g.warnings ?? []), ...clamped];
  return { total, devices: stats, endS, window, events: engine.processed, warnings, peakHeld };
}

// The errors of the per-request checks, each a function of its own called only when a check
// fails: with the message written in the check, the optimizing compiler may build its text on
// every call (see notPending, src/simulation/lifecycle.ts).

/** Throws for a request the source handed out that a streamed run cannot take; `position`: requests pulled before it. */
function refusePulled(request: Request, position: number): never {
  if (request.id !== position) throw new Error(`simulate: request at position ${position} has id ${request.id}`);
  if (request.followUp) throw new Error(`simulate: request ${request.id} is a closed-loop turn, which a streamed run does not take`);
  throw new Error(`simulate: requests not sorted by arrival at id ${request.id}`);
}

function notEligible(policy: string, request: Request, chosen: number): never {
  throw new Error(`policy ${policy} routed request ${request.id} to replica ${chosen}, which is not eligible`);
}
