import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { temporaryName } from '../../src/output/fs.js';
import { setThreadTag, threadTag } from '../../src/output/thread.js';
import { repoFile } from '../sweep/fixtures.js';
import { tempDir } from '../support/tmp.js';

describe('thread tags of temporary files', () => {
  it('are 0 in the main thread; a worker sets its thread id, and nothing else is accepted', async () => {
    expect(threadTag()).toBe(0);
    expect(temporaryName('/d/out.csv')).toBe(join('/d', `.out.csv.${process.pid}.0.tmp`));
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => setThreadTag(bad)).toThrow(/expected a worker's thread id/);
    expect(threadTag()).toBe(0);
    // In a worker thread (as the sweep's pool starts them), with the module loaded there.
    // (tsx registered by the worker itself, as src/sweep/worker-source.mjs does.)
    const source = `const { parentPort, threadId } = require('node:worker_threads');
      import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('../../src/output/thread.ts', import.meta.url).href)}); })
        .then((m) => { m.setThreadTag(threadId); parentPort.postMessage([threadId, m.threadTag()]); });`;
    const worker = new Worker(source, { eval: true });
    const [id, tag] = await new Promise<[number, number]>((done, fail) => worker.once('message', done).once('error', fail));
    await worker.terminate();
    expect(id).toBeGreaterThan(0);
    expect(tag).toBe(id);
    expect(threadTag()).toBe(0); // the main thread's own is unchanged
  });
});

// Start-up: `llmsim run` loads none of the built-in modules it does not use (node:crypto for the
// code cache's name or the lock's nonce, node:child_process for commander, node:worker_threads for
// temporary names): each costs 4-8 ms of every short run. Through the built CLI, in a child.
describe('llmsim run start-up', () => {
  const dir = tempDir('startup');
  it('loads neither node:crypto, node:child_process nor node:worker_threads, with or without a code cache', () => {
    expect(existsSync(repoFile('dist/cli.js')), 'dist/cli.js (npm run build)').toBe(true);
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, process.moduleLoadList.join('\\n')));\n`);
    const env = { ...process.env, LLMSIM_CODE_CACHE: join(dir, 'cache') };
    for (const k of ['first', 'cached']) {
      const out = join(dir, `${k}.txt`);
      const r = spawnSync(process.execPath, ['--require', probe, repoFile('dist/cli.js'), 'run', repoFile('scenarios/quickstart.yaml'), '-o', join(dir, k), '-q'], { encoding: 'utf8', env: { ...env, PROBE_OUT: out }, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const loaded = readFileSync(out, 'utf8').split('\n');
      expect(loaded.filter((m) => /^NativeModule (crypto|child_process|worker_threads)$/.test(m)), k).toEqual([]);
      expect(loaded).toContain('NativeModule vm'); // the probe saw the run (the bundle is compiled with node:vm)
    }
  });
});
