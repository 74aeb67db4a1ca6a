/**
 * Row filters of `llmsim fit` (`--where`, `where:`): a column compared with a value. Equality and
 * inequality compare text, as the cells are written; the order comparisons and ranges compare
 * numbers.
 *
 *   column=value       text equal            model=llama2-70b
 *   column!=value      text not equal        hardware!=h100-80gb-pcap
 *   column>=number     numeric (also >, <=, <)   batch_size>=8
 *   column=low..high   numeric, both ends included; either end may be left out   prompt_size=128..2048
 *
 * In a `--map` file the same conditions are the values: `where: { batch_size: '>=8' }`, and a list
 * holds several conditions on one column, all of which must hold: `prompt_size: ['>=128', '<2048']`.
 * A value that must be matched as text although it looks like a condition takes a leading `=`:
 * `note: '=>5'` matches the text `>5`.
 */
import { InputError, describeValue } from '../errors.js';

/** One parsed condition on a column. */
export type Condition =
  | { kind: 'eq'; text: string }
  | { kind: 'ne'; text: string }
  | { kind: 'cmp'; op: '>=' | '<=' | '>' | '<'; value: number }
  | { kind: 'range'; low?: number; high?: number };

/** A filter value as the spec holds it: one condition or a list of them (all must hold). */
export type WhereValue = string | number | (string | number)[];

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const RANGE = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)?\s*\.\.\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)?\s*$/;

/** Parses one condition written as a `where:` value; `field` names it in errors (e.g. `where.batch_size`). */
export function parseCondition(raw: string | number, field: string): Condition {
  if (typeof raw === 'number') return { kind: 'eq', text: String(raw) };
  if (raw.startsWith('=')) return { kind: 'eq', text: raw.slice(1) };
  const op = /^(!=|>=|<=|>|<)(.*)$/s.exec(raw);
  if (op) {
    const rest = op[2]!.trim();
    if (op[1] === '!=') return { kind: 'ne', text: rest };
    if (!NUMBER.test(rest)) throw new InputError({ field }, `expected a number after "${op[1]}", found ${describeValue(rest)}`);
    return { kind: 'cmp', op: op[1] as '>=' | '<=' | '>' | '<', value: Number(rest) };
  }
  const range = RANGE.exec(raw);
  if (range && (range[1] !== undefined || range[2] !== undefined)) {
    const low = range[1] !== undefined ? Number(range[1]) : undefined;
    const high = range[2] !== undefined ? Number(range[2]) : undefined;
    if (low !== undefined && high !== undefined && low > high) throw new InputError({ field }, `expected a range low..high with low <= high, found ${describeValue(raw)}`);
    return { kind: 'range', ...(low !== undefined ? { low } : {}), ...(high !== undefined ? { high } : {}) };
  }
  return { kind: 'eq', text: raw };
}

/** The conditions of one `where:` entry. */
export function parseWhere(column: string, value: WhereValue): Condition[] {
  const values = Array.isArray(value) ? value : [value];
  return values.map((v, i) => parseCondition(v, Array.isArray(value) ? `where.${column}[${i}]` : `where.${column}`));
}

/**
 * Whether `cell` passes `c`. A numeric condition on a cell that is not a number is an error naming
 * the place (file, line, column): the filter cannot say whether the row was meant to be kept.
 */
export function passes(c: Condition, cell: string, place: { file: string; line: number; field: string }): boolean {
  const text = cell.trim();
  if (c.kind === 'eq') return text === c.text;
  if (c.kind === 'ne') return text !== c.text;
  if (!NUMBER.test(text)) throw new InputError(place, `expected a number to compare with ${conditionText(c)}, found ${describeValue(cell)}`);
  const x = Number(text);
  if (c.kind === 'range') return (c.low === undefined || x >= c.low) && (c.high === undefined || x <= c.high);
  return c.op === '>=' ? x >= c.value : c.op === '<=' ? x <= c.value : c.op === '>' ? x > c.value : x < c.value;
}

/** The condition as written after the column: `=x`, `!=x`, `>=8`, `128..2048`. */
function conditionText(c: Condition): string {
  switch (c.kind) {
    case 'eq': return `=${c.text}`;
    case 'ne': return `!=${c.text}`;
    case 'cmp': return `${c.op}${c.value}`;
    case 'range': return `${c.low ?? ''}..${c.high ?? ''}`;
  }
}

/** `column=value`, `column!=value`, `column>=8`, `column=128..2048`: as the condition is written on a flag. */
export function describeCondition(column: string, c: Condition): string {
  return `${column}${c.kind === 'range' ? '=' : ''}${conditionText(c)}`;
}

/**
 * Splits a `--where` flag into its column and the condition as a `where:` value: `batch>=8` gives
 * [`batch`, `>=8`], `model=x` gives [`model`, `x`]. Undefined when the flag has no operator.
 */
export function splitWhereFlag(flag: string): [string, string] | undefined {
  const m = /^([^!<>=]+?)\s*(!=|>=|<=|=|>|<)(.*)$/s.exec(flag);
  if (!m || m[1]!.trim() === '' || m[3]!.trim() === '') return undefined;
  const value = m[3]!.trim();
  return [m[1]!.trim(), m[2] === '=' ? value : `${m[2]}${value}`];
}
