/**
 * Simulating measured load points and scoring the prediction: the scenario each point stands for,
 * its predicted metrics, relative errors, saturation and the robust loss calibration minimizes.
 */
import type { Profile } from '../profiles/schema.js';
import { checkScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';
import type { LoadPoint, Measured, Metric } from './points.js';

/** Simulated counterpart of a measured point. */
export interface PointResult {
  readonly point: LoadPoint;
  readonly predicted: Measured;
  /** Throughput below SATURATED_SHARE of the offered rate. */
  readonly saturated: { readonly measured: boolean | undefined; readonly predicted: boolean };
  readonly finished: number;
  readonly total: number;
}

/** A server is saturated at a load point when it completes less than this share of the offered rate. */
export const SATURATED_SHARE = 0.9;

/** The scenario (as data) that replays one point on one batching replica of `profilePath`. */
export function pointScenario(point: LoadPoint, profilePath: string, seed: number): Record<string, unknown> {
  return {
    name: `calibrate-${point.id.replace(/[^a-zA-Z0-9._-]/g, '-')}`,
    seed,
    workload: point.workload,
    cluster: { devices: [{ name: 'server', kind: 'continuous-batching', profile: profilePath, ...point.device }] },
    policy: { name: 'fifo' },
  };
}

/** The offered request rate of a point's workload, requests/s (Infinity when all arrive at once). */
export function offeredRate(point: LoadPoint): number {
  const arrival = (point.workload.synthetic as { arrival?: { rateRps?: number } } | undefined)?.arrival;
  return arrival?.rateRps ?? Infinity;
}

/**
 * Simulates a point with `profile` (held in memory; `profilePath` is the file it stands for, which
 * must exist). Deterministic for a seed.
 */
export function simulatePoint(point: LoadPoint, profilePath: string, profile: Profile | undefined, seed: number, baseDir: string): PointResult {
  const loaded = checkScenario(pointScenario(point, profilePath, seed), { file: `load point ${point.id}`, baseDir });
  const { summary: s } = runScenario(loaded, profile ? { profiles: () => profile } : {});
  const val = (v: number | null) => (v === null ? undefined : v);
  const predicted: Measured = {
    ttftMeanS: val(s.latency.ttftS.mean),
    ttftP50S: val(s.latency.ttftS.p50),
    ttftP99S: val(s.latency.ttftS.p99),
    tpotMeanS: val(s.latency.tpotS.mean),
    e2eMeanS: val(s.latency.e2eS.mean),
    e2eP99S: val(s.latency.e2eS.p99),
    throughputRps: val(s.throughput.requestsPerS),
  };
  const rate = offeredRate(point);
  const isSaturated = (thr: number | undefined) => (thr === undefined || !Number.isFinite(rate) ? undefined : thr < SATURATED_SHARE * rate);
  return {
    point,
    predicted,
    saturated: { measured: isSaturated(point.measured.throughputRps), predicted: isSaturated(predicted.throughputRps) ?? false },
    finished: s.requests.finished,
    total: s.requests.total,
  };
}

/** (predicted - measured) / measured, or undefined when either is missing. */
export function relativeError(r: PointResult, m: Metric): number | undefined {
  const meas = r.point.measured[m], pred = r.predicted[m];
  if (meas === undefined || pred === undefined || meas <= 0) return undefined;
  return (pred - meas) / meas;
}

/** The metrics calibration matches, with their weights in the loss. */
export const LOSS_METRICS: readonly { metric: Metric; weight: number }[] = [
  { metric: 'ttftP50S', weight: 1 },
  { metric: 'tpotMeanS', weight: 1 },
  { metric: 'e2eMeanS', weight: 1 },
  { metric: 'throughputRps', weight: 1 },
];

/** Scale of the soft-L1 loss on log errors: errors well under it count quadratically, beyond it linearly. */
export const LOSS_SCALE = 0.1;

/**
 * Robust loss of a set of results: the mean over points and metrics of soft-L1 on the log ratio,
 * 2 d^2 (sqrt(1 + (r/d)^2) - 1) with r = ln(predicted / measured) and d = LOSS_SCALE, so one
 * saturated point's large queueing error cannot outweigh the rest. A missing prediction (nothing
 * finished) costs as much as a factor of 10.
 */
export function robustLoss(results: readonly PointResult[]): number {
  let total = 0, n = 0;
  for (const r of results) {
    for (const { metric, weight } of LOSS_METRICS) {
      const meas = r.point.measured[metric];
      if (meas === undefined || meas <= 0) continue;
      const pred = r.predicted[metric];
      total += weight * softL1(pred !== undefined && pred > 0 ? Math.log(pred / meas) : Math.log(10));
      n += weight;
    }
  }
  return n > 0 ? total / n : 0;
}

/** Soft-L1 of a log error x at scale d = LOSS_SCALE: 2 d^2 (sqrt(1 + (x/d)^2) - 1). */
export function softL1(x: number): number {
  return 2 * LOSS_SCALE * LOSS_SCALE * (Math.sqrt(1 + (x / LOSS_SCALE) ** 2) - 1);
}
