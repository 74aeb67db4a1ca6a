import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkCaseIds, countFromEnv } from '../../src/bench/env-count.js';

const NAME = 'LLMSIM_TEST_ENV_COUNT';

describe('bench request counts from the environment', () => {
  afterEach(() => {
    delete process.env[NAME];
    vi.restoreAllMocks();
  });

  it('is undefined when unset and the number when a positive whole number', () => {
    expect(countFromEnv(NAME)).toBeUndefined();
    process.env[NAME] = '250000';
    expect(countFromEnv(NAME)).toBe(250000);
  });

  it.each(['', '0', '-5', '2.5', '1e6', 'abc', ' 7', '0012', '1234567890123'])('refuses %j with one line and exit 2', (text) => {
    process.env[NAME] = text;
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(() => countFromEnv(NAME)).toThrow('exit 2');
    expect(exit).toHaveBeenCalledWith(2);
    expect(err).toHaveBeenCalledTimes(1);
    expect(String(err.mock.calls[0]![0])).toBe(`llmsim bench: ${NAME}: expected a positive whole number, found ${JSON.stringify(text)}\n`);
  });
});

describe('bench case ids from the command line', () => {
  afterEach(() => vi.restoreAllMocks());

  it('accepts none, or known ones in any order', () => {
    expect(() => checkCaseIds([], ['startup', 'engine'])).not.toThrow();
    expect(() => checkCaseIds(['engine', 'startup'], ['startup', 'engine'])).not.toThrow();
  });

  it('refuses the first unknown one with one line and exit 2 (a typo would otherwise run nothing)', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(() => checkCaseIds(['engine', 'vidur10k', 'nope'], ['startup', 'engine', 'vidur-10k'])).toThrow('exit 2');
    expect(exit).toHaveBeenCalledWith(2);
    expect(err).toHaveBeenCalledTimes(1);
    expect(String(err.mock.calls[0]![0])).toBe('llmsim bench: expected case ids among startup, engine, vidur-10k; found "vidur10k"\n');
  });
});
