import { InputError, describeValue, type InputLocation } from '../errors.js';
import type { Leaf } from './flatten.js';

/** An absolute limit on one summary metric: `latency.ttftS.p99 <= 2`. */
export interface Limit {
  /** As written, for reports. */
  readonly text: string;
  readonly metric: string;
  readonly op: '<=' | '<' | '>=' | '>';
  readonly value: number;
  /** Where it was written (a tolerances file line, or the --limit flag). */
  readonly where: InputLocation;
}

/** A limit's verdict on one result. */
export interface LimitResult {
  readonly limit: Limit;
  /** The metric's value in the result (null: not applicable, e.g. no TTFT; a limit on it fails). */
  readonly result: Leaf | undefined;
  readonly ok: boolean;
}

const LIMIT = /^\s*([A-Za-z_][\w.[\]]*)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** Parses `metric <= n` (or `<`, `>=`, `>`); anything else is an InputError at `where`. */
export function parseLimit(text: string, where: InputLocation): Limit {
  const m = LIMIT.exec(text);
  if (!m) throw new InputError(where, `expected a limit "metric <= number" (or <, >=, >), e.g. "latency.ttftS.p99 <= 2", found ${describeValue(text)}`);
  return { text: `${m[1]} ${m[2]} ${m[3]}`, metric: m[1]!, op: m[2] as Limit['op'], value: Number(m[3]), where };
}

/**
 * Checks each limit against the result's flattened metrics. A limit naming a metric the summary
 * does not have is an input error (a typo would otherwise never fail); a metric that is null or
 * not a number (no finished request had a TTFT) breaks the limit, since it cannot be shown to hold.
 */
export function checkLimits(limits: readonly Limit[], metrics: ReadonlyMap<string, Leaf>): LimitResult[] {
  return limits.map((limit) => {
    if (!metrics.has(limit.metric)) {
      throw new InputError(limit.where, `expected a limit on a metric of the summary (such as latency.ttftS.p99), found "${limit.metric}", which it does not have`);
    }
    const v = metrics.get(limit.metric);
    const ok = typeof v === 'number' && holds(v, limit.op, limit.value);
    return { limit, result: v, ok };
  });
}

function holds(v: number, op: Limit['op'], bound: number): boolean {
  switch (op) {
    case '<=':
      return v <= bound;
    case '<':
      return v < bound;
    case '>=':
      return v >= bound;
    case '>':
      return v > bound;
  }
}
