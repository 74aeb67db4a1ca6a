import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from '../support/cli.js';
import { slurmTools, startSlurm, waitForJobs, type SlurmCluster } from '../support/slurm.js';
import { repoFile, sweepScenario, tempDir } from '../sweep/fixtures.js';

/**
 * The shipped deploy/slurm/ scripts on a real single-node Slurm cluster (test/support/slurm.ts):
 * submit.sh submits sweep.sbatch as a job array of 3 shards and merge.sbatch after it (afterok);
 * the merged runs.csv, points.csv and sweep.json must be byte-identical to an unsharded sweep of
 * the same scenario. The jobs call `npx --no-install llmsim`, which is this package's dist/cli.js
 * (built by `npm ci`/`npm install`; run `npm run build` after changing src/ locally).
 *
 * Skipped, saying why, where Slurm or munge is not installed or the user is not root; under CI=true
 * that is a failure instead (.ci/run installs slurm-wlm and munge from Debian).
 */
const tools = slurmTools();
const why = tools.missing.length > 0 ? `${tools.missing.join(', ')} not found (install with: apt-get install -y slurm-wlm munge)` : !tools.root ? 'not running as root (the test cluster runs its daemons as root)' : '';
const ci = process.env.CI === 'true' || process.env.CI === '1';
if (why !== '' && !ci) console.warn(`skipping the Slurm test of deploy/slurm/: ${why}`);

const dir = tempDir('slurm');
const cli = captureCli();
let cluster: SlurmCluster | undefined;
afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe.skipIf(why !== '' && !ci)('deploy/slurm on a real Slurm cluster', () => {
  it('runs the sweep as a job array, merges after it, and matches the unsharded sweep byte for byte', async () => {
    if (why !== '') throw new Error(`CI=true but the Slurm test cannot run: ${why}; .ci/run should have installed slurm-wlm and munge`);
    expect(existsSync(repoFile('dist/cli.js')), 'dist/cli.js (npm run build)').toBe(true);
    const scenario = sweepScenario(dir, ['sweep:', '  grid:', '    workload.rateScale: [0.5, 1]', '    cluster.devices[0].slots: [1, 2]', '  seeds: 2'].join('\n'), { count: 40 });
    expect(await cli.llmsim('sweep', scenario, '-o', join(dir, 'unsharded'), '-j', '1', '-q')).toBe(0);

    cluster = await startSlurm(join(dir, 'cluster'));
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const out = join(dir, 'out');
    const { stdout } = await promisify(execFile)('bash', [repoFile('deploy/slurm/submit.sh'), scenario, out, '3', `--output=${logs}/%x-%j.out`], { cwd: repoFile('.'), env: cluster.env });
    const ids = stdout.trim().split(' ');
    expect(ids, stdout).toHaveLength(2);
    const states = await waitForJobs(ids, cluster.env, 240_000, cluster);
    const jobLogs = () => readdirSync(logs).map((f) => `--- ${f}\n${readFileSync(join(logs, f), 'utf8')}`).join('\n');
    expect(states, `${jobLogs()}\n${cluster.logs()}`).toEqual({ [ids[0]!]: ['COMPLETED', 'COMPLETED', 'COMPLETED'], [ids[1]!]: ['COMPLETED'] });

    expect(readdirSync(join(out, 'shards')).sort()).toEqual(['0', '1', '2']);
    for (const f of ['runs.csv', 'points.csv', 'sweep.json']) {
      const want = readFileSync(join(dir, 'unsharded', f), 'utf8');
      expect(want.length, f).toBeGreaterThan(100);
      expect(readFileSync(join(out, 'sweep', f), 'utf8'), f).toBe(want);
    }
    // 2 x 2 grid points x 2 seeds: a header and 8 runs, each once.
    expect(readFileSync(join(out, 'sweep', 'runs.csv'), 'utf8').trim().split('\n')).toHaveLength(9);
  }, 300_000);
});
