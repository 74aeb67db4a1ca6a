/**
 * The fixed rounding rule for everything llmsim writes: a number keeps `digits` significant
 * digits, so files are stable across platforms, diff well and stay byte-identical for the same
 * input. Counts are integers and are never passed through here.
 */

/** Significant digits in summary.json and the stdout table. */
export const SUMMARY_DIGITS = 6;
/** Significant digits in requests.csv (raw per-request data keeps more: 1 ms at 10^5 s). */
export const CSV_DIGITS = 9;

// Exact powers of ten: dividing an integer by one of these is correctly rounded, so the result
// prints as the short decimal it stands for (no 0.30000000000000004).
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Rounds `x` to `digits` (1..15) significant digits, half away from zero; NaN and infinities pass
 * through. Agrees with `Number(x.toPrecision(digits))` (bar values within an ulp of a tie) and is
 * about twice as fast, which matters for a million CSV rows.
 */
export function roundSig(x: number, digits: number): number {
  // Beyond 15 digits the scaled value passes 2^53 and Math.round stops being exact.
  if (!(digits >= 1 && digits <= 15 && Number.isInteger(digits))) throw new Error(`roundSig: digits must be an integer in 1..15, got ${digits}`);
  if (x === 0 || !Number.isFinite(x)) return x === 0 ? 0 : x; // also turns -0 into 0
  const a = Math.abs(x);
  const shift = digits - 1 - Math.floor(Math.log10(a));
  let y: number;
  if (shift >= 0 && shift <= 22) y = Math.round(a * POW10[shift]) / POW10[shift];
  else if (shift < 0 && shift >= -22) y = Math.round(a / POW10[-shift]) * POW10[-shift];
  else y = Math.abs(Number(a.toPrecision(digits))); // subnormal-ish or huge: rare, exact path
  return x < 0 ? -y : y;
}

/** Summary rounding: `digits` significant digits, or null where the value is undefined (NaN, infinite). */
export function roundOrNull(x: number | undefined, digits = SUMMARY_DIGITS): number | null {
  return x === undefined || !Number.isFinite(x) ? null : roundSig(x, digits);
}

/** CSV rendering: rounded number as text, or the empty string where undefined. */
export function csvNumber(x: number): string {
  return Number.isFinite(x) ? String(roundSig(x, CSV_DIGITS)) : '';
}
