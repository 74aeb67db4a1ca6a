import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A fresh `llmsim-<prefix>-XXXXXX` directory in the temporary directory, removed with everything in
 * it after the tests of the calling file (or describe block) have run. Call it at the top level of
 * a test file or in a describe body, not inside a test: the cleanup is an afterAll hook. Put
 * per-test files, and the outputs of child processes, under it. The suite fails when a run leaves
 * `llmsim-*` entries behind (test/support/tmp-guard.ts).
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `llmsim-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
