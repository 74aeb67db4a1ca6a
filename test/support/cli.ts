import { rmSync } from 'node:fs';
import { afterAll, beforeAll, vi } from 'vitest';
import { main } from '../../src/main.js';

/** The CLI run in-process, with what it printed since the last call. */
export interface CliCapture {
  /** stdout and stderr of the latest `llmsim` call. */
  readonly out: string;
  readonly err: string;
  /** Runs `llmsim ...args` and resolves to its exit code. */
  llmsim(...args: string[]): Promise<number>;
}

/**
 * Captures stdout/stderr for the calling test file (installed in beforeAll, restored in
 * afterAll, which also removes `cleanupDir`). Call at the top level of the file.
 */
export function captureCli(cleanupDir?: string): CliCapture {
  let out = '';
  let err = '';
  beforeAll(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  });
  afterAll(() => {
    vi.restoreAllMocks();
    if (cleanupDir) rmSync(cleanupDir, { recursive: true, force: true });
  });
  return {
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    llmsim(...args) {
      out = '';
      err = '';
      return main(['node', 'llmsim', ...args]);
    },
  };
}
