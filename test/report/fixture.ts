import { join } from 'node:path';
import { main } from '../../src/main.js';
import { repoFile, sweepScenario } from '../sweep/fixtures.js';

/**
 * Builds the inputs a report is made from, as a user would: a compare of two policies on the
 * continuous-batching golden scenario (requests.csv with TTFT) and a small slots sweep. Returns
 * the report file. Output of the commands is swallowed by the caller's stdout mock.
 */
export async function buildFixtureReport(dir: string): Promise<string> {
  const golden = repoFile('test/golden/cb-fifo-least-loaded.yaml');
  const run = async (...args: string[]) => {
    const code = await main(['node', 'llmsim', ...args]);
    if (code !== 0) throw new Error(`llmsim ${args.join(' ')} exited ${code}`);
  };
  await run('compare', golden, '--policies', 'fifo,fifo:routing=round-robin', '--seeds', '2', '-j', '2', '-q', '-o', join(dir, 'compare'));
  const sweep = sweepScenario(dir, ['sweep:', '  grid:', '    workload.rateScale: [0.5, 1, 2]', '    cluster.devices[0].slots: [1, 2]', '  seeds: 3'].join('\n'), { count: 200 });
  await run('sweep', sweep, '-o', join(dir, 'sweep'), '-j', '2', '-q');
  const report = join(dir, 'report.html');
  await run('report', join(dir, 'compare'), join(dir, 'sweep'), '-o', report, '-q', '--title', 'fixture report');
  return report;
}
