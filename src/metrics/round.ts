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

/**
 * CSV rendering: rounded number as text, or the empty string where undefined. Equal to
 * `String(roundSig(x, CSV_DIGITS))`, built from the rounded digits as an integer where that is
 * exact (1e-6 <= |x| < 1e9, where JavaScript prints no exponent): the rounded value is the double
 * nearest m / 10^k for an integer m of at most 10 digits, so its shortest round-trip text is those
 * digits with the point put back (printing a small integer is ~3x cheaper than a double; requests.csv
 * prints millions).
 */
export function csvNumber(x: number): string {
  if (!Number.isFinite(x)) return '';
  if (x === 0) return '0'; // also -0, as roundSig turns it into 0
  const a = Math.abs(x);
  if (!(a >= 1e-6 && a < 1e9)) return String(roundSig(x, CSV_DIGITS));
  const k = CSV_DIGITS - 1 - Math.floor(Math.log10(a)); // as in roundSig: 0..23 here
  if (k > 22) return String(roundSig(x, CSV_DIGITS));
  const digits = String(Math.round(a * POW10[k]!));
  const sign = x < 0 ? '-' : '';
  if (k === 0) return sign + digits;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48 && digits.length - end < k) end--; // trailing zeros of the fraction
  const fraction = k - (digits.length - end); // fraction digits kept
  const intLen = digits.length - k;
  if (intLen > 0) return fraction === 0 ? sign + digits.slice(0, intLen) : `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen, end)}`;
  return `${sign}0.${'0'.repeat(-intLen)}${digits.slice(0, end)}`;
}
