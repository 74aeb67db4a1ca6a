import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepScenario, tempDir } from '../sweep/fixtures.js';
import { captureCli } from '../support/cli.js';
import { buildCli, llmsimKilledAt, llmsimPausedAt, pick, tree, workingFiles, type ChildOutcome } from '../support/tree.js';

/**
 * Crash consistency, end to end: `run`, `compare`, `sweep` and `merge` are SIGKILLed at their
 * k-th step of writing results (LLMSIM_TEST_STOP_AT, src/output/hooks.ts: after the lock is
 * taken, after each file is written under its temporary name, after each journal line, and at
 * each step of swapping the new results in). Whatever the step, the results directory then holds
 * the previous complete set or the new complete set, never a mix (or, killed between the swap's
 * two renames, no directory and both complete sets beside it, recorded); the user's files are
 * never lost; and the next run leaves no working file or temporary behind and gives the same
 * bytes as an uninterrupted run. Two processes writing one directory: the second is refused in
 * one line (exit 2) while the first holds the lock, and takes over once the first is killed.
 */
const root = tempDir('kill');
let built: Awaited<ReturnType<typeof buildCli>> | undefined;
beforeAll(async () => {
  built = await buildCli();
});
afterAll(() => {
  built?.remove();
  rmSync(root, { recursive: true, force: true });
});
const io = captureCli();
const { llmsim } = io;
const killedAt = (k: number, args: readonly string[]) => llmsimKilledAt(built!.cli, k, args);
const pausedAt = (k: number, args: readonly string[]) => llmsimPausedAt(built!.cli, k, args);

const scenario = sweepScenario(root, '', { count: 150 });
const sweepFile = sweepScenario(mkdirTemp('sweep-scenario'), ['sweep:', '  grid:', '    workload.rateScale: [1, 2]', '  seeds: 2'].join('\n'), { count: 100 });
const otherSweepFile = join(root, 'other-sweep.yaml');
writeFileSync(otherSweepFile, readFileSync(sweepFile, 'utf8').replace('seed: 5', 'seed: 6'));

function mkdirTemp(name: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const USER = { 'notes.txt': 'mine\n', 'plots/a.txt': 'also mine\n' };
function addUserFiles(dir: string): void {
  for (const [p, text] of Object.entries(USER)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}
const isUser = (p: string) => p in USER;

/**
 * One command's crash test: `template/out` holds the previous results (and the user's files),
 * `reference/out` what an uninterrupted run of `args(out)` writes into it. Each case copies the
 * template, kills the child at stop k, checks the directory, reruns in-process and checks again.
 * Ks: `first`, `first + stride`, ... until a child finishes without being killed.
 */
async function crashTest(name: string, args: (out: string) => string[], opts: { first: number; stride: number; results: (dir: string) => Record<string, string> }): Promise<number> {
  const template = join(root, name, 'template', 'out');
  const reference = join(root, name, 'reference', 'out');
  const previous = opts.results(template);
  const fresh = opts.results(reference);
  const user = userFilesOf(tree(template));
  const cases: number[] = [];
  let finished = false;
  // Two children at a time: the machine has two cores.
  for (let k = opts.first; !finished; k += 2 * opts.stride) {
    const ks = [k, k + opts.stride];
    const outcomes = await Promise.all(
      ks.map((kk) => {
        const out = join(root, name, `k${kk}`, 'out');
        if (existsSync(template)) cpSync(template, out, { recursive: true });
        else mkdirSync(dirname(out), { recursive: true });
        return killedAt(kk, args(out));
      }),
    );
    for (const [i, outcome] of outcomes.entries()) {
      const kk = ks[i]!;
      if (outcome.signal !== 'SIGKILL') {
        expect(outcome.code, outcome.stderr).toBe(0);
        finished = true;
        continue;
      }
      cases.push(kk);
      await checkCase(join(root, name, `k${kk}`, 'out'), outcome, { previous, fresh, user }, opts.results, args);
    }
  }
  return cases.length;
}

/** The previous results, the new ones (without the user's files), and the user's files. */
interface Sets {
  readonly previous: Record<string, string>;
  readonly fresh: Record<string, string>;
  readonly user: Record<string, string>;
}

async function checkCase(out: string, outcome: ChildOutcome, { previous, fresh, user }: Sets, results: (dir: string) => Record<string, string>, args: (out: string) => string[]): Promise<void> {
  const where = `killed at ${outcome.stderr.trim()}`;
  const parent = dirname(out);
  const aside = join(parent, `.${basename(out)}.llmsim-old`);
  if (existsSync(out)) {
    const now = results(out);
    expect([previous, fresh], `${where}: one complete set`).toContainEqual(now);
    // The user's files are in the directory, or beside it with the previous results mid-swap.
    for (const [p, text] of Object.entries(user)) expect(readFileSync(existsSync(join(out, p)) ? join(out, p) : join(aside, p), 'utf8'), `${where}: ${p}`).toBe(text);
  } else {
    // Between the swap's two renames: both complete sets beside the directory, and the record.
    expect(existsSync(join(parent, `.${basename(out)}.llmsim-swap`)), where).toBe(true);
    expect(results(join(parent, `.${basename(out)}.llmsim-new`)), where).toEqual(fresh);
    expect(results(aside), where).toEqual(previous);
    expect(userFilesOf(tree(aside)), where).toEqual(user);
  }
  expect(await llmsim(...args(out)), `${where}: rerun: ${io.err}`).toBe(0);
  expect(results(out), `${where}: rerun`).toEqual(fresh);
  expect(userFilesOf(tree(out)), `${where}: rerun keeps the user's files`).toEqual(user);
  expect(workingFiles(parent), `${where}: rerun leaves no working files`).toEqual([]);
  expect(workingFiles(out), `${where}: rerun leaves no working files`).toEqual([]);
  rmSync(parent, { recursive: true, force: true });
}

function userFilesOf(files: Record<string, string>): Record<string, string> {
  return pick(files, isUser);
}

describe('SIGKILL at every step of writing', () => {
  it('run: the results directory holds the previous or the new run, never a mix', async () => {
    const results = (d: string) => pick(tree(d), (p) => !isUser(p));
    await prepare('run', async (out, isReference) => {
      expect(await llmsim('run', scenario, '-o', out, '-q', '--seed', isReference ? '8' : '7')).toBe(0);
    });
    const cases = await crashTest('run', (out) => ['run', scenario, '-o', out, '-q', '--seed', '8'], { first: 1, stride: 1, results });
    expect(cases).toBeGreaterThanOrEqual(10);
  });

  it('run --stream: requests.csv written as requests end still swaps in whole', async () => {
    const results = (d: string) => pick(tree(d), (p) => !isUser(p));
    await prepare('run-stream', async (out, isReference) => {
      expect(await llmsim('run', scenario, '-o', out, '-q', '--stream', '--seed', isReference ? '8' : '7')).toBe(0);
    });
    const cases = await crashTest('run-stream', (out) => ['run', scenario, '-o', out, '-q', '--stream', '--seed', '8'], { first: 1, stride: 2, results });
    expect(cases).toBeGreaterThanOrEqual(5);
  });

  it('compare: the whole comparison, per-policy directories included, is replaced at once', async () => {
    const results = (d: string) => pick(tree(d), (p) => !isUser(p));
    await prepare('compare', async (out, isReference) => {
      const policies = isReference ? 'fifo,round-robin' : 'fifo,random';
      expect(await llmsim('compare', scenario, '--policies', policies, '--seeds', '2', '-j', '1', '-o', out, '-q')).toBe(0);
    });
    const cases = await crashTest('compare', (out) => ['compare', scenario, '--policies', 'fifo,round-robin', '--seeds', '2', '-j', '1', '-o', out, '-q'], { first: 1, stride: 4, results });
    expect(cases).toBeGreaterThanOrEqual(3);
  });

  it('sweep: resumes to the same bytes; the CSVs are absent or complete', async () => {
    const FILES = ['runs.csv', 'points.csv', 'sweep.json'];
    const reference = join(root, 'sweep', 'reference', 'out');
    expect(await llmsim('sweep', sweepFile, '-o', reference, '-j', '1', '-q')).toBe(0);
    const expected = pick(tree(reference), (p) => FILES.includes(p));
    const journalRuns = (d: string) => readFileSync(join(d, 'journal.jsonl'), 'utf8').split('\n').slice(1, -1).map((l) => (JSON.parse(l) as { run: number }).run);
    let cases = 0;
    for (let k = 1; ; k += 3) {
      const out = join(root, 'sweep', `k${k}`, 'out');
      mkdirSync(dirname(out), { recursive: true });
      const outcome = await killedAt(k, ['sweep', sweepFile, '-o', out, '-j', '1', '-q']);
      if (outcome.signal !== 'SIGKILL') break;
      cases++;
      const where = `killed at ${outcome.stderr.trim()}`;
      // Present CSVs are the finished ones; the journal holds whole lines, each run once.
      for (const [p, text] of Object.entries(pick(tree(out), (p) => p.endsWith('.csv')))) expect(text, `${where}: ${p}`).toBe(expected[p]);
      if (existsSync(join(out, 'journal.jsonl'))) {
        expect(readFileSync(join(out, 'journal.jsonl'), 'utf8'), where).not.toContain('\0');
        const runs = journalRuns(out);
        expect(new Set(runs).size, where).toBe(runs.length);
      }
      expect(await llmsim('sweep', sweepFile, '-o', out, '-j', '1', '-q'), `${where}: resume: ${io.err}`).toBe(0);
      expect(pick(tree(out), (p) => FILES.includes(p)), `${where}: resumed`).toEqual(expected);
      expect(journalRuns(out).sort(), where).toEqual([0, 1, 2, 3]);
      expect([...workingFiles(out), ...workingFiles(dirname(out))], where).toEqual([]);
      rmSync(dirname(out), { recursive: true, force: true });
    }
    expect(cases).toBeGreaterThanOrEqual(3);
  });

  it('merge: an earlier merge is replaced as a whole', async () => {
    const shards = async (file: string, name: string) => {
      const dirs = [0, 1].map((i) => join(root, 'merge', `${name}-shard-${i}`));
      for (const [i, d] of dirs.entries()) expect(await llmsim('sweep', file, '--shard', `${i}/2`, '-o', d, '-j', '1', '-q')).toBe(0);
      return dirs;
    };
    const previousShards = await shards(otherSweepFile, 'previous');
    const newShards = await shards(sweepFile, 'new');
    const results = (d: string) => pick(tree(d), (p) => !isUser(p));
    await prepare('merge', async (out, isReference) => {
      expect(await llmsim('merge', ...(isReference ? newShards : previousShards), '-o', out, '-q')).toBe(0);
    });
    const cases = await crashTest('merge', (out) => ['merge', ...newShards, '-o', out, '-q'], { first: 2, stride: 2, results });
    expect(cases).toBeGreaterThanOrEqual(3);
  });
});

describe('two processes, one output directory', () => {
  it('a second sweep is refused while the first holds the lock, and resumes once it is killed', async () => {
    const out = join(root, 'concurrent', 'sweep');
    const reference = join(root, 'concurrent-reference', 'sweep');
    expect(await llmsim('sweep', sweepFile, '-o', reference, '-j', '1', '-q')).toBe(0);
    // Paused after its first journal line (stops: lock, sweep.json, run).
    const first = await pausedAt(3, ['sweep', sweepFile, '-o', out, '-j', '1', '-q']);
    expect(first.label).toMatch(/^run \d journaled$/);
    expect(await llmsim('sweep', sweepFile, '-o', out, '-j', '1', '-q')).toBe(2);
    const lock = join(root, 'concurrent', '.sweep.llmsim-lock');
    expect(io.err).toMatch(
      new RegExp(`^llmsim: ${out}: expected no other llmsim writing this directory, found llmsim sweep \\(pid \\d+ on host .+, started .+\\) holding ${lock}: wait for it to finish, or if that process is no longer running, delete the lock file and rerun\\n$`),
    );
    // Any other command writing there is refused too.
    expect(await llmsim('run', scenario, '-o', out, '-q')).toBe(2);
    expect(io.err).toContain('found llmsim sweep (pid');
    await first.kill(); // as a preempted Slurm task or an evicted pod
    expect(await llmsim('sweep', sweepFile, '-o', out, '-j', '1', '-q')).toBe(0);
    for (const f of ['runs.csv', 'points.csv', 'sweep.json']) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(reference, f), 'utf8'));
    const journal = readFileSync(join(out, 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('\0');
    expect(journal.trimEnd().split('\n')).toHaveLength(1 + 4);
    expect([...workingFiles(out), ...workingFiles(dirname(out))]).toEqual([]);
  });

  it('a second run or compare into a directory being written is refused', async () => {
    const out = join(root, 'concurrent-run', 'out');
    const first = await pausedAt(1, ['run', scenario, '-o', out, '-q']);
    expect(first.label).toBe('locked .out.llmsim-lock');
    expect(await llmsim('run', scenario, '-o', out, '-q')).toBe(2);
    expect(io.err).toMatch(/^llmsim: .*out: expected no other llmsim writing this directory, found llmsim run \(pid \d+ on host/);
    expect(await llmsim('compare', scenario, '--seeds', '1', '--policies', 'fifo', '-o', out, '-q')).toBe(2);
    expect(io.err).toMatch(/found llmsim run \(pid \d+/);
    await first.kill();
    expect(await llmsim('run', scenario, '-o', out, '-q')).toBe(0);
    expect(workingFiles(dirname(out))).toEqual([]);
  });
});

// Writes the previous results (template, with the user's files) and the reference (new results).
async function prepare(name: string, write: (out: string, isReference: boolean) => Promise<void>): Promise<void> {
  const template = join(root, name, 'template', 'out');
  const reference = join(root, name, 'reference', 'out');
  await write(template, false);
  addUserFiles(template);
  await write(reference, true);
}
