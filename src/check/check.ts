import { InputError, describeValue } from '../errors.js';
import { loadYamlFile } from '../util/yaml-file.js';
import { flattenJson, type Leaf } from './flatten.js';
import { readJsonFile } from './json-file.js';
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
      // One-sided rules measure only the worse way: an improvement of any size passes.
      const worse = tolerance.better === 'lower' ? Math.max(0, diff) : tolerance.better === 'higher' ? Math.max(0, -diff) : Math.abs(diff);
      const within = worse <= tolerance.abs || worse <= tolerance.rel * Math.abs(bv);
      if (!within) drifts.push({ ...base, diff, relDiff: bv !== 0 ? diff / Math.abs(bv) : null, kind: 'moved' });
    } else if (bv !== rv) drifts.push({ ...base, diff: null, relDiff: null, kind: 'changed' });
  }
  return { compared, ignored, drifts };
}

/**
 * Top-level keys every llmsim summary.json has (each a mapping): what tells a summary from any
 * other JSON or YAML file, e.g. a scenario passed by mistake.
 */
export const SUMMARY_KEYS: readonly string[] = ['requests', 'latency', 'throughput', 'energy', 'sim'];

/**
 * Reads a summary file: JSON (parsed as JSON) or, for other extensions, YAML. It must be an
 * llmsim summary (a mapping with the SUMMARY_KEYS); otherwise an InputError names the file and
 * the first key missing.
 */
export function readSummaryFile(file: string, what: string): Record<string, unknown> {
  const data = file.toLowerCase().endsWith('.json') ? readJsonFile(file, what) : loadYamlFile(file, what).data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError({ file }, `expected a ${what} holding a JSON object (an llmsim summary.json), found ${describeValue(data)}`);
  }
  const record = data as Record<string, unknown>;
  for (const key of SUMMARY_KEYS) {
    const v = record[key];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      const keys = Object.keys(record);
      const found = v === undefined ? `no "${key}" (top-level keys: ${keys.length > 0 ? keys.slice(0, 8).join(', ') + (keys.length > 8 ? ', ...' : '') : 'none'})` : `"${key}" holding ${describeValue(v)}`;
      throw new InputError({ file, field: key }, `expected a ${what} (an llmsim summary.json, with top-level mappings ${SUMMARY_KEYS.join(', ')}), found ${found}`);
    }
  }
  return record;
}

/** The check `llmsim check` and the golden tests share: `result` against the baseline file. */
export function checkAgainstBaseline(result: unknown, baselineFile: string, tolerances: Tolerances): CheckReport {
  return compareSummaries(result, readSummaryFile(baselineFile, 'baseline summary'), tolerances);
}
