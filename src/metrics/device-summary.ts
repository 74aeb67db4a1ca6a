import type { DeviceStats } from '../devices/device.js';
import { roundOrNull } from './round.js';

/** One replica's counters in the summary. */
export interface DeviceSummary {
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  /** busyS / run span (first arrival to last finish); null if the span is empty. */
  readonly utilization: number | null;
  readonly busyS: number | null;
  readonly finished: number;
  readonly iterations: number;
  readonly preemptions: number;
  /** Busy + idle energy, J. */
  readonly energyJ: number | null;
  readonly peakKvTokens: number;
  readonly kvCapacityTokens: number;
  readonly clampedCount: number;
  /** Kind-specific figures (DeviceStats.extra), rounded; absent for kinds without any. */
  readonly extra?: Readonly<Record<string, number | null>>;
}

/** Replicas of one scenario device entry, aggregated. */
export interface GroupSummary {
  readonly group: string;
  /** Execution model(s) of its replicas, comma-separated if they differ. */
  readonly kind: string;
  readonly replicas: number;
  /** Mean utilization of its replicas. */
  readonly utilization: number | null;
  readonly finished: number;
  readonly energyJ: number | null;
}

/** What the energy figures add up to, and what they count. */
export interface EnergySummary {
  readonly totalJ: number | null;
  readonly busyJ: number | null;
  readonly idleJ: number | null;
  readonly kWh: number | null;
  /** totalJ / finished requests: idle energy is part of what serving them cost. */
  readonly perFinishedRequestJ: number | null;
  /** totalJ / output tokens of finished requests. */
  readonly perOutputTokenJ: number | null;
  /** Distinct "<group>: <energyScope>" strings in cluster order: says what each group counts. */
  readonly scope: string[];
}

const J_PER_KWH = 3.6e6;

/** Per-replica summaries, in cluster order. `spanS` is the run span used for utilization. */
export function summarizeDevices(devices: readonly DeviceStats[], spanS: number): DeviceSummary[] {
  return devices.map((d) => ({
    name: d.name,
    group: d.group,
    kind: d.kind,
    utilization: spanS > 0 ? roundOrNull(d.busyS / spanS) : null,
    busyS: roundOrNull(d.busyS),
    finished: d.finished,
    iterations: d.iterations,
    preemptions: d.preemptions,
    energyJ: roundOrNull(d.busyEnergyJ + d.idleEnergyJ),
    peakKvTokens: d.peakKvTokens,
    kvCapacityTokens: d.kvCapacityTokens,
    clampedCount: d.clampedCount,
    ...(d.extra ? { extra: Object.fromEntries(Object.entries(d.extra).map(([k, v]) => [k, roundOrNull(v)])) } : {}),
  }));
}

/** Per-group aggregates, in order of each group's first replica. */
export function summarizeGroups(devices: readonly DeviceStats[], spanS: number): GroupSummary[] {
  const groups = new Map<string, DeviceStats[]>();
  for (const d of devices) {
    const members = groups.get(d.group);
    if (members) members.push(d);
    else groups.set(d.group, [d]);
  }
  return [...groups].map(([group, members]) => {
    let busyS = 0;
    let finished = 0;
    let energyJ = 0;
    for (const d of members) {
      busyS += d.busyS;
      finished += d.finished;
      energyJ += d.busyEnergyJ + d.idleEnergyJ;
    }
    return {
      group,
      kind: [...new Set(members.map((d) => d.kind))].join(','),
      replicas: members.length,
      utilization: spanS > 0 ? roundOrNull(busyS / members.length / spanS) : null,
      finished,
      energyJ: roundOrNull(energyJ),
    };
  });
}

/** Energy totals over all replicas. */
export function summarizeEnergy(devices: readonly DeviceStats[], finished: number, outputTokens: number): EnergySummary {
  let busyJ = 0;
  let idleJ = 0;
  for (const d of devices) {
    busyJ += d.busyEnergyJ;
    idleJ += d.idleEnergyJ;
  }
  const totalJ = busyJ + idleJ;
  return {
    totalJ: roundOrNull(totalJ),
    busyJ: roundOrNull(busyJ),
    idleJ: roundOrNull(idleJ),
    kWh: roundOrNull(totalJ / J_PER_KWH),
    perFinishedRequestJ: finished > 0 ? roundOrNull(totalJ / finished) : null,
    perOutputTokenJ: outputTokens > 0 ? roundOrNull(totalJ / outputTokens) : null,
    // Named by device group, so a reader can tell whose idle power is whose.
    scope: [...new Set(devices.map((d) => `${d.group}: ${d.energyScope}`))],
  };
}
