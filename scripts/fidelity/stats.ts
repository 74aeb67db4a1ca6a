/** Error statistics of the fidelity report. */

/** Absolute percentage error of a prediction, %. */
export function ape(predicted: number, measured: number): number {
  return (Math.abs(predicted - measured) / Math.abs(measured)) * 100;
}

/** Signed percentage error (positive = over-prediction), %. */
export function spe(predicted: number, measured: number): number {
  return ((predicted - measured) / Math.abs(measured)) * 100;
}

/** Quantile by linear interpolation between order statistics (q in [0, 1]). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Median, p90 and max of a list of errors. */
export interface ErrorSummary {
  n: number;
  median: number;
  p90: number;
  max: number;
}

export function summarize(errors: readonly number[]): ErrorSummary {
  return { n: errors.length, median: quantile(errors, 0.5), p90: quantile(errors, 0.9), max: errors.length ? Math.max(...errors) : NaN };
}

/** `12.3` with one decimal, `-` for NaN. */
export function pct(x: number): string {
  return Number.isFinite(x) ? x.toFixed(1) : '-';
}
