import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/util/make-dirs.js';
import { repoFile } from '../sweep/fixtures.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('make-dirs');
const onLinux = process.platform === 'linux' && existsSync('/proc/self');

describe('makeDirs (mkdir -p one level at a time)', () => {
  it('makes every missing level, and accepts a directory that exists', () => {
    const deep = join(dir, 'a', 'b', 'c');
    makeDirs(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(() => makeDirs(deep)).not.toThrow();
  });

  it('throws EEXIST for a file in the way, as the recursive form does', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    expect(() => makeDirs(file)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => makeDirs(join(file, 'below'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('stops after maxDepth missing levels', () => {
    expect(() => makeDirs(join(dir, 'x1', 'x2', 'x3'), { maxDepth: 1 })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(existsSync(join(dir, 'x1'))).toBe(false);
  });

  // Node 20's mkdirSync(..., { recursive: true }) never returns here: /proc answers ENOENT for a new
  // directory whose parent exists, and Node retries the parent forever.
  it.runIf(onLinux)('throws ENOENT under /proc instead of looping', () => {
    expect(() => makeDirs('/proc/llmsim-no-such/dir')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  // In a child process with a deadline, so that a regression fails instead of hanging the suite.
  it.runIf(onLinux)('llmsim run -o under /proc is one line and exit 2, not a hang', () => {
    expect(existsSync(repoFile('dist/cli.js')), 'dist/cli.js (npm run build)').toBe(true);
    const r = spawnSync(process.execPath, [repoFile('dist/cli.js'), 'run', repoFile('scenarios/quickstart.yaml'), '-o', '/proc/llmsim-no-such/out', '-q'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^llmsim: \/proc: .*llmsim-no-such/);
  });
});
