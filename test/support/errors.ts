import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** The one-line message of the InputError `fn` throws (fails the test if it throws nothing else). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}
