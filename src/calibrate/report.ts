/**
 * Tables of simulated vs measured load points: the per-point error table `llmsim calibrate` prints
 * and the validation report's tables, and the median absolute percentage errors over a set.
 */
import { LOSS_METRICS, relativeError, type PointResult } from './evaluate.js';
import type { Metric } from './points.js';

/** The metrics a table shows, with headers. */
export const TABLE_METRICS: readonly { metric: Metric; label: string; unit: 'ms' | 'rps' }[] = [
  { metric: 'ttftP50S', label: 'TTFT p50', unit: 'ms' },
  { metric: 'ttftP99S', label: 'TTFT p99', unit: 'ms' },
  { metric: 'tpotMeanS', label: 'TPOT mean', unit: 'ms' },
  { metric: 'e2eMeanS', label: 'E2E mean', unit: 'ms' },
  { metric: 'e2eP99S', label: 'E2E p99', unit: 'ms' },
  { metric: 'throughputRps', label: 'throughput', unit: 'rps' },
];

export type RoledResult = PointResult & { readonly role: string };

const fmt = (v: number | undefined, unit: 'ms' | 'rps') => (v === undefined ? '-' : unit === 'ms' ? (v * 1000).toFixed(1) : v.toFixed(1));
const pct = (e: number | undefined) => (e === undefined ? '-' : `${e >= 0 ? '+' : ''}${(e * 100).toFixed(0)}%`);

/** One markdown table: per point, measured / simulated (error) for each metric, and saturation. */
export function errorTable(results: readonly RoledResult[]): string[] {
  const head = ['point', 'role', ...TABLE_METRICS.map((m) => `${m.label} ${m.unit} meas / sim (err)`), 'saturated meas / sim'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of results) {
    const cells = TABLE_METRICS.map(({ metric, unit }) => `${fmt(r.point.measured[metric], unit)} / ${fmt(r.predicted[metric], unit)} (${pct(relativeError(r, metric))})`);
    const sat = `${r.saturated.measured === undefined ? '-' : r.saturated.measured ? 'yes' : 'no'} / ${r.saturated.predicted ? 'yes' : 'no'}`;
    lines.push(`| ${r.point.id} | ${r.role}${r.point.unmodelled ? ` (not modelled: ${r.point.unmodelled})` : ''} | ${cells.join(' | ')} | ${sat} |`);
  }
  return lines;
}

/** Median of |relative error| of `metric` over the results that have both values; undefined if none. */
export function medianApe(results: readonly PointResult[], metric: Metric): number | undefined {
  const errs = results.map((r) => relativeError(r, metric)).filter((e): e is number => e !== undefined).map(Math.abs).sort((a, b) => a - b);
  if (errs.length === 0) return undefined;
  const mid = errs.length >> 1;
  return errs.length % 2 === 1 ? errs[mid]! : (errs[mid - 1]! + errs[mid]!) / 2;
}

/** Points whose measured and simulated saturation disagree. */
export function saturationMismatches(results: readonly PointResult[]): PointResult[] {
  return results.filter((r) => r.saturated.measured !== undefined && r.saturated.measured !== r.saturated.predicted);
}

/**
 * In-sample quality of a calibration over (predicted, measured) pairs: MAPE and median APE in %, and
 * R^2 of ln(predicted) against ln(measured) (centered), for the profile's `fit` block.
 */
export function fitQuality(pairs: readonly (readonly [number, number])[], method: string): { r2: number; mape: number; medianApe: number; points: number; method: string } {
  const apes = pairs.map(([p, m]) => Math.abs(p / m - 1) * 100).sort((a, b) => a - b);
  const logs = pairs.map(([p, m]) => [Math.log(p), Math.log(m)] as const);
  const mean = logs.reduce((a, [, m]) => a + m, 0) / logs.length;
  const ssRes = logs.reduce((a, [p, m]) => a + (p - m) ** 2, 0);
  const ssTot = logs.reduce((a, [, m]) => a + (m - mean) ** 2, 0);
  const mid = apes.length >> 1;
  return {
    r2: ssTot > 0 ? 1 - ssRes / ssTot : 1,
    mape: apes.reduce((a, b) => a + b, 0) / apes.length,
    medianApe: apes.length % 2 ? apes[mid]! : (apes[mid - 1]! + apes[mid]!) / 2,
    points: pairs.length,
    method,
  };
}

/** The (predicted, measured) pairs of the loss's metrics over load-point results. */
export function lossPairs(results: readonly PointResult[]): [number, number][] {
  const out: [number, number][] = [];
  for (const r of results) {
    for (const { metric } of LOSS_METRICS) {
      const m = r.point.measured[metric], p = r.predicted[metric];
      if (m !== undefined && m > 0 && p !== undefined && p > 0) out.push([p, m]);
    }
  }
  return out;
}
