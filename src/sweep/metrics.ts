import { flattenJson } from '../check/flatten.js';
import type { Summary } from '../metrics/summary.js';
import { roundOrNull } from '../metrics/round.js';

/** One run's summary as flat columns: metric name -> value (null where undefined). */
export type FlatMetrics = Record<string, number | null>;

/**
 * Summary fields that echo the scenario's configuration rather than measure the run (the SLO
 * targets): constant columns in a sweep (and a swept SLO is a parameter column already).
 */
const CONFIG_ECHO = /^goodput\.slo\./;

/**
 * The numeric fields of a summary, named by path (`latency.e2eS.p99`), in the summary's own key
 * order, plus `devices.utilizationMean`. Per-replica lists are left out: their length varies with
 * the grid, and a sweep row must have the same columns as every other. Configuration echoes
 * (CONFIG_ECHO) are left out too.
 */
export function flattenSummary(summary: Summary): FlatMetrics {
  const out: FlatMetrics = {};
  for (const [k, v] of flattenJson(summary, { lists: false })) if ((typeof v === 'number' || v === null) && !CONFIG_ECHO.test(k)) out[k] = v;
  const utils = summary.devices.map((d) => d.utilization).filter((u): u is number => u !== null);
  out['devices.utilizationMean'] = utils.length > 0 ? roundOrNull(utils.reduce((a, b) => a + b, 0) / utils.length) : null;
  return out;
}
