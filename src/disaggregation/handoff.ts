/**
 * The prefill -> decode handoff of P/D disaggregated serving, between batching replicas.
 *
 * Timeline of one request (every instant recorded in `KvTransfers`):
 * 1. A prefill replica (chosen by the scenario policy) computes the prompt; the iteration that
 *    ends it emits the first token (TTFT ends here, as in DistServe and Splitwise). Its KV stays
 *    on the prefill replica, counted in that replica's cache, until it has been sent (`readyS`).
 * 2. A decode replica of the same model is chosen (`decodeRouting`) at once; the request waits
 *    there, first come first served, until that replica has free KV blocks for the whole prompt
 *    and reserves them (at an iteration boundary, or at once when it is idle): `reservedS`.
 * 3. The transfer queues for its link (first come first served), then takes
 *    bytes / bandwidth on it, and lands latencyS later: `startS`, `endS`. Bytes = prompt tokens x
 *    KV bytes per token. The prefill replica frees the KV when it lands.
 * 4. The decode replica adds the sequence to its running batch at its next iteration boundary
 *    (when its batch has room): `decodeStartS`; its first decode step computes the second token.
 * A request with a single output token ends at its prefill replica (nothing to move).
 */
import type { Device } from '../devices/device.js';
import type { ClusterView } from '../policies/policy.js';
import { leastLoaded, roundRobin } from '../policies/routing.js';
import type { Lifecycle } from '../simulation/lifecycle.js';
import type { Request } from '../workload/request.js';
import type { DisaggregationSpec } from './schema.js';

/** What batching replicas with a role report to the handoff (DeviceContext.handoff). */
export interface KvHandoff {
  /** Prefill replica `from` emitted request `rid`'s first token and holds its KV. */
  prefilled(rid: number, from: number): void;
  /** Decode replica `to` reserved KV blocks for `rid`: its transfer may start. */
  reserved(rid: number, to: number): void;
  /** `rid`'s client gave up while it waited for a reservation: its prefill replica frees the KV. */
  withdrawn(rid: number): void;
  /** Decode replica `to` added `rid` to its running batch. */
  decodeStarted(rid: number, to: number, timeS: number): void;
}

/** Per-request P/D timeline (NaN / -1: did not happen); part of SimResult when P/D is on. */
export interface KvTransfers {
  readonly prefillDevice: Int32Array;
  readonly decodeDevice: Int32Array;
  /** First token emitted on the prefill replica, its KV ready to send. */
  readonly readyS: Float64Array;
  /** Decode replica reserved the blocks. */
  readonly reservedS: Float64Array;
  /** Transfer started on its link. */
  readonly startS: Float64Array;
  /** Transfer landed on the decode replica. */
  readonly endS: Float64Array;
  readonly bytes: Float64Array;
  /** Added to the decode replica's running batch (first time). */
  readonly decodeStartS: Float64Array;
}

/** Busy time of the replicas of one role, for per-stage utilization. */
export interface StageStats {
  readonly replicas: number;
  readonly gpus: number;
  readonly busyS: number;
}

/** What a P/D run adds to its SimResult. */
export interface DisaggregationResult {
  readonly transfers: KvTransfers;
  readonly stages: { readonly prefill: StageStats; readonly decode: StageStats };
}

/** The handoff runtime of one run: the KvHandoff devices report to, and the link's event. */
export interface HandoffRuntime {
  readonly handoff: KvHandoff;
  /** The transfer of `rid` landed (its engine event). */
  landed(rid: number): void;
  readonly transfers: KvTransfers;
}

export interface HandoffEnv {
  readonly spec: DisaggregationSpec;
  readonly requests: readonly Request[];
  readonly devices: readonly Device[];
  readonly cluster: ClusterView;
  readonly lifecycle: Lifecycle;
  /** Where simulate() routes a client's timeout: the replica holding the request now. */
  readonly routedTo: Int32Array;
  /** KV bytes per prompt token the prefill replica `index` sends. */
  bytesPerToken(index: number): number;
  /** Schedules the landing event of `rid`'s transfer. */
  scheduleLanding(timeS: number, rid: number): void;
}

export function createHandoff(env: HandoffEnv): HandoffRuntime {
  const { spec, requests, devices, cluster, lifecycle, routedTo } = env;
  const n = requests.length;
  const nan = () => new Float64Array(n).fill(NaN);
  const t: KvTransfers = {
    prefillDevice: new Int32Array(n).fill(-1),
    decodeDevice: new Int32Array(n).fill(-1),
    readyS: nan(),
    reservedS: nan(),
    startS: nan(),
    endS: nan(),
    bytes: new Float64Array(n),
    decodeStartS: nan(),
  };
  // Decode replicas by model, built at the first handoff (the handoff is created before the replicas).
  let decodeByModel: Map<string, number[]> | undefined;
  const decodeReplicas = (model: string) => {
    if (!decodeByModel) {
      decodeByModel = new Map();
      for (const d of devices) {
        if (d.role !== 'decode') continue;
        const list = decodeByModel.get(d.model) ?? [];
        list.push(d.index);
        decodeByModel.set(d.model, list);
      }
    }
    return decodeByModel.get(model);
  };
  const rr = roundRobin();
  const pick = spec.decodeRouting === 'round-robin' ? (eligible: readonly number[]) => rr(eligible) : (eligible: readonly number[]) => leastLoaded(eligible, cluster);
  const linkFreeS: number[] = []; // by link: when its last transfer's bytes are through
  const linkOf = (from: number, to: number) => (spec.link.scope === 'shared' ? 0 : spec.link.scope === 'per-prefill-replica' ? from : to);
  const { bandwidthBytesPerS, latencyS } = spec.link;
  const decodeOf = (rid: number) => devices[t.decodeDevice[rid]!]!;
  const prefillOf = (rid: number) => devices[t.prefillDevice[rid]!]!;

  const handoff: KvHandoff = {
    prefilled(rid, from) {
      const nowS = cluster.nowS();
      t.prefillDevice[rid] = from;
      t.readyS[rid] = nowS;
      const eligible = decodeReplicas(devices[from]!.model);
      if (!eligible) throw new Error(`no decode replica serves model "${devices[from]!.model}"`); // prepareRun checks this
      const to = pick(eligible);
      t.decodeDevice[rid] = to;
      routedTo[rid] = to;
      const reason = devices[to]!.receive!(rid);
      if (reason === undefined) return;
      devices[from]!.release!(rid);
      lifecycle.aborted(rid, `its KV cannot move to a decode replica: ${reason}`);
    },
    reserved(rid, to) {
      const nowS = cluster.nowS();
      const from = t.prefillDevice[rid]!;
      const link = linkOf(from, to);
      const bytes = requests[rid]!.promptTokens * env.bytesPerToken(from);
      const startS = Math.max(nowS, linkFreeS[link] ?? 0);
      const busyS = bytes / bandwidthBytesPerS;
      linkFreeS[link] = startS + busyS;
      t.reservedS[rid] = nowS;
      t.startS[rid] = startS;
      t.endS[rid] = startS + busyS + latencyS;
      t.bytes[rid] = bytes;
      env.scheduleLanding(t.endS[rid]!, rid);
    },
    withdrawn(rid) {
      prefillOf(rid).release!(rid);
    },
    decodeStarted(rid, _to, timeS) {
      if (Number.isNaN(t.decodeStartS[rid]!)) t.decodeStartS[rid] = timeS;
    },
  };
  return {
    handoff,
    transfers: t,
    landed(rid) {
      prefillOf(rid).release!(rid);
      decodeOf(rid).land!(rid);
    },
  };
}

/** Per-stage busy time, replicas and GPUs of the run's replicas (by their DeviceView role). */
export function stageStats(devices: readonly Device[], busyS: readonly number[]): DisaggregationResult['stages'] {
  const acc = { prefill: { replicas: 0, gpus: 0, busyS: 0 }, decode: { replicas: 0, gpus: 0, busyS: 0 } };
  devices.forEach((d, i) => {
    if (d.role === undefined) return;
    const s = acc[d.role];
    s.replicas++;
    s.gpus += d.gpus ?? 1;
    s.busyS += busyS[i]!;
  });
  return acc;
}
