import { InputError } from '../errors.js';
import { loadYamlFile } from '../util/yaml-file.js';
import { flattenJson, type Leaf } from './flatten.js';
import { toleranceFor, type Tolerance, type Tolerances } from './tolerances.js';

/** One value that moved beyond its tolerance, or appeared, or disappeared. */
export interface Drift {
  readonly metric: string;
  readonly baseline: Leaf | undefined;
  readonly result: Leaf | undefined;
  /** result - baseline, for two numbers. */
  readonly diff: number | null;
  /** diff / |baseline|, for two numbers and a non-zero baseline. */
  readonly relDiff: number | null;
  readonly tolerance: Tolerance;
  readonly kind: 'moved' | 'changed' | 'missing' | 'new';
}

/** The verdict of comparing a summary with its baseline. */
export interface CheckReport {
  /** Values compared (ignored ones excluded). */
  readonly compared: number;
  readonly ignored: number;
  readonly drifts: readonly Drift[];
}

/**
 * Compares every leaf of `result` with the same path in `baseline`: numbers within tolerance pass;
 * text, booleans and nulls must be equal; a value present on one side only is drift, so a change
 * in what the summary reports also needs the baseline updated on purpose.
 */
export function compareSummaries(result: unknown, baseline: unknown, tolerances: Tolerances): CheckReport {
  const r = flattenJson(result);
  const b = flattenJson(baseline);
  const drifts: Drift[] = [];
  let compared = 0;
  let ignored = 0;
  const paths = [...b.keys(), ...[...r.keys()].filter((k) => !b.has(k))];
  for (const metric of paths) {
    const tolerance = toleranceFor(tolerances, metric);
    if (tolerance.ignore) {
      ignored++;
      continue;
    }
    compared++;
    const bv = b.get(metric);
    const rv = r.get(metric);
    const base = { metric, baseline: bv, result: rv, tolerance };
    if (!r.has(metric)) drifts.push({ ...base, diff: null, relDiff: null, kind: 'missing' });
    else if (!b.has(metric)) drifts.push({ ...base, diff: null, relDiff: null, kind: 'new' });
    else if (typeof bv === 'number' && typeof rv === 'number') {
      const diff = rv - bv;
      const within = Math.abs(diff) <= tolerance.abs || Math.abs(diff) <= tolerance.rel * Math.abs(bv);
      if (!within) drifts.push({ ...base, diff, relDiff: bv !== 0 ? diff / Math.abs(bv) : null, kind: 'moved' });
    } else if (bv !== rv) drifts.push({ ...base, diff: null, relDiff: null, kind: 'changed' });
  }
  return { compared, ignored, drifts };
}

/** Reads a summary JSON (or YAML) file; it must hold a mapping. */
export function readSummaryFile(file: string, what: string): unknown {
  const source = loadYamlFile(file, what);
  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    throw new InputError({ file }, `expected a ${what} holding a JSON object, found ${Array.isArray(source.data) ? 'a list' : JSON.stringify(source.data)}`);
  }
  return source.data;
}

/** The check `llmsim check` and the golden tests share: `result` against the baseline file. */
export function checkAgainstBaseline(result: unknown, baselineFile: string, tolerances: Tolerances): CheckReport {
  return compareSummaries(result, readSummaryFile(baselineFile, 'baseline summary'), tolerances);
}
