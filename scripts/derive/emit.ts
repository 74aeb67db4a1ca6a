/** Deterministic YAML for generated profiles: fixed number precision, caller-chosen key order. */
import { Document } from 'yaml';

/** Rounds to `digits` significant digits (stable text across runs and platforms). */
export function sig(x: number, digits = 6): number {
  if (!Number.isFinite(x)) throw new Error(`cannot write non-finite number ${x} to a profile`);
  return x === 0 ? 0 : Number(x.toPrecision(digits));
}

/** Rounds to `places` decimal places. */
export function fixed(x: number, places: number): number {
  if (!Number.isFinite(x)) throw new Error(`cannot write non-finite number ${x} to a profile`);
  return Number(x.toFixed(places));
}

/**
 * YAML text of `value` with `header` as a leading comment. Keys keep insertion order; long strings
 * are never folded, so the text depends only on the data.
 */
export function toYaml(value: unknown, header: string): string {
  const doc = new Document(value);
  doc.commentBefore = header
    .split('\n')
    .map((l) => (l ? ` ${l}` : ''))
    .join('\n');
  return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}
