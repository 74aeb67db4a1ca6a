import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A fresh temporary directory, removed after the calling file's tests (see test/support/tmp.ts). */
export { tempDir } from '../support/tmp.js';

/** Absolute path of a file in the repository. */
export const repoFile = (p: string) => resolve(__dirname, '..', '..', p);

/** A small slots scenario with a sweep block; `extra` lines are appended (YAML). */
export function sweepScenario(dir: string, sweep: string, opts: { count?: number; name?: string } = {}): string {
  const text = [
    `name: ${opts.name ?? 'tiny'}`,
    'seed: 5',
    'workload:',
    '  synthetic:',
    `    count: ${opts.count ?? 60}`,
    '    arrival: { process: poisson, rateRps: 0.2 }',
    '    prompt: { dist: uniform, min: 50, max: 400 }',
    '    output: { dist: uniform, min: 20, max: 200 }',
    'cluster:',
    '  devices:',
    '    - name: a100',
    '      kind: slots',
    `      profile: ${repoFile('profiles/wilkins/llama-2-7b-a100.yaml')}`,
    '      replicas: 2',
    '      slots: 2',
    'policy:',
    '  name: fifo',
    sweep,
    '',
  ].join('\n');
  const file = join(dir, 's.yaml');
  writeFileSync(file, text);
  return file;
}
