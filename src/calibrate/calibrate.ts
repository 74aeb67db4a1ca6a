/**
 * Calibration: the efficiency coefficients of a transformer profile that make simulated serving
 * match measured load points. Simulation in the loop: each objective evaluation replays every
 * fitted point through the batching device; NLopt's BOBYQA (derivative-free, bounded; nlopt-js)
 * minimizes the robust loss of evaluate.ts over the coefficients, each mapped to [0, 1] (overheads
 * on a log scale) so one step size suits them all. Deterministic: same data, template and seed give
 * the same coefficients.
 */
import type { TransformerProfile } from '../profiles/schema.js';
import { robustLoss, simulatePoint, type PointResult } from './evaluate.js';
import type { LoadPoint } from './points.js';

type Coefficients = TransformerProfile['coefficients'];
export type CoefficientName = keyof Coefficients;

/** A coefficient calibration may move, with its range. */
interface Knob {
  readonly name: CoefficientName;
  readonly lo: number;
  readonly hi: number;
  /** Searched on a log scale (seconds spanning decades). */
  readonly log: boolean;
}

export const KNOBS: readonly Knob[] = [
  { name: 'computeEfficiency', lo: 0.05, hi: 1, log: false },
  { name: 'memoryEfficiency', lo: 0.05, hi: 1, log: false },
  { name: 'attentionEfficiency', lo: 0.01, hi: 1, log: false },
  { name: 'commEfficiency', lo: 0.05, hi: 1, log: false },
  { name: 'overlap', lo: 0, hi: 1, log: false },
  { name: 'stepOverheadS', lo: 1e-5, hi: 0.05, log: true },
  { name: 'layerOverheadS', lo: 1e-7, hi: 1e-3, log: true },
  { name: 'perSeqOverheadS', lo: 1e-7, hi: 1e-3, log: true },
  { name: 'allReduceLatencyS', lo: 1e-7, hi: 1e-3, log: true },
  { name: 'frontendS', lo: 1e-5, hi: 0.5, log: true },
];

/** What calibrate fits when not told: the terms a single-GPU serving table can pin down. */
export const DEFAULT_FIT: readonly CoefficientName[] = ['computeEfficiency', 'memoryEfficiency', 'attentionEfficiency', 'overlap', 'stepOverheadS', 'perSeqOverheadS', 'frontendS'];

/** What the optimizer needs: a template, which coefficients move, a budget and the loss of a candidate. */
export interface FitOptions {
  readonly template: TransformerProfile;
  readonly fit: readonly CoefficientName[];
  readonly maxEvals: number;
  readonly loss: (candidate: TransformerProfile) => number;
  /** Called after each evaluation (progress). */
  readonly onEval?: (evals: number, loss: number, best: number) => void;
}

export interface FitResult {
  readonly coefficients: Coefficients;
  readonly loss: number;
  readonly evals: number;
}

const toUnit = (k: Knob, v: number) => {
  const c = Math.min(k.hi, Math.max(k.lo, v));
  return k.log ? Math.log(c / k.lo) / Math.log(k.hi / k.lo) : (c - k.lo) / (k.hi - k.lo);
};
const fromUnit = (k: Knob, u: number) => (k.log ? k.lo * Math.pow(k.hi / k.lo, u) : k.lo + u * (k.hi - k.lo));

/** The template with `coefficients`. */
export function withCoefficients(p: TransformerProfile, coefficients: Coefficients): TransformerProfile {
  return { ...p, coefficients };
}

/** Minimizes `loss` over the chosen coefficients with BOBYQA, from the template's values. */
export async function fitCoefficients(o: FitOptions): Promise<FitResult> {
  const { default: nlopt } = await import('nlopt-js');
  await nlopt.ready;
  const knobs = o.fit.map((name) => KNOBS.find((k) => k.name === name)!);
  const coefficientsAt = (x: readonly number[]): Coefficients => {
    const c = { ...o.template.coefficients };
    knobs.forEach((k, i) => (c[k.name] = fromUnit(k, Math.min(1, Math.max(0, x[i]!)))));
    return c;
  };
  let evals = 0, best = Infinity, bestX: number[] = knobs.map((k) => toUnit(k, o.template.coefficients[k.name]));
  const objective = (x: number[]) => {
    const loss = o.loss(withCoefficients(o.template, coefficientsAt(x)));
    evals++;
    if (loss < best) {
      best = loss;
      bestX = x.slice();
    }
    o.onEval?.(evals, loss, best);
    return loss;
  };
  const opt = new nlopt.Optimize(nlopt.Algorithm.LN_BOBYQA!, knobs.length);
  opt.setLowerBounds(knobs.map(() => 0));
  opt.setUpperBounds(knobs.map(() => 1));
  opt.setMaxeval(o.maxEvals);
  opt.setMinObjective((x) => objective(x), 1e-6);
  try {
    opt.optimize(bestX.slice());
  } finally {
    nlopt.GC.flush();
  }
  const coefficients = coefficientsAt(bestX);
  return { coefficients, loss: o.loss(withCoefficients(o.template, coefficients)), evals };
}

/** Simulates every point with the profile's coefficients. */
export function evaluatePoints(p: TransformerProfile, path: string, points: readonly LoadPoint[], seed: number, baseDir: string): PointResult[] {
  return points.map((pt) => simulatePoint(pt, path, p, seed, baseDir));
}

export interface CalibrateOptions {
  readonly template: TransformerProfile;
  /** The template's file: load-point scenarios name it (the coefficients under test replace its own in memory). */
  readonly templatePath: string;
  readonly points: readonly LoadPoint[];
  readonly fit: readonly CoefficientName[];
  readonly maxEvals: number;
  readonly seed: number;
  readonly baseDir: string;
  readonly onEval?: (evals: number, loss: number, best: number) => void;
}

export interface CalibrateResult extends FitResult {
  readonly results: readonly PointResult[];
}

/** Fits the coefficients to measured load points, simulating every point at each evaluation. */
export async function calibrate(o: CalibrateOptions): Promise<CalibrateResult> {
  const run = (p: TransformerProfile) => evaluatePoints(p, o.templatePath, o.points, o.seed, o.baseDir);
  const fit = await fitCoefficients({ template: o.template, fit: o.fit, maxEvals: o.maxEvals, onEval: o.onEval, loss: (p) => robustLoss(run(p)) });
  return { ...fit, results: run(withCoefficients(o.template, fit.coefficients)) };
}
