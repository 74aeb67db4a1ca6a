import type { DeviceStats } from '../../src/devices/device.js';
import { RecordTable, STATUS_FINISHED } from '../../src/metrics/records.js';
import type { SimResult } from '../../src/simulation/result.js';
import type { Request } from '../../src/workload/request.js';

/** One hand-written request with its outcome; omitted times are NaN (did not happen). */
export interface Row {
  req: Omit<Request, 'id'>;
  startS?: number;
  firstTokenS?: number;
  finishS?: number;
  energyJ?: number;
  device?: number;
  preemptions?: number;
  /** Given = rejected with this reason; otherwise finished if finishS is given, else pending. */
  rejected?: string;
}

/** Device counters with harmless defaults. */
export function device(over: Partial<DeviceStats> & { name: string }): DeviceStats {
  return {
    group: over.name.split('/')[0],
    kind: 'continuous-batching',
    busyS: 0,
    busyEnergyJ: 0,
    idleEnergyJ: 0,
    finished: 0,
    iterations: 0,
    preemptions: 0,
    clampedCount: 0,
    peakKvTokens: 0,
    kvCapacityTokens: 0,
    energyScope: 'test',
    ...over,
  };
}

/** Builds a SimResult from hand-written rows, the way a simulation would have filled it. */
export function buildResult(rows: Row[], devices: DeviceStats[], extra: Partial<Pick<SimResult, 'endS' | 'events' | 'warnings'>> = {}): SimResult {
  const records = new RecordTable(rows.length);
  const requests: Request[] = rows.map((r, id) => {
    records.startS[id] = r.startS ?? NaN;
    records.firstTokenS[id] = r.firstTokenS ?? NaN;
    records.finishS[id] = r.finishS ?? NaN;
    records.energyJ[id] = r.energyJ ?? 0;
    records.device[id] = r.device ?? -1;
    records.preemptions[id] = r.preemptions ?? 0;
    if (r.rejected !== undefined) records.reject(id, r.rejected);
    else if (r.finishS !== undefined) records.status[id] = STATUS_FINISHED;
    return { id, ...r.req };
  });
  const finishes = rows.filter((r) => r.rejected === undefined && r.finishS !== undefined).map((r) => r.finishS!);
  const window = { startS: rows.length > 0 ? Math.min(...rows.map((r) => r.req.arrivalS)) : 0, endS: finishes.length > 0 ? Math.max(...finishes) : (extra.endS ?? 10) };
  return { requests, records, devices, endS: extra.endS ?? 10, window, events: extra.events ?? 0, warnings: extra.warnings ?? [] };
}
