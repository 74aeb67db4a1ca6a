import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseLimit, type Limit } from './limits.js';
import { closest, validate } from '../util/validate.js';
import { loadYamlFile } from '../util/yaml-file.js';

/**
 * How far a metric may move before `llmsim check` calls it drift. A value is within tolerance when
 * |result - baseline| <= abs OR |result - baseline| <= rel * |baseline|.
 */
export interface Tolerance {
  readonly abs: number;
  readonly rel: number;
  /** Not compared at all (e.g. a field that legitimately varies). */
  readonly ignore: boolean;
  /**
   * One-sided: `lower` (latency, energy) or `higher` (throughput, goodput) is better, and only a
   * move the worse way beyond the tolerance is drift; an improvement passes. Absent: both ways.
   */
  readonly better?: 'lower' | 'higher';
}

/**
 * Defaults: summaries keep 6 significant digits and the simulation is deterministic, so the same
 * code gives the same numbers; rel 1e-6 only absorbs a last-digit flip of a value on a rounding
 * edge. Any real behavioural change moves results by far more.
 */
export const DEFAULT_TOLERANCE: Tolerance = { abs: 1e-9, rel: 1e-6, ignore: false };

/** One per-metric rule of a tolerances file. */
export interface ToleranceRule {
  readonly pattern: string;
  readonly match: RegExp;
  readonly tolerance: Tolerance;
  /** Line and column of the pattern in the tolerances file. */
  readonly line?: number;
  readonly column?: number;
}

/** Defaults plus per-metric rules, first matching rule wins. */
export interface Tolerances {
  /** The tolerances file, if the rules came from one. */
  readonly file?: string;
  readonly default: Tolerance;
  readonly rules: readonly ToleranceRule[];
  /** Absolute limits from the file's `limits:` list (`latency.ttftS.p99 <= 2`). */
  readonly limits: readonly Limit[];
}

const bound = () => z.number().min(0);
const better = () => z.enum(['lower', 'higher']).optional().describe('One-sided: only a move the worse way is drift (lower: latency, energy; higher: throughput, goodput)');
const tolerancesSchema = z.strictObject({
  default: z.strictObject({ abs: bound().optional(), rel: bound().optional() }).optional().describe('Tolerance of every metric without a rule'),
  metrics: z
    .record(
      z.string().min(1),
      z.strictObject({ abs: bound().optional().describe('Absolute tolerance'), rel: bound().optional().describe('Relative tolerance'), ignore: z.boolean().optional().describe('Do not compare'), better: better() }),
    )
    .default({})
    .describe('Metric path pattern (`*` = one path segment, `**` = anything) -> tolerance; first match wins'),
  limits: z.array(z.string().min(1)).default([]).describe('Absolute limits, each `metric <= n` (or <, >=, >): fail when the result breaks one, whatever the baseline'),
});

/** The defaults, or a tolerances file: `default: {abs, rel}` and `metrics: {pattern: {abs, rel, ignore}}`. */
export function loadTolerances(file?: string): Tolerances {
  if (file === undefined) return { default: DEFAULT_TOLERANCE, rules: [], limits: [] };
  const source = loadYamlFile(file, 'tolerances file');
  const spec = validate(tolerancesSchema, source.data ?? {}, source);
  const base: Tolerance = { ...DEFAULT_TOLERANCE, ...spec.default };
  return {
    file,
    default: base,
    rules: Object.entries(spec.metrics).map(([pattern, t]) => ({
      pattern,
      match: patternToRegExp(pattern),
      tolerance: { ...base, ...t },
      ...source.locate(['metrics'], pattern),
    })),
    limits: spec.limits.map((text, i) => {
      const pos = source.locate(['limits', i]);
      return parseLimit(text, { file, line: pos?.line, column: pos?.column, field: `limits[${i}]` });
    }),
  };
}

/**
 * Refuses a rule whose pattern matches none of `metrics` (the paths of the files compared): a
 * typo such as `latncy.**` would otherwise silently loosen nothing, or tighten nothing, in CI.
 */
export function checkRulesMatch(t: Tolerances, metrics: readonly string[]): void {
  for (const rule of t.rules) {
    if (metrics.some((m) => rule.match.test(m))) continue;
    const head = rule.pattern.split(/[.[]/)[0]!;
    const near = closest(head, [...new Set(metrics.map((m) => m.split(/[.[]/)[0]!))]);
    throw new InputError(
      { file: t.file, line: rule.line, column: rule.column, field: `metrics.${rule.pattern}` },
      `expected a pattern matching some metric of the summaries compared${near && near !== head ? ` (did you mean "${near}" for "${head}"?)` : ''}, found "${rule.pattern}", which matches none`,
    );
  }
}

/** The tolerance that applies to metric `path`. */
export function toleranceFor(t: Tolerances, path: string): Tolerance {
  for (const rule of t.rules) if (rule.match.test(path)) return rule.tolerance;
  return t.default;
}

/** `latency.*.p99` -> a RegExp: `*` matches within one segment, `**` across segments. */
export function patternToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^.\\[\\]]*';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
