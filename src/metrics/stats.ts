import { studentTQuantile } from './student-t.js';

/**
 * Statistics across replications (seeds) and policies, for the sweep and compare commands.
 * Inputs are plain numbers (one per replication); NaN where a statistic is undefined.
 */

/** Arithmetic mean; NaN for no values. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Sample standard deviation (n - 1 denominator); NaN for fewer than two values. */
export function sampleStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return NaN;
  const m = mean(values);
  // Two-pass: subtracting the mean first avoids the cancellation of sum(x^2) - n*m^2.
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/** A mean with its two-sided Student-t confidence interval. */
export interface MeanInterval {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation. */
  readonly std: number;
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
  /** t(1 - (1 - level)/2, n - 1) * std / sqrt(n); NaN for n < 2. */
  readonly halfWidth: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Mean of `values` (independent replications) with a two-sided confidence interval at `level`,
 * assuming the replication means are roughly normal: mean +- t(1 - alpha/2, n - 1) s / sqrt(n).
 */
export function meanConfidenceInterval(values: ArrayLike<number>, level = 0.95): MeanInterval {
  if (!(level > 0 && level < 1)) throw new Error(`meanConfidenceInterval: level must be in (0, 1), got ${level}`);
  const n = values.length;
  const m = mean(values);
  const std = sampleStd(values);
  const halfWidth = n >= 2 ? (studentTQuantile(1 - (1 - level) / 2, n - 1) * std) / Math.sqrt(n) : NaN;
  return { n, mean: m, std, level, halfWidth, low: m - halfWidth, high: m + halfWidth };
}

/** a[i] - b[i] for paired observations (same seed, two policies). Lengths must match. */
export function pairedDifferences(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  if (a.length !== b.length) throw new Error(`pairedDifferences: ${a.length} values vs ${b.length}`);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/**
 * Paired comparison of two policies over the same seeds: the confidence interval of the mean
 * difference a - b. Common random numbers make the differences far less noisy than comparing
 * two independent intervals; an interval excluding 0 is a significant difference at `level`.
 */
export function pairedComparison(a: ArrayLike<number>, b: ArrayLike<number>, level = 0.95): MeanInterval {
  return meanConfidenceInterval(pairedDifferences(a, b), level);
}
