import { z } from 'zod';
import { validate } from '../util/validate.js';
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
}

/**
 * Defaults: summaries keep 6 significant digits and the simulation is deterministic, so the same
 * code gives the same numbers; rel 1e-6 only absorbs a last-digit flip of a value on a rounding
 * edge. Any real behavioural change moves results by far more.
 */
export const DEFAULT_TOLERANCE: Tolerance = { abs: 1e-9, rel: 1e-6, ignore: false };

/** Defaults plus per-metric rules, first matching rule wins. */
export interface Tolerances {
  readonly default: Tolerance;
  readonly rules: readonly { readonly pattern: string; readonly match: RegExp; readonly tolerance: Tolerance }[];
}

const bound = () => z.number().min(0);
const tolerancesSchema = z.strictObject({
  default: z.strictObject({ abs: bound().optional(), rel: bound().optional() }).optional().describe('Tolerance of every metric without a rule'),
  metrics: z
    .record(
      z.string().min(1),
      z.strictObject({ abs: bound().optional().describe('Absolute tolerance'), rel: bound().optional().describe('Relative tolerance'), ignore: z.boolean().optional().describe('Do not compare') }),
    )
    .default({})
    .describe('Metric path pattern (`*` = one path segment, `**` = anything) -> tolerance; first match wins'),
});

/** The defaults, or a tolerances file: `default: {abs, rel}` and `metrics: {pattern: {abs, rel, ignore}}`. */
export function loadTolerances(file?: string): Tolerances {
  if (file === undefined) return { default: DEFAULT_TOLERANCE, rules: [] };
  const source = loadYamlFile(file, 'tolerances file');
  const spec = validate(tolerancesSchema, source.data ?? {}, source);
  const base: Tolerance = { ...DEFAULT_TOLERANCE, ...spec.default };
  return {
    default: base,
    rules: Object.entries(spec.metrics).map(([pattern, t]) => ({ pattern, match: patternToRegExp(pattern), tolerance: { ...base, ...t } })),
  };
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
