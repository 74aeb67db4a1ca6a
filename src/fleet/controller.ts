/**
 * The fleet controller inside one simulation (docs/fleet.md): which replicas are provisioned,
 * autoscaling decisions, requests held at the router while no replica of their model is ready
 * (cold start), draining, GPU-hours and cost, and carbon. simulate() calls it through a few hooks;
 * without a `fleet:` block it is not created and nothing changes.
 *
 * Replica states: OFF (not provisioned) -> BOOTING (provisioned, loading: bootS + weightBytes /
 * storageBytesPerS) -> READY (routed to) -> DRAINING (no new requests; serves what it holds) -> OFF.
 */
import type { Device, DeviceStats } from '../devices/device.js';
import type { Engine } from '../engine/engine.js';
import type { Slo } from '../metrics/goodput.js';
import { STATUS_FINISHED, type RecordTable } from '../metrics/records.js';
import type { Lifecycle } from '../simulation/lifecycle.js';
import type { Request } from '../workload/request.js';
import { gramsCo2, type CarbonSeries } from './carbon.js';
import type { AutoscaleSpec } from './schema.js';

export const OFF = 0, BOOTING = 1, READY = 2, DRAINING = 3;

/** One device group's fleet settings, files already loaded. */
export interface FleetGroupRuntime {
  readonly autoscale?: AutoscaleSpec & {
    /** Seconds from a scale-up decision to the replica being ready: bootS + weight bytes / bandwidth. */
    readonly provisionS: number;
  };
  readonly pricePerGpuHour?: number;
  /** Where pricePerGpuHour comes from when it is not the scenario's (the hardware file and its page). */
  readonly priceSource?: string;
  readonly carbon?: CarbonSeries;
}

/** What simulate() is given when the scenario has a `fleet:` block. */
export interface FleetRuntime {
  /** By cluster group index (undefined: a fixed group with no price or carbon). */
  readonly groups: readonly (FleetGroupRuntime | undefined)[];
  /** The scenario's SLO, for the slo-miss signal. */
  readonly slo?: Slo;
}

/** A scaling event, for tests and the events table. */
export interface FleetEvent {
  readonly timeS: number;
  readonly replica: string;
  readonly event: 'up' | 'ready' | 'down' | 'off' | 'undrain';
}

export interface FleetGroupResult {
  readonly name: string;
  readonly gpusPerReplica: number;
  /** Replica-seconds provisioned (booting, ready or draining) within the run window. */
  readonly replicaS: number;
  readonly gpuHours: number;
  readonly pricePerGpuHour: number | null;
  /** Set when the price is the hardware file's (absent: the scenario's, or none). */
  readonly priceSource?: string;
  readonly costUsd: number | null;
  readonly peakReplicas: number;
  readonly scaleUps: number;
  readonly scaleDowns: number;
  readonly autoscaled: boolean;
}

export interface FleetResult {
  readonly groups: readonly FleetGroupResult[];
  readonly events: readonly FleetEvent[];
  /** Requests that waited at the router because no replica of their model was ready. */
  readonly heldRequests: number;
  /** Per request, g CO2 of the energy charged to it (NaN where energy is unknown); undefined without carbon. */
  readonly requestCo2G?: Float64Array;
  /** g CO2 of idle (and booting) energy, over all replicas with a carbon series. */
  readonly idleCo2G?: number;
}

export interface FleetHooks {
  readonly engine: Engine;
  readonly devices: readonly Device[];
  readonly requests: readonly Request[];
  readonly records: RecordTable;
  /** Cluster group of each replica, and each group's first replica and count (max for autoscaled groups). */
  readonly groupOf: Int32Array;
  readonly groupFirst: readonly number[];
  readonly groupCount: readonly number[];
  readonly groupNames: readonly string[];
  readonly groupGpus: readonly number[];
  /** Replicas ready at time 0 per group (the entry's `replicas`). */
  readonly initial: readonly number[];
  /** Schedules a controller event (arg >= 0: decision tick of group arg; arg < 0: replica -arg-1 is ready). */
  schedule(timeS: number, arg: number, rank: 'device' | 'after-arrivals'): void;
  /** Routes a held request now. */
  dispatch(id: number): void;
  /** Per-request CO2 that `withCarbon` fills in, when a group has a carbon series. */
  readonly requestCo2G?: Float64Array;
}

/**
 * Wraps the lifecycle so that energy charged to a request is also converted to CO2 at the
 * intensity of its replica's group at the time it is charged (undefined: no group has a series).
 */
export function withCarbon(
  lifecycle: Lifecycle,
  fleet: FleetRuntime,
  records: RecordTable,
  groupOf: Int32Array,
  engine: Engine,
): { lifecycle: Lifecycle; requestCo2G: Float64Array } | undefined {
  if (!fleet.groups.some((g) => g?.carbon)) return undefined;
  const requestCo2G = new Float64Array(records.size);
  return {
    requestCo2G,
    lifecycle: {
      ...lifecycle,
      // Each charge is priced at the intensity of its time: devices may not keep them.
      keptEnergy: false,
      chargeEnergy(rid, energyJ) {
        lifecycle.chargeEnergy(rid, energyJ);
        const series = fleet.groups[groupOf[records.device[rid]!]!]?.carbon;
        if (series) requestCo2G[rid]! += gramsCo2(energyJ, series.at(engine.nowS));
      },
    },
  };
}

export interface FleetController {
  /** Ready replicas among `eligible` (a cached list; the same array until a state changes). */
  ready(eligible: readonly number[]): readonly number[];
  /** No replica of request `id`'s model is ready: hold it at the router (and start one if none is coming). */
  hold(id: number): void;
  /** A controller event fired. */
  fire(arg: number): void;
  /** After replica `index`'s own event: a draining replica that is now empty is switched off. */
  afterDeviceEvent(index: number): void;
  /** A request ended (any way): slo-miss bookkeeping and the end of ticking. */
  onEnd(id: number): void;
  /** The first arrival is at `t0`: start the decision ticks. */
  start(t0: number): void;
  /** Closes the accounts over the run window; returns device stats with idle energy for provisioned time only. */
  finish(window: { startS: number; endS: number }, stats: DeviceStats[]): { stats: DeviceStats[]; result: FleetResult };
}

export function createFleetController(fleet: FleetRuntime, h: FleetHooks): FleetController {
  const nRep = h.devices.length;
  const nGroups = h.groupFirst.length;
  const { engine, records, requests } = h;
  const state = new Uint8Array(nRep);
  // Provisioned intervals per replica: starts[r][k], ends[r][k] (an open one ends at +Infinity).
  const starts: number[][] = Array.from({ length: nRep }, () => []);
  const ends: number[][] = Array.from({ length: nRep }, () => []);
  const events: FleetEvent[] = [];
  const lastUp = new Array<number>(nGroups).fill(-Infinity);
  const lastScale = new Array<number>(nGroups).fill(-Infinity);
  const scaleUps = new Array<number>(nGroups).fill(0);
  const scaleDowns = new Array<number>(nGroups).fill(0);
  const peak = new Array<number>(nGroups).fill(0);
  const held: number[] = [];
  let heldHead = 0;
  let heldTotal = 0;
  let ended = 0;
  let version = 0;
  const readyCache = new Map<readonly number[], { version: number; list: number[] }>();
  // slo-miss: ends per group, in time order.
  const endT: number[][] = Array.from({ length: nGroups }, () => []);
  const endMiss: number[][] = Array.from({ length: nGroups }, () => []);
  const endHead = new Array<number>(nGroups).fill(0);
  const requestCo2G = h.requestCo2G;

  const auto = (g: number) => fleet.groups[g]?.autoscale;
  const provisioned = (g: number) => {
    let n = 0;
    for (let r = h.groupFirst[g]!; r < h.groupFirst[g]! + h.groupCount[g]!; r++) if (state[r] !== OFF) n++;
    return n;
  };
  /** Replicas ready or booting (what the controller is steering). */
  const target = (g: number) => {
    let n = 0;
    for (let r = h.groupFirst[g]!; r < h.groupFirst[g]! + h.groupCount[g]!; r++) if (state[r] === READY || state[r] === BOOTING) n++;
    return n;
  };
  const setState = (r: number, s: number) => {
    state[r] = s;
    version++;
    const g = h.groupOf[r]!;
    const p = provisioned(g);
    if (p > peak[g]!) peak[g] = p;
  };
  const switchOn = (r: number, t: number) => {
    starts[r]!.push(t);
    ends[r]!.push(Infinity);
  };
  const switchOff = (r: number, t: number) => {
    ends[r]![ends[r]!.length - 1] = t;
    setState(r, OFF);
    events.push({ timeS: t, replica: h.devices[r]!.name, event: 'off' });
  };
  const idle = (r: number) => h.devices[r]!.queued() === 0 && h.devices[r]!.running() === 0;

  for (let g = 0; g < nGroups; g++) {
    for (let k = 0; k < h.groupCount[g]!; k++) {
      const r = h.groupFirst[g]! + k;
      if (k < h.initial[g]!) {
        state[r] = READY;
        switchOn(r, -Infinity);
      }
    }
    peak[g] = h.initial[g]!;
  }

  function scaleUp(g: number, count: number): void {
    const a = auto(g)!;
    const now = engine.nowS;
    let left = Math.min(count, a.max - target(g));
    if (left <= 0) return;
    lastUp[g] = lastScale[g] = now;
    scaleUps[g]!++;
    const first = h.groupFirst[g]!, end = first + h.groupCount[g]!;
    // A draining replica is still provisioned: it takes requests again at once.
    for (let r = first; r < end && left > 0; r++) {
      if (state[r] !== DRAINING) continue;
      setState(r, READY);
      events.push({ timeS: now, replica: h.devices[r]!.name, event: 'undrain' });
      left--;
      releaseHeld();
    }
    for (let r = first; r < end && left > 0; r++) {
      if (state[r] !== OFF) continue;
      setState(r, BOOTING);
      switchOn(r, now);
      events.push({ timeS: now, replica: h.devices[r]!.name, event: 'up' });
      h.schedule(now + a.provisionS, -r - 1, 'device');
      left--;
    }
  }

  function scaleDown(g: number, count: number): void {
    const a = auto(g)!;
    const now = engine.nowS;
    let left = Math.min(count, target(g) - a.min);
    if (left <= 0) return;
    lastScale[g] = now;
    scaleDowns[g]!++;
    const first = h.groupFirst[g]!, end = first + h.groupCount[g]!;
    // Booting replicas first (nothing to drain), newest first; then the ready ones holding the least work.
    for (let r = end - 1; r >= first && left > 0; r--) {
      if (state[r] !== BOOTING) continue;
      events.push({ timeS: now, replica: h.devices[r]!.name, event: 'down' });
      switchOff(r, now);
      left--;
    }
    while (left > 0) {
      let best = -1, bestLoad = Infinity;
      for (let r = end - 1; r >= first; r--) {
        if (state[r] !== READY) continue;
        const load = h.devices[r]!.queued() + h.devices[r]!.running();
        if (load < bestLoad) {
          best = r;
          bestLoad = load;
        }
      }
      if (best < 0) break;
      setState(best, DRAINING);
      events.push({ timeS: now, replica: h.devices[best]!.name, event: 'down' });
      if (idle(best)) switchOff(best, now);
      left--;
    }
  }

  /** Routes held requests, oldest first, whose model now has a ready replica. */
  function releaseHeld(): void {
    if (heldHead === held.length) return;
    const still: number[] = [];
    for (let i = heldHead; i < held.length; i++) {
      const id = held[i]!;
      if (records.status[id] !== 0) continue; // ended (timed out) while held
      if (servedByReady(id)) h.dispatch(id);
      else still.push(id);
    }
    held.length = 0;
    heldHead = 0;
    held.push(...still);
  }

  const servedByReady = (id: number) => {
    const model = requests[id]!.model;
    for (let r = 0; r < nRep; r++) if (state[r] === READY && (model === undefined || h.devices[r]!.model === model)) return true;
    return false;
  };
  const serves = (g: number, id: number) => {
    const model = requests[id]!.model;
    return model === undefined || h.devices[h.groupFirst[g]!]!.model === model;
  };

  function heldFor(g: number): number {
    let n = 0;
    for (let i = heldHead; i < held.length; i++) if (records.status[held[i]!] === 0 && serves(g, held[i]!)) n++;
    return n;
  }

  function signal(g: number, a: AutoscaleSpec): number {
    const first = h.groupFirst[g]!, end = first + h.groupCount[g]!;
    let ready = 0, queued = 0, running = 0, capacity = 0, kv = 0;
    for (let r = first; r < end; r++) {
      if (state[r] !== READY) continue;
      const d = h.devices[r]!;
      ready++;
      queued += d.queued();
      running += d.running();
      capacity += d.capacity;
      kv += d.kvUtilization?.() ?? 0;
    }
    const waiting = heldFor(g);
    switch (a.signal) {
      case 'queue':
        return ready > 0 ? (queued + waiting) / ready : waiting > 0 ? Infinity : 0;
      case 'utilization':
        return ready > 0 ? running / capacity : waiting > 0 ? Infinity : 0;
      case 'kv':
        return ready > 0 ? kv / ready : waiting > 0 ? Infinity : 0;
      case 'slo-miss': {
        const t = endT[g]!, m = endMiss[g]!;
        const from = engine.nowS - a.windowS;
        while (endHead[g]! < t.length && t[endHead[g]!]! <= from) endHead[g]!++;
        const n = t.length - endHead[g]!;
        if (n === 0) return waiting > 0 && ready === 0 ? Infinity : 0;
        let miss = 0;
        for (let i = endHead[g]!; i < t.length; i++) miss += m[i]!;
        return miss / n;
      }
    }
  }

  function tick(g: number): void {
    const a = auto(g)!;
    const now = engine.nowS;
    const s = signal(g, a);
    const n = target(g);
    if (s > a.upAbove && now >= lastUp[g]! + a.upCooldownS && n < a.max) scaleUp(g, a.step);
    else if (s < a.downBelow && now >= lastScale[g]! + a.downCooldownS && n > a.min) scaleDown(g, a.step);
    if (ended < requests.length) h.schedule(now + a.intervalS, g, 'after-arrivals');
  }

  const missed = (id: number): number => {
    if (records.status[id] !== STATUS_FINISHED) return 1;
    const slo = fleet.slo ?? {};
    const r = requests[id]!;
    const ttft = records.firstTokenS[id]! - r.arrivalS;
    const e2e = records.finishS[id]! - r.arrivalS;
    const tpot = r.outputTokens > 1 ? (records.finishS[id]! - records.firstTokenS[id]!) / (r.outputTokens - 1) : NaN;
    if (slo.ttftS !== undefined && ttft > slo.ttftS) return 1;
    if (slo.tpotS !== undefined && tpot > slo.tpotS) return 1;
    if (slo.e2eS !== undefined && e2e > slo.e2eS) return 1;
    return 0;
  };

  return {
    ready(eligible) {
      let c = readyCache.get(eligible);
      if (!c || c.version !== version) {
        c = { version, list: eligible.filter((r) => state[r] === READY) };
        readyCache.set(eligible, c);
      }
      return c.list;
    },
    hold(id) {
      held.push(id);
      heldTotal++;
      // Cold start: a group that could serve it with nothing ready or coming starts a replica now.
      for (let g = 0; g < nGroups; g++) {
        const a = auto(g);
        if (a && serves(g, id) && target(g) === 0) scaleUp(g, Math.max(1, a.step));
      }
    },
    fire(arg) {
      if (arg >= 0) {
        tick(arg);
        return;
      }
      const r = -arg - 1;
      if (state[r] !== BOOTING) return; // scaled down while booting
      setState(r, READY);
      events.push({ timeS: engine.nowS, replica: h.devices[r]!.name, event: 'ready' });
      releaseHeld();
    },
    afterDeviceEvent(r) {
      if (state[r] === DRAINING && idle(r)) switchOff(r, engine.nowS);
    },
    onEnd(id) {
      ended++;
      if (fleet.slo === undefined) return;
      const dev = records.device[id]!;
      for (let g = 0; g < nGroups; g++) {
        if (!auto(g) || auto(g)!.signal !== 'slo-miss') continue;
        if (dev >= 0 ? h.groupOf[dev] !== g : !serves(g, id)) continue;
        endT[g]!.push(engine.nowS);
        endMiss[g]!.push(missed(id));
      }
    },
    start(t0) {
      for (let g = 0; g < nGroups; g++) {
        if (!auto(g)) continue;
        lastScale[g] = t0;
        h.schedule(t0, g, 'after-arrivals');
      }
    },
    finish(window, stats) {
      const { startS, endS } = window;
      const span = Math.max(0, endS - startS);
      let idleCo2G = 0;
      const onS = new Float64Array(nRep);
      const out = stats.map((s, r) => {
        let on = 0;
        const g = h.groupOf[r]!;
        const series = fleet.groups[g]?.carbon;
        let ciSum = 0;
        for (let k = 0; k < starts[r]!.length; k++) {
          const a = Math.max(startS, starts[r]![k]!), b = Math.min(endS, ends[r]![k]!);
          if (b > a) {
            on += b - a;
            if (series) ciSum += series.meanOver(a, b) * (b - a);
          }
        }
        onS[r] = on;
        let idleEnergyJ = s.idleEnergyJ;
        if (auto(g)) {
          // Idle power x provisioned time not busy (the device counted the whole window).
          const idleW = span - s.busyS > 0 ? s.idleEnergyJ / (span - s.busyS) : 0;
          idleEnergyJ = idleW * Math.max(0, on - s.busyS);
        }
        if (series && on > 0) idleCo2G += gramsCo2(idleEnergyJ, ciSum / on);
        return idleEnergyJ === s.idleEnergyJ ? s : { ...s, idleEnergyJ };
      });
      const groups = h.groupNames.map((name, g): FleetGroupResult => {
        let replicaS = 0;
        for (let r = h.groupFirst[g]!; r < h.groupFirst[g]! + h.groupCount[g]!; r++) replicaS += onS[r]!;
        const gpus = h.groupGpus[g]!;
        const gpuHours = (replicaS * gpus) / 3600;
        const price = fleet.groups[g]?.pricePerGpuHour;
        const priceSource = fleet.groups[g]?.priceSource;
        return {
          name,
          gpusPerReplica: gpus,
          replicaS,
          gpuHours,
          pricePerGpuHour: price ?? null,
          ...(priceSource !== undefined && { priceSource }),
          costUsd: price === undefined ? null : gpuHours * price,
          peakReplicas: peak[g]!,
          scaleUps: scaleUps[g]!,
          scaleDowns: scaleDowns[g]!,
          autoscaled: auto(g) !== undefined,
        };
      });
      return { stats: out, result: { groups, events, heldRequests: heldTotal, ...(requestCo2G && { requestCo2G, idleCo2G }) } };
    },
  };
}
