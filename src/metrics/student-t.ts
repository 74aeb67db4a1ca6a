import { gammaln } from 'simple-statistics';

/**
 * Student's t distribution (CDF and quantile) for confidence intervals. simple-statistics has no
 * t quantile (and its normal probit is only good to ~3 digits), so this inverts the CDF, written
 * with the regularized incomplete beta function: for t >= 0,
 *   P(T > t) = I_x(df/2, 1/2) / 2  with  x = df / (df + t^2).
 */

/** P(T <= t) for Student's t with `df` > 0 degrees of freedom (non-integer df allowed). */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = upperTail(Math.abs(t), df);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The t with P(T <= t) = p, for p in (0, 1) and `df` > 0. Tail probabilities are good to ~1e-11
 * relative for df <= 1e6 (checked against scipy), degrading to ~1e-8 at df = 1e9, where the
 * incomplete beta's argument is within 1e-9 of 1; far beyond what replication counts need.
 */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  const q = Math.min(p, 1 - p); // upper-tail probability of |t|
  // Bracket the root of upperTail(t) = q (decreasing in t), then bisect to float resolution:
  // ~100 CDF evaluations, trivial next to a replication, and never fails to converge.
  let lo = 0;
  let hi = 1;
  while (upperTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (upperTail(mid, df) > q) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return p > 0.5 ? t : -t;
}

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new Error(`Student t: degrees of freedom must be positive and finite, got ${df}`);
}

// P(T > t) for t >= 0.
function upperTail(t: number, df: number): number {
  // Pass 1 - x computed directly: for large df, x is within 1e-9 of 1 and 1 - x would lose digits.
  const t2 = t * t;
  return 0.5 * regularizedBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
}

/**
 * Regularized incomplete beta I_x(a, b), via its continued fraction (Numerical Recipes 6.4).
 * `y` = 1 - x, if the caller knows it more precisely than 1 - x rounds to.
 */
export function regularizedBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  // log1p of the smaller complement keeps ln x precise when x is near 1 (and ln y when y is).
  const lnX = x < 0.5 ? Math.log(x) : Math.log1p(-y);
  const lnY = y < 0.5 ? Math.log(y) : Math.log1p(-x);
  const lnFront = -logBeta(a, b) + a * lnX + b * lnY;
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(y, b, a)) / b;
}

// ln B(a, b). For large a with b = 1/2 (large df), the difference of three large log-gammas
// would lose digits, so use the asymptotic series of ln Γ(a + 1/2) - ln Γ(a) instead.
function logBeta(a: number, b: number): number {
  const big = Math.max(a, b);
  const small = Math.min(a, b);
  if (small === 0.5 && big > 1e4) {
    const r = 1 / big;
    const lnRatio = 0.5 * Math.log(big) - r / 8 + (r * r * r) / 192; // next term ~ r^5, < 1e-20
    return gammaln(0.5) - lnRatio;
  }
  return gammaln(a) + gammaln(b) - gammaln(a + b);
}

// Modified Lentz evaluation of the incomplete-beta continued fraction.
function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const EPS = 1e-15;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return h;
  }
  throw new Error(`regularizedBeta: continued fraction did not converge (x=${x}, a=${a}, b=${b})`);
}
