import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('tmp-guard');

describe('the test run writes temporary files under a directory of its own', () => {
  it('os.tmpdir() in a worker is the run directory the global setup made', () => {
    const runDir = process.env.LLMSIM_TEST_RUN_TMPDIR;
    expect(runDir).toMatch(/llmsim-test-run-/);
    expect(tmpdir()).toBe(runDir);
    expect(dirname(dir)).toBe(runDir);
    expect(existsSync(dir)).toBe(true);
  });

  it('so does a child process', () => {
    const out = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("node:os").tmpdir())'], { encoding: 'utf8' });
    expect(out.stdout).toBe(process.env.LLMSIM_TEST_RUN_TMPDIR);
    expect(join(out.stdout, 'x')).toBe(join(tmpdir(), 'x'));
  });
});
