/** Hand-built cluster views for policy unit tests: no engine, no devices, just what policies read. */
import type { DeviceView, ServiceEstimator } from '../../src/devices/device.js';
import type { ClusterView, Policy, PolicyDefinition, PolicyEnv } from '../../src/policies/policy.js';
import type { Request } from '../../src/workload/request.js';

/** A mutable fake replica: set `q` (queued) and `r` (running) to whatever the test needs. */
export interface FakeView extends DeviceView {
  q: number;
  r: number;
}

export function view(index: number, o: Partial<Omit<FakeView, 'index'>> & { group?: string; model?: string } = {}): FakeView {
  const v: FakeView = {
    index,
    name: `${o.group ?? 'g'}/${index}`,
    group: o.group ?? 'g',
    kind: o.kind ?? 'slots',
    model: o.model ?? 'm',
    capacity: o.capacity ?? 1,
    accuracy: o.accuracy,
    gpus: o.gpus,
    estimate: o.estimate,
    q: o.q ?? 0,
    r: o.r ?? 0,
    queued: () => v.q,
    running: () => v.r,
  };
  return v;
}

/** Service = a*p + b*o seconds, energy = c*p + d*o joules: easy to compute by hand. */
export function linearEstimate(a: number, b: number, c = 0, d = 0): ServiceEstimator {
  return { serviceS: (p, o) => a * p + b * o, energyJ: (p, o) => c * p + d * o };
}

export function cluster(devices: FakeView[], nowS = 0): ClusterView & { devices: FakeView[]; now: number } {
  const c = { devices, now: nowS, nowS: () => c.now };
  return c;
}

export function request(id: number, arrivalS: number, promptTokens: number, outputTokens: number, extra: Partial<Request> = {}): Request {
  return { id, arrivalS, promptTokens, outputTokens, ...extra };
}

/** Parses params with the policy's own schema (defaults applied) and creates it. */
export function make<P>(def: PolicyDefinition<P>, params: unknown, workload: readonly Request[], c: ClusterView, seed = 1): Policy {
  const env: PolicyEnv = { seed, cluster: c, workload };
  return def.create(def.params.parse(params), env);
}
