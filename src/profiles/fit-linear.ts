/**
 * Linear least squares for fitting profiles: y ~ X c, optionally weighted and with non-negative
 * coefficients. The solve is ml-matrix's QR least squares (better conditioned than normal equations).
 */
import { Matrix, SingularValueDecomposition, solve } from 'ml-matrix';

/** Fitted coefficients plus the quality measures profiles report (see FitSchema). */
export interface LinearFit {
  coefficients: number[];
  /** Uncentered R^2 (1 - SSres/sum y^2): what a fit without intercept reports. */
  r2Uncentered: number;
  /** Centered R^2 (1 - SSres/SStot around the mean). */
  r2Centered: number;
  /** Root-mean-square error, unweighted, in the unit of y. */
  rmse: number;
  /** Mean, median and largest absolute percentage error, %. */
  mape: number;
  medianApe: number;
  maxApe: number;
  /** Residual standard deviation sqrt(SSres / (n - k)), unit of y; NaN when n = k. */
  residualStd: number;
  /** measured/fitted - 1 per point, in input order (the empirical noise of the fit). */
  relativeResiduals: number[];
  points: number;
}

export interface LinearFitOptions {
  /** Row weights; the fit minimises sum (w_i * residual_i)^2. Use 1/y for relative error. */
  weights?: readonly number[];
  /** Constrain every coefficient to be >= 0 (exact: best least-squares fit over all supports). */
  nonNegative?: boolean;
}

/** Fits y ~ X c by (weighted) least squares; X has one row per point, one column per term. */
export function fitLinear(x: readonly (readonly number[])[], y: readonly number[], options: LinearFitOptions = {}): LinearFit {
  const n = y.length;
  const k = x[0]?.length ?? 0;
  if (n === 0 || k === 0 || x.length !== n || x.some((row) => row.length !== k)) throw new Error(`fitLinear: need a ${n} x k design matrix with k > 0`);
  if (n < k) throw new Error(`fitLinear: ${n} points cannot determine ${k} coefficients`);
  const rank = designRank(x);
  if (rank < k) throw new Error(`fitLinear: singular design (rank ${rank} of ${k} terms): the points do not vary enough to separate the terms`);
  const w = options.weights ?? y.map(() => 1);
  const xw = x.map((row, i) => row.map((v) => v * w[i]!));
  const yw = y.map((v, i) => v * w[i]!);
  let best: number[] | undefined;
  let bestRss = Infinity;
  // NNLS by enumeration: the constrained optimum is the unconstrained fit on its own support, and
  // every feasible support's fit is a feasible point, so the best feasible support is optimal.
  // With the 2-4 terms profiles use that is at most 15 small solves.
  const supports = options.nonNegative ? allSupports(k) : [range(k)];
  for (const support of supports) {
    const c = solveOn(xw, yw, support, k);
    if (options.nonNegative && c.some((v) => v < 0)) continue;
    const rss = residualSS(xw, yw, c);
    if (rss < bestRss) { bestRss = rss; best = c; }
  }
  if (!best) throw new Error('fitLinear: no feasible fit');
  return { coefficients: best, ...fitStats(x, y, best) };
}

/** Quality of coefficients `c` on the unweighted data. */
export function fitStats(x: readonly (readonly number[])[], y: readonly number[], c: readonly number[]): Omit<LinearFit, 'coefficients'> {
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  let ss = 0, sst = 0, sy2 = 0, ape = 0, maxApe = 0;
  const relativeResiduals: number[] = [];
  const apes: number[] = [];
  for (let i = 0; i < n; i++) {
    const fitted = dot(x[i]!, c);
    const r = y[i]! - fitted;
    relativeResiduals.push(fitted !== 0 ? y[i]! / fitted - 1 : 0);
    ss += r * r;
    sst += (y[i]! - mean) ** 2;
    sy2 += y[i]! ** 2;
    const pe = y[i] === 0 ? 0 : Math.abs(r / y[i]!) * 100;
    ape += pe;
    apes.push(pe);
    if (pe > maxApe) maxApe = pe;
  }
  const residualStd = n > c.length ? Math.sqrt(ss / (n - c.length)) : NaN;
  apes.sort((a, b) => a - b);
  const medianApe = n % 2 ? apes[n >> 1]! : (apes[(n >> 1) - 1]! + apes[n >> 1]!) / 2;
  return { r2Uncentered: 1 - ss / sy2, r2Centered: 1 - ss / sst, rmse: Math.sqrt(ss / n), mape: ape / n, medianApe, maxApe, residualStd, relativeResiduals, points: n };
}

/**
 * Numerical rank of a design matrix after scaling each column to unit length (so terms of very
 * different magnitude, like tin and tin*tout, do not look dependent). Singular values below
 * 1e-10 of the largest count as zero.
 */
export function designRank(x: readonly (readonly number[])[]): number {
  const k = x[0]?.length ?? 0;
  const norms = Array.from({ length: k }, (_, j) => Math.sqrt(x.reduce((s, row) => s + row[j]! * row[j]!, 0)));
  const scaled = new Matrix(x.map((row) => row.map((v, j) => (norms[j]! > 0 ? v / norms[j]! : 0))));
  const sv = new SingularValueDecomposition(scaled, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  const top = Math.max(...sv);
  return top > 0 ? sv.filter((s) => s > top * 1e-10).length : 0;
}

function solveOn(x: number[][], y: number[], support: number[], k: number): number[] {
  const a = new Matrix(x.map((row) => support.map((j) => row[j]!)));
  const sol = solve(a, Matrix.columnVector(y)).to1DArray();
  const c = new Array<number>(k).fill(0);
  support.forEach((j, i) => { c[j] = sol[i]!; });
  return c;
}

function residualSS(x: number[][], y: number[], c: number[]): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - dot(x[i]!, c)) ** 2;
  return s;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function range(k: number): number[] {
  return Array.from({ length: k }, (_, i) => i);
}

function allSupports(k: number): number[][] {
  const out: number[][] = [];
  for (let mask = 1; mask < 1 << k; mask++) out.push(range(k).filter((j) => mask & (1 << j)));
  return out;
}
