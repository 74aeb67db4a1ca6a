import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { formatPath } from '../util/validate.js';

const INTEGER = /^\s*[-+]?\d+\s*$/;
const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * A whole-number flag in [min, max], written in decimal digits. z.coerce.number() (Number()) also
 * took '' as 0, '0x10' as 16 and '1e3' as 1000: text that is not plain digits is refused.
 */
export function intOption(min: number, max: number) {
  return z.preprocess((v) => (typeof v === 'string' && INTEGER.test(v) ? Number(v) : v), z.number({ error: 'expected a whole number in decimal digits' }).int().min(min).max(max));
}

/** A real-number flag in decimal notation (an exponent is fine; '', hex, NaN and Infinity are not). */
export function realOption() {
  return z.preprocess((v) => (typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v), z.number({ error: 'expected a decimal number' }));
}

/** `--seed` as commander gives it (a string), checked to be a 32-bit unsigned integer. */
export const seedOption = intOption(0, 2 ** 32 - 1);

/**
 * Checks, before any work, that `path` can be written as a file: not a directory, and not below
 * a file. (Writing itself reports the rest: permissions, a full disk.)
 */
export function checkOutputFile(path: string, flag: string): void {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new InputError({ field: flag }, `expected a file to write, found a directory: ${path}`);
  for (let d = dirname(abs); ; d = dirname(d)) {
    if (existsSync(d)) {
      if (!statSync(d).isDirectory()) throw new InputError({ field: flag }, `expected a file to write in a directory, found a file: ${d}`);
      return;
    }
    if (dirname(d) === d) return;
  }
}

/**
 * Checks a command's parsed flags against its schema (the shadcn habit: parse options at once);
 * a bad flag becomes one InputError naming it.
 */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const flag = `--${formatPath(issue.path).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  let value: unknown = raw;
  for (const p of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  throw new InputError({ field: flag }, `${expectation(issue)}, found ${JSON.stringify(value)}`);
}

/** "expected ..." for a zod issue, in llmsim's words rather than zod's. */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.message.startsWith('expected ')) return issue.message;
      return `expected ${issue.expected === 'number' ? 'a number' : issue.expected}`;
    case 'too_small':
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message.replace(/^Invalid input: /, '').replace(/, received .*$/, '');
  }
}
