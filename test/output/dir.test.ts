import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { openOutput, outputLayout, recover, withOutput } from '../../src/output/dir.js';
import { tempDir } from '../sweep/fixtures.js';
import { tree, workingFiles } from '../support/tree.js';

/**
 * Replacing a results directory (src/output/dir.ts): the new set replaces the previous one as a
 * whole, the user's entries stay, and every state a kill can leave (built here by hand, as the
 * steps of a swap leave them) is finished by the next open: never a mix, nothing lost, no
 * working files or temporaries of dead processes left behind.
 */
const root = tempDir('output-dir');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const asRoot = process.getuid?.() === 0;
// vitest's default pool forks processes, which may chdir (worker threads may not).
const canChdir = (() => {
  try {
    process.chdir(process.cwd());
    return true;
  } catch {
    return false;
  }
})();

let n = 0;
/** A results directory holding the previous results (a.txt, sub/b.txt) and the user's notes. */
function previous(): string {
  const dir = join(root, `case${n++}`, 'out');
  write(dir, { 'a.txt': 'old a', 'sub/b.txt': 'old b', 'notes.txt': 'mine', 'mine/c.txt': 'mine too' });
  return dir;
}
function write(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}
const NEW = { 'a.txt': 'new a', 'c.txt': 'new c' };
const AFTER = { 'a.txt': 'new a', 'c.txt': 'new c', 'notes.txt': 'mine', 'mine/c.txt': 'mine too' };
const PREVIOUS_SET = ['a.txt', 'sub'];

async function replace(dir: string): Promise<void> {
  await withOutput(dir, 'run', (out) => {
    write(out.stage(), NEW);
    out.commit(PREVIOUS_SET);
  });
}
function clean(dir: string): void {
  expect(workingFiles(dir)).toEqual([]);
  expect(workingFiles(dirname(dir))).toEqual([]);
}

describe('replacing a results directory', () => {
  it("replaces the previous set as a whole, keeps the user's entries and the directory's permissions", async () => {
    const dir = previous();
    chmodSync(dir, 0o750);
    await replace(dir);
    expect(tree(dir)).toEqual(AFTER);
    expect(statSync(dir).mode & 0o777).toBe(0o750);
    clean(dir);
  });

  it('creates a missing directory, and on failure removes what it created', async () => {
    const dir = join(root, 'fresh', 'a', 'b');
    await expect(
      withOutput(dir, 'run', (out) => {
        write(out.stage(), NEW);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(join(root, 'fresh'))).toBe(false);
    await replace(dir);
    expect(tree(dir)).toEqual(NEW);
    clean(dir);
  });

  it.skipIf(!canChdir)('installs entry by entry where the directory cannot be renamed (here: the current directory)', async () => {
    const dir = previous();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(outputLayout(dir).swap).toBe(false);
      await replace(dir);
    } finally {
      process.chdir(cwd);
    }
    expect(tree(dir)).toEqual(AFTER);
    clean(dir);
  });

  it('removes temporaries of processes that are gone, and keeps those of live ones', async () => {
    const dir = previous();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(dir, `.summary.json.${dead}.0.tmp`), 'half');
    writeFileSync(join(dir, `.summary.json.${process.ppid}.0.tmp`), 'being written');
    const out = openOutput(dir, 'sweep');
    out.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([`.summary.json.${process.ppid}.0.tmp`]);
  });

  // Root writes anyway: the injected EACCES of test/reliability/output-errors.test.ts covers the message.
  it.skipIf(asRoot)('refuses a directory it may not write, naming it (EACCES by chmod)', async () => {
    const dir = previous();
    chmodSync(dir, 0o555);
    try {
      await expect(replace(dir)).rejects.toThrow(new RegExp(`^${dir}: expected a writable directory, found EACCES \\(permission denied\\); nothing was changed$`));
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('old a');
  });
});

describe('recovery from a kill', () => {
  /** The sidecar paths of `dir` in its parent. */
  const side = (dir: string, what: string) => join(dirname(dir), `.${basename(dir)}.llmsim-${what}`);
  /** Builds the state a swap leaves after its k-th step. */
  function killedSwap(step: 'staged' | 'recorded' | 'aside' | 'swapped' | 'half-moved' | 'old-removed'): string {
    const dir = previous();
    write(side(dir, 'new'), NEW);
    if (step === 'staged') return dir;
    writeFileSync(side(dir, 'swap'), `${JSON.stringify({ llmsimSwap: 1, previous: PREVIOUS_SET })}\n`);
    if (step === 'recorded') return dir;
    renameSync(dir, side(dir, 'old'));
    if (step === 'aside') return dir;
    renameSync(side(dir, 'new'), dir);
    if (step === 'swapped') return dir;
    renameSync(join(side(dir, 'old'), 'notes.txt'), join(dir, 'notes.txt'));
    if (step === 'half-moved') return dir;
    renameSync(join(side(dir, 'old'), 'mine'), join(dir, 'mine'));
    rmSync(side(dir, 'old'), { recursive: true });
    return dir;
  }
  const OLD = { 'a.txt': 'old a', 'sub/b.txt': 'old b', 'notes.txt': 'mine', 'mine/c.txt': 'mine too' };

  it.each([
    ['staged', OLD],
    ['recorded', OLD],
    ['aside', AFTER],
    ['swapped', AFTER],
    ['half-moved', AFTER],
    ['old-removed', AFTER],
  ] as const)('killed when %s: the next open finishes it', (step, expected) => {
    const dir = killedSwap(step);
    const out = openOutput(dir, 'run');
    out.close();
    expect(tree(dir)).toEqual(expected);
    clean(dir);
  });

  it('finishes an in-place install interrupted half-way', () => {
    const dir = previous();
    write(join(dir, '.llmsim-new'), { 'c.txt': 'new c' }); // a.txt was already moved in
    writeFileSync(join(dir, 'a.txt'), 'new a');
    writeFileSync(join(dir, '.llmsim-swap'), `${JSON.stringify({ llmsimInstall: 1, previous: ['a.txt', 'sub'], staged: ['a.txt', 'c.txt'], staging: '.llmsim-new' })}\n`);
    recover(outputLayout(dir));
    expect(tree(dir)).toEqual(AFTER);
  });

  it('refuses the previous results beside the directory without their record, rather than guess', () => {
    const dir = previous();
    write(side(dir, 'old'), { 'x.txt': 'x' });
    let error: unknown;
    try {
      openOutput(dir, 'run').close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/\.llmsim-old: expected no directory there .* found one without its record/);
  });
});

describe('errors of the file system', () => {
  it('are named by their code, also those libuv calls UNKNOWN (EDQUOT in Node 20)', async () => {
    const { errnoCode, errnoReason, outputError } = await import('../../src/output/errors.js');
    const quota = Object.assign(new Error('UNKNOWN: unknown error, write'), { code: 'UNKNOWN', errno: -122, syscall: 'write' });
    if (process.platform === 'linux') {
      expect(errnoCode(quota)).toBe('EDQUOT');
      expect(errnoReason(quota)).toBe('disk quota exceeded');
      expect(outputError(quota, { path: '/r', writing: 'runs.csv' })?.message).toBe('/r: expected free space to write runs.csv, found EDQUOT (disk quota exceeded)');
    }
    expect(errnoCode(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeUndefined(); // a bug, not the disk
  });
});
