import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sweepScenario, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';
import { tree, workingFiles } from '../support/tree.js';

/**
 * A full disk (ENOSPC, EDQUOT) or a directory llmsim may not write (EROFS, EACCES, EPERM) while
 * writing results is the user's to fix, not a bug: one line naming the directory, what was
 * expected and found, exit 2, and nothing half-written (the earlier results stay as they were; a
 * sweep keeps its finished runs and resumes). Full disks and, as root, permission errors are
 * injected (LLMSIM_TEST_FAULT, src/output/hooks.ts); read-only directories are also made with
 * chmod where that denies (not as root). And `merge -o` may not name one of its shards.
 */
const root = tempDir('output-errors');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const io = captureCli();
const { llmsim } = io;
afterEach(() => {
  delete process.env.LLMSIM_TEST_FAULT;
});
const asRoot = process.getuid?.() === 0;

const scenario = sweepScenario(root, '', { count: 80 });
const sweepDir = join(root, 'sweep-scenario');
mkdirSync(sweepDir);
const sweepFile = sweepScenario(sweepDir, ['sweep:', '  grid:', '    workload.rateScale: [1, 2]', '  seeds: 2'].join('\n'), { count: 60 });
const SWEEP_FILES = ['runs.csv', 'points.csv', 'sweep.json'];

/** A results directory of an earlier run, with a file of the user's. */
let earlierRun: string;
/** A compare directory of an earlier compare. */
let earlierCompare: string;
beforeAll(async () => {
  earlierRun = join(root, 'earlier-run', 'out');
  expect(await llmsim('run', scenario, '-o', earlierRun, '-q', '--seed', '1')).toBe(0);
  earlierCompare = join(root, 'earlier-compare', 'out');
  expect(await llmsim('compare', scenario, '--policies', 'fifo,random', '--seeds', '2', '-j', '1', '-o', earlierCompare, '-q')).toBe(0);
});

let n = 0;
/** A copy of `dir` to write into. */
function copyOf(dir: string): string {
  const out = join(root, `case${n++}`, 'out');
  cpSync(dir, out, { recursive: true });
  return out;
}
function expectUnchanged(out: string, original: string): void {
  expect(tree(out)).toEqual(tree(original));
  expect(workingFiles(dirname(out))).toEqual([]);
  expect(readdirSync(tmpdir()).filter((f) => f.startsWith('llmsim-compare-'))).toEqual([]);
}

describe('a full disk', () => {
  it('run: one line naming the directory; the earlier results stay', async () => {
    const out = copyOf(earlierRun);
    process.env.LLMSIM_TEST_FAULT = 'ENOSPC:write:requests.csv';
    expect(await llmsim('run', scenario, '-o', out, '-q', '--seed', '2')).toBe(2);
    expect(io.err).toBe(`llmsim: ${out}: expected free space to write requests.csv, found ENOSPC (no space left on device); nothing was changed\n`);
    expectUnchanged(out, earlierRun);
    process.env.LLMSIM_TEST_FAULT = 'EDQUOT:write:summary.json';
    expect(await llmsim('run', scenario, '-o', out, '-q', '--seed', '2')).toBe(2);
    expect(io.err).toBe(`llmsim: ${out}: expected free space to write summary.json, found EDQUOT (disk quota exceeded); nothing was changed\n`);
    expectUnchanged(out, earlierRun);
  });

  it('compare: a worker writing a policy directory, or the table; the earlier comparison stays', async () => {
    const out = copyOf(earlierCompare);
    process.env.LLMSIM_TEST_FAULT = 'ENOSPC:write:requests.csv';
    expect(await llmsim('compare', scenario, '--policies', 'fifo,round-robin', '--seeds', '2', '-j', '1', '-o', out, '-q')).toBe(2);
    expect(io.err).toMatch(new RegExp(`^llmsim: ${out}/(fifo|round-robin): expected free space to write requests.csv, found ENOSPC \\(no space left on device\\); nothing was changed\\n$`));
    expectUnchanged(out, earlierCompare);
    process.env.LLMSIM_TEST_FAULT = 'ENOSPC:write:comparison.csv';
    expect(await llmsim('compare', scenario, '--policies', 'fifo,round-robin', '--seeds', '2', '-j', '1', '-o', out, '-q')).toBe(2);
    expect(io.err).toBe(`llmsim: ${out}: expected free space to write comparison.csv, found ENOSPC (no space left on device); nothing was changed\n`);
    expectUnchanged(out, earlierCompare);
  });

  it('sweep: the finished runs stay in the journal, whole lines only, and the sweep resumes to the same bytes', async () => {
    const reference = join(root, 'sweep-reference');
    expect(await llmsim('sweep', sweepFile, '-o', reference, '-j', '1', '-q')).toBe(0);
    const out = join(root, 'sweep-full', 'sweep');
    // The header, two runs, then the disk is full.
    process.env.LLMSIM_TEST_FAULT = 'ENOSPC:write:journal.jsonl@4';
    expect(await llmsim('sweep', sweepFile, '-o', out, '-j', '1', '-q')).toBe(2);
    expect(io.err).toBe(`llmsim: ${out}: expected free space to write journal.jsonl, found ENOSPC (no space left on device); the 2 finished run(s) are kept in journal.jsonl: rerun the same command to resume\n`);
    expect(readFileSync(join(out, 'journal.jsonl'), 'utf8').split('\n')).toHaveLength(1 + 2 + 1); // whole lines
    process.env.LLMSIM_TEST_FAULT = 'ENOSPC:write:points.csv';
    expect(await llmsim('sweep', sweepFile, '-o', out, '-j', '1', '-q')).toBe(2);
    expect(io.err).toMatch(/: expected free space to write points\.csv, found ENOSPC .*the 4 finished run\(s\) are kept/);
    delete process.env.LLMSIM_TEST_FAULT;
    expect(await llmsim('sweep', sweepFile, '-o', out, '-j', '1', '-q')).toBe(0);
    for (const f of SWEEP_FILES) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(reference, f), 'utf8'));
    expect([...workingFiles(out), ...workingFiles(dirname(out))]).toEqual([]);
  });
});

describe('a directory llmsim may not write', () => {
  it('injected EACCES and EROFS (as root chmod does not deny): one line naming the directory', async () => {
    const out = copyOf(earlierRun);
    process.env.LLMSIM_TEST_FAULT = 'EACCES:open:llmsim-lock';
    expect(await llmsim('run', scenario, '-o', out, '-q')).toBe(2);
    expect(io.err).toBe(`llmsim: ${dirname(out)}: expected a writable directory to write .out.llmsim-lock, found EACCES (permission denied); nothing was changed\n`);
    process.env.LLMSIM_TEST_FAULT = 'EROFS:open:scenario.yaml';
    expect(await llmsim('run', scenario, '-o', out, '-q')).toBe(2);
    expect(io.err).toBe(`llmsim: ${out}: expected a writable directory to write scenario.yaml, found EROFS (read-only file system); nothing was changed\n`);
    expectUnchanged(out, earlierRun);
    process.env.LLMSIM_TEST_FAULT = 'EPERM:open:journal.jsonl';
    const sweepOut = join(root, 'sweep-eperm', 'sweep');
    expect(await llmsim('sweep', sweepFile, '-o', sweepOut, '-j', '1', '-q')).toBe(2);
    expect(io.err).toBe(`llmsim: ${sweepOut}: expected a writable directory to write journal.jsonl, found EPERM (operation not permitted); nothing was kept\n`);
    expect(readdirSync(root)).not.toContain('sweep-eperm'); // the directories it created are gone
  });

  it.skipIf(asRoot)('read-only by chmod: run, compare and sweep name the directory (EACCES)', async () => {
    const out = copyOf(earlierRun);
    const parent = dirname(out);
    chmodSync(out, 0o555);
    try {
      for (const args of [
        ['run', scenario, '-o', out],
        ['compare', scenario, '--policies', 'fifo', '--seeds', '1', '-o', out],
        ['sweep', sweepFile, '-o', out],
      ]) {
        expect(await llmsim(...args, '-q')).toBe(2);
        expect(io.err, args[0]).toBe(`llmsim: ${out}: expected a writable directory, found EACCES (permission denied); nothing was changed\n`);
      }
    } finally {
      chmodSync(out, 0o755);
    }
    expectUnchanged(out, earlierRun);
    // A new directory in a read-only one.
    chmodSync(parent, 0o555);
    try {
      expect(await llmsim('run', scenario, '-o', join(parent, 'new'), '-q')).toBe(2);
      expect(io.err).toBe(`llmsim: ${parent}: expected a writable directory to write new/, found EACCES (permission denied); nothing was changed\n`);
    } finally {
      chmodSync(parent, 0o755);
    }
  });
});

describe('merge -o', () => {
  it('refuses one of its own shards, under any name, and leaves it as it was', async () => {
    const shards = [0, 1].map((i) => join(root, 'shards', `s${i}`));
    for (const [i, d] of shards.entries()) expect(await llmsim('sweep', sweepFile, '--shard', `${i}/2`, '-o', d, '-j', '1', '-q')).toBe(0);
    const before = tree(shards[0]!);
    const link = join(root, 'shards', 'link');
    symlinkSync(shards[0]!, link);
    for (const out of [shards[0]!, `${shards[1]!}/../s0`, link]) {
      expect(await llmsim('merge', ...shards, '-o', out)).toBe(2);
      expect(io.err).toMatch(new RegExp(`^llmsim: .*: expected an output directory other than the shards merged, found the shard ${shards[0]!} itself \\(merging into it would replace its runs\\.csv and sweep\\.json\\): choose another -o\\n$`));
    }
    expect(tree(shards[0]!)).toEqual(before);
    expect(await llmsim('merge', ...shards, '-o', join(root, 'shards', 'merged'), '-q')).toBe(0);
  });
});
