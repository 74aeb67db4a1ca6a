import type { DeviceStats } from '../devices/device.js';
import type { DisaggregationResult } from '../disaggregation/handoff.js';
import type { RecordTable } from '../metrics/records.js';
import type { Request } from '../workload/request.js';
import type { FleetResult } from '../fleet/controller.js';

/** Everything a run produced; pure data, no I/O. */
export interface SimResult {
  readonly requests: readonly Request[];
  readonly records: RecordTable;
  /** One entry per replica, in cluster order (RecordTable.device indexes into this). */
  readonly devices: readonly DeviceStats[];
  /**
   * Simulation time of the last event that did something, s. Stale events (a decode run's old end
   * after the run was cut, the timer of a request that had already ended) are not counted, so this
   * is the same with and without fast-forwarding.
   */
  readonly endS: number;
  /** First arrival to last finish, s: the window of throughput, utilization and idle energy. */
  readonly window: { readonly startS: number; readonly endS: number };
  /** Engine events processed. */
  readonly events: number;
  /** Human-readable warnings (e.g. profile values clamped at their floor). */
  readonly warnings: readonly string[];
  /** Provisioning, cost and carbon accounts, when the scenario has a `fleet:` block (src/fleet/). */
  readonly fleet?: FleetResult;
  /** P/D disaggregation: each request's handoff timeline and per-stage busy time (only when on). */
  readonly disaggregation?: DisaggregationResult;
}
