import type { Device, DeviceContext } from '../devices/device.js';
import type { ReplicaIdentity } from '../devices/slots.js';
import { Engine } from '../engine/engine.js';
import { RecordTable, STATUS_PENDING } from '../metrics/records.js';
import type { ClusterView, PolicyDefinition } from '../policies/policy.js';
import type { Request } from '../workload/request.js';
import type { SimResult } from './result.js';

/** A device entry of the scenario with its files already loaded: builds replicas without I/O. */
export interface PreparedDeviceGroup {
  readonly name: string;
  readonly kind: string;
  /** Model its profile serves. */
  readonly model: string;
  readonly replicas: number;
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
const RANK_ARRIVAL = 1;

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
  const policy = input.policy.create(input.policyParams, { seed: input.seed, cluster });
  const priority = policy.priority?.bind(policy);
  const onFinish = policy.onFinish
    ? (id: number) => policy.onFinish!(requests[id]!, cluster)
    : () => {};

  for (const group of input.cluster) {
    for (let r = 0; r < group.replicas; r++) {
      const index = devices.length;
      const ctx: DeviceContext = {
        engine,
        requests,
        records,
        schedule: (timeS, arg) => engine.schedule(timeS, RANK_DEVICE, index, arg),
        priority,
        onFinish,
      };
      devices.push(group.create(ctx, { index, name: `${group.name}/${r}`, group: group.name, model: group.model }));
    }
  }
  if (devices.length === 0) throw new Error('simulate: the cluster has no replicas');
  const eligibleByModel = eligibility(devices);
  const all = devices.map((d) => d.index);

  const arrivals = devices.length; // event target of the arrival stream
  if (requests.length > 0) engine.schedule(requests[0]!.arrivalS, RANK_ARRIVAL, arrivals, 0);
  engine.run((target, arg) => {
    if (target !== arrivals) {
      devices[target]!.fire(arg);
      return;
    }
    const request = requests[arg]!;
    if (arg + 1 < requests.length) engine.schedule(requests[arg + 1]!.arrivalS, RANK_ARRIVAL, arrivals, arg + 1);
    const eligible = request.model === undefined ? all : eligibleByModel.get(request.model);
    if (!eligible) {
      records.reject(arg, `no device serves model "${request.model}"`);
      return;
    }
    const chosen = policy.route(request, eligible, cluster);
    if (!eligible.includes(chosen)) throw new Error(`policy ${input.policy.name} routed request ${arg} to replica ${chosen}, which is not eligible`);
    devices[chosen]!.admit(arg);
  });

  for (let i = 0; i < requests.length; i++) {
    if (records.status[i] === STATUS_PENDING) throw new Error(`request ${i} neither finished nor was rejected: a device lost it`);
  }
  const stats = devices.map((d) => d.stats(engine.nowS));
  const warnings = stats
    .filter((s) => s.clampedCount > 0)
    .map((s) => `${s.name}: ${s.clampedCount} request(s) had profile values below the floor and were clamped`);
  return { requests, records, devices: stats, endS: engine.nowS, events: engine.processed, warnings };
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
