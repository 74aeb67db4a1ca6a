import type { Device, DeviceContext, DeviceStats, ServiceEstimator } from '../devices/device.js';
import type { ReplicaIdentity } from '../devices/slots.js';
import { Engine } from '../engine/engine.js';
import { RecordTable, STATUS_FINISHED } from '../metrics/records.js';
import type { ClusterView, PolicyDefinition } from '../policies/policy.js';
import type { Request } from '../workload/request.js';
import { createLifecycle } from './lifecycle.js';
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
  /** Deterministic service estimates from the profile, shown to policies. */
  readonly estimate?: ServiceEstimator;
  /** What the run's results should warn about this group (e.g. a profile without power data). */
  readonly warnings?: readonly string[];
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
}

const RANK_DEVICE = 0; // a replica's own events first: what finishes at t frees room for arrivals at t
const RANK_ARRIVAL = 1; // arrivals, and requests leaving the scheduler, in the order they got there
const RANK_AFTER_ARRIVALS = 2; // an idle replica's batch start: after every arrival at that instant

/**
 * Runs one simulation to completion. Pure: no I/O, no clock reads, no globals, so the same input
 * always gives the same result (what golden tests, sweeps and sharding rely on).
 */
export function simulate(input: SimInput): SimResult {
  const { requests } = input;
  checkSorted(requests);
  const engine = new Engine();
  const records = new RecordTable(requests.length);
  const devices: Device[] = [];
  const cluster: ClusterView = { devices, nowS: () => engine.nowS };
  const policy = input.policy.create(input.policyParams, { seed: input.seed, cluster, workload: requests });
  const priority = policy.priority?.bind(policy);
  const lifecycle = createLifecycle(records, policy.onFinish && ((id: number) => policy.onFinish!(requests[id]!, cluster)));
  const overheadS = policy.overheadS ?? 0;
  if (!(overheadS >= 0 && overheadS < Infinity)) throw new Error(`policy ${input.policy.name}: overheadS must be a finite number >= 0, got ${overheadS}`);

  for (const group of input.cluster) {
    for (let r = 0; r < group.replicas; r++) {
      const index = devices.length;
      const ctx: DeviceContext = {
        engine,
        requests,
        lifecycle,
        schedule: (timeS, arg, afterArrivals) => engine.schedule(timeS, afterArrivals ? RANK_AFTER_ARRIVALS : RANK_DEVICE, index, arg),
        seed: input.seed,
        priority,
        selectBatch: policy.selectBatch && ((waiting, maxBatch) => policy.selectBatch!(waiting, maxBatch, devices[index]!)),
      };
      const identity = { index, name: `${group.name}/${r}`, group: group.name, model: group.model, accuracy: group.accuracy, gpus: group.gpus, estimate: group.estimate };
      devices.push(group.create(ctx, identity));
    }
  }
  if (devices.length === 0) throw new Error('simulate: the cluster has no replicas');
  const eligibleByModel = eligibility(devices);
  const all = devices.map((d) => d.index);

  const arrivals = devices.length; // event target of the arrival stream
  const decided = devices.length + 1; // event target of "the scheduler is done with request arg"
  // The scheduler is one FIFO server: with a constant overhead, request i leaves it at
  // max(arrival_i, leave_{i-1}) + overheadS, so its departure can be scheduled on arrival.
  let schedulerFreeS = 0;
  const eligibleOf = (id: number) => {
    const model = requests[id]!.model;
    return model === undefined ? all : eligibleByModel.get(model);
  };
  const dispatch = (id: number) => {
    const eligible = eligibleOf(id)!;
    const chosen = policy.route(requests[id]!, eligible, cluster);
    if (!eligible.includes(chosen)) throw new Error(`policy ${input.policy.name} routed request ${id} to replica ${chosen}, which is not eligible`);
    devices[chosen]!.admit(id);
  };
  if (requests.length > 0) engine.schedule(requests[0]!.arrivalS, RANK_ARRIVAL, arrivals, 0);
  engine.run((target, arg) => {
    if (target < arrivals) {
      devices[target]!.fire(arg);
      return;
    }
    if (target === decided) {
      dispatch(arg);
      return;
    }
    const request = requests[arg]!;
    if (arg + 1 < requests.length) engine.schedule(requests[arg + 1]!.arrivalS, RANK_ARRIVAL, arrivals, arg + 1);
    if (!eligibleOf(arg)) {
      lifecycle.rejected(arg, `no device serves model "${request.model}"`);
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
  const window = runWindow(requests, records, engine.nowS);
  const stats = devices.map((d): DeviceStats => ({ ...d.stats(window.endS - window.startS), model: d.model, accuracyPct: d.accuracy }));
  const clamped = stats
    .filter((s) => s.clampedCount > 0)
    .map((s) => `${s.name}: ${s.clampedCount} request(s) had profile values below the floor and were clamped`);
  const warnings = [...input.cluster.flatMap((g) => g.warnings ?? []), ...clamped];
  return { requests, records, devices: stats, endS: engine.nowS, window, events: engine.processed, warnings };
}

/**
 * The window every rate, utilization and idle energy is measured over: first arrival to last
 * finish (to the last event when nothing finished).
 */
function runWindow(requests: readonly Request[], records: RecordTable, endS: number): { startS: number; endS: number } {
  if (requests.length === 0) return { startS: 0, endS };
  let lastFinishS = -Infinity;
  for (let i = 0; i < requests.length; i++) {
    if (records.status[i] === STATUS_FINISHED && records.finishS[i]! > lastFinishS) lastFinishS = records.finishS[i]!;
  }
  return { startS: requests[0]!.arrivalS, endS: lastFinishS > -Infinity ? lastFinishS : endS };
}

function eligibility(devices: readonly Device[]): Map<string, number[]> {
  const byModel = new Map<string, number[]>();
  for (const d of devices) {
    const list = byModel.get(d.model) ?? [];
    list.push(d.index);
    byModel.set(d.model, list);
  }
  return byModel;
}

function checkSorted(requests: readonly Request[]): void {
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    if (r.id !== i) throw new Error(`simulate: request at position ${i} has id ${r.id}`);
    if (i > 0 && r.arrivalS < requests[i - 1]!.arrivalS) throw new Error(`simulate: requests not sorted by arrival at id ${i}`);
  }
}
