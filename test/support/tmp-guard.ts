/**
 * vitest globalSetup: the test run gets a temporary directory of its own, and fails if it leaves
 * `llmsim-*` entries in it.
 *
 * Setup creates `llmsim-test-run-XXXXXX` in the machine's temporary directory and points TMPDIR
 * (TMP, TEMP on Windows) at it before any worker starts, so os.tmpdir() in every test worker and
 * in every child process they spawn is this directory; LLMSIM_CODE_CACHE points `llmsim run`'s
 * code cache at a folder inside it, so tests never write to the user's ~/.cache. Other processes on the machine (another
 * engineer's run, a sweep) keep writing to the real temporary directory and are never flagged.
 * Teardown lists what the run left, removes the directory (tool caches such as tsx's included), and
 * throws with the list when an `llmsim-*` entry is among it: a test file that created it did not
 * clean up (use tempDir() from test/support/tmp.ts).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const VARS = ['TMPDIR', 'TMP', 'TEMP', 'LLMSIM_CODE_CACHE'] as const;

export default function setup(): () => void {
  const saved = VARS.map((v) => [v, process.env[v]] as const);
  const runDir = mkdtempSync(join(tmpdir(), 'llmsim-test-run-'));
  for (const v of VARS) process.env[v] = runDir;
  // `llmsim run`'s code cache (src/code-cache.ts) goes here too, not to the user's ~/.cache/llmsim.
  process.env.LLMSIM_CODE_CACHE = join(runDir, 'code-cache');
  // Tests read this to check that they really write under the run's directory.
  process.env.LLMSIM_TEST_RUN_TMPDIR = runDir;
  return () => {
    const left = readdirSync(runDir).filter((name) => name.startsWith('llmsim-')).sort();
    rmSync(runDir, { recursive: true, force: true });
    for (const [v, value] of saved) {
      if (value === undefined) delete process.env[v];
      else process.env[v] = value;
    }
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0: set the exit code too.
      process.exitCode = 1;
      throw new Error(
        `the test run left ${left.length} llmsim-* temporary entr${left.length === 1 ? 'y' : 'ies'} behind (now removed); ` +
          `each test file must remove what it creates (tempDir() in test/support/tmp.ts does): ${left.join(', ')}`,
      );
    }
  };
}
