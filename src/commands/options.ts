import { z } from 'zod';
import { InputError } from '../errors.js';
import { formatPath } from '../util/validate.js';

/** `--seed` as commander gives it (a string), checked to be a 32-bit unsigned integer. */
export const seedOption = z.coerce.number().int().min(0).max(2 ** 32 - 1);

/**
 * Checks a command's parsed flags against its schema (the shadcn habit: parse options at once);
 * a bad flag becomes one InputError naming it.
 */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const flag = `--${formatPath(issue.path).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const value = (raw as Record<string, unknown>)[String(issue.path[0])];
  throw new InputError({ field: flag }, `${expectation(issue)}, found ${JSON.stringify(value)}`);
}

/** "expected ..." for a zod issue, in llmsim's words rather than zod's. */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
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
