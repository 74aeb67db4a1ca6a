/** Helpers shared by the derivations: CSV rows, fit blocks, power fits. Pure. */
import { parse } from 'csv-parse/sync';
import type { LinearFit } from '../../src/profiles/fit-linear.js';
import { fixed, sig } from './emit.js';

/** CSV text to records keyed by header (empty lines skipped). */
export function csvRecords(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** A number cell; anything else is a broken data file (a bug in what we ship, so a plain Error). */
export function num(v: string | undefined, what: string): number {
  const x = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(x)) throw new Error(`${what}: expected a number, found ${JSON.stringify(v)}`);
  return x;
}

/** A profile fit block from a LinearFit (centered R^2 when the terms include an intercept). */
export function fitBlock(f: LinearFit, method: string, intercept = true) {
  return {
    r2: fixed(intercept ? f.r2Centered : f.r2Uncentered, 4),
    ...(intercept ? {} : { r2Centered: fixed(f.r2Centered, 4) }),
    rmse: sig(f.rmse, 4),
    mape: fixed(f.mape, 2),
    maxApe: fixed(f.maxApe, 2),
    ...(Number.isFinite(f.residualStd) ? { residualStd: sig(f.residualStd, 4) } : {}),
    points: f.points,
    method,
  };
}

/** Residual noise block of a fit: relative residual spread and the residuals themselves. */
export function noiseBlock(f: LinearFit) {
  const r = f.relativeResiduals;
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / r.length);
  return { relStd: sig(sd, 4), residuals: r.map((x) => sig(x, 4)) };
}

/** Median (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Stable file-name slug: lower case, [a-z0-9.-] only. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/^[^/]*\//, '').replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');
}

export const RELATIVE_NN = 'least squares weighted by 1/y (relative error), coefficients constrained >= 0, ml-matrix QR solve';
export const OLS_NN = 'ordinary least squares, coefficients constrained >= 0, ml-matrix QR solve';
