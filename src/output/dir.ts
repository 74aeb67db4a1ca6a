import { accessSync, chmodSync, constants, existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { errnoCode, outputError } from './errors.js';
import { exists, firstMissing, makeDir, removeStaleTemporaries, renameChecked, syncDir, syncTree, temporaryOwner, writeFileDurable } from './fs.js';
import { stopPoint } from './hooks.js';
import { currentHolder, describeHolder, tryLock, type HeldLock } from './lock.js';

/**
 * An output directory that llmsim replaces as a whole: `run`, `compare` and `merge` results, and a
 * sweep directory (which is appended to in place, but locked the same way).
 *
 * While a command writes, it holds the directory's lock (lock.ts), so two llmsim processes never
 * write the same directory. New results are written into a staging directory on the same file
 * system, synced, and then swapped in:
 *
 *     rename  dir -> .<name>.llmsim-old       (after recording the swap in .<name>.llmsim-swap)
 *     rename  .<name>.llmsim-new -> dir
 *     move the user's own entries from .<name>.llmsim-old back into dir, remove the rest
 *
 * so a reader finds the previous complete set or the new complete set, never a mix; a kill between
 * the two renames leaves no `dir` for a moment, and the next llmsim command to open the directory
 * finishes the swap (recover). Entries of the directory that are not llmsim's results (the user's
 * notes, another command's results) are kept.
 *
 * Where the directory itself cannot be renamed - it is a mount point, the current directory, or
 * its parent is not writable - the results are installed entry by entry inside it instead, after
 * recording the list in `dir/.llmsim-swap`; a kill then can leave a mix until the next llmsim
 * command on the directory completes the record (roll forward). The lock and the working
 * directories then live inside `dir` too.
 */

/** Where an output directory's lock and working files are. */
export interface OutputLayout {
  /** The results directory (absolute; a symlink resolved). */
  readonly dir: string;
  /** Replace by renaming the whole directory (else entry by entry inside it). */
  readonly swap: boolean;
  readonly lock: string;
  /** The staging directory: new results are written here, then swapped or moved in. */
  readonly staging: string;
  /** Swap record and the previous results during a swap (beside dir). */
  readonly swapRecord: string;
  readonly swapOld: string;
  /** In-place record and the replaced entries during an in-place install (inside dir). */
  readonly installRecord: string;
  readonly installOld: string;
}

/** Names of llmsim's working files: locks, staging, records, temporaries. */
const INTERNAL = /^\..*llmsim-(lock|new|old|swap)(\.|$)/;

/** Is `name` (an entry of a results directory or its parent) one of llmsim's working files? */
export function isInternalEntry(name: string): boolean {
  return INTERNAL.test(name) || temporaryOwner(name) !== undefined;
}

/** The layout of `dir` (see OutputLayout). */
export function outputLayout(dirPath: string): OutputLayout {
  let dir = resolve(dirPath);
  if (existsSync(dir)) dir = realpathSync(dir);
  const parent = dirname(dir);
  const side = (what: string) => join(parent, `.${basename(dir)}.llmsim-${what}`);
  const inside = (what: string) => join(dir, `.llmsim-${what}`);
  const beside = parent !== dir && !isMountPoint(dir, parent) && writableOrMissing(parent);
  return {
    dir,
    swap: beside && dir !== process.cwd(),
    lock: beside ? side('lock') : inside('lock'),
    staging: beside ? side('new') : inside('new'),
    swapRecord: side('swap'),
    swapOld: side('old'),
    installRecord: inside('swap'),
    installOld: inside('old'),
  };
}

/** An output directory this process holds the lock of. */
export interface Output {
  readonly layout: OutputLayout;
  /** Whether the new results are in place (from then on, a failure does not undo them). */
  readonly committed: boolean;
  /** A fresh, empty staging directory on the same file system as the results directory. */
  stage(): string;
  /**
   * Makes the staged results the content of the directory: `previous` names the entries of the
   * earlier results (replaced or removed); every other entry stays.
   */
  commit(previous: readonly string[]): void;
  /** Marks what the command wrote in place as worth keeping (sweeps): close() then removes nothing. */
  keep(): void;
  /** Removes the staging directory and, unless committed or kept, the directories created for this output; releases the lock. */
  close(): void;
  /** The user-facing error for a file-system failure while writing this output (other errors unchanged). */
  explain(err: unknown, outcome?: string): unknown;
}

/**
 * Opens `dir` for writing by `command`: creates what is needed to lock it, takes the lock (or
 * throws an InputError naming who holds it), finishes any interrupted replacement, and removes
 * temporaries of killed processes.
 */
export function openOutput(dirPath: string, command: string): Output {
  const requested = resolve(dirPath);
  refuseFileInTheWay(requested);
  const layout = outputLayout(requested);
  const { dir } = layout;
  const created = firstMissing(dir);
  let lock: HeldLock | undefined;
  let committed = false;
  let kept = false;
  const explain = (thrown: unknown, outcome?: string): unknown => {
    // writeFileAtomic's InputErrors name the staging path: explain the system error behind them.
    const err = thrown instanceof InputError && errnoCode(thrown.cause) !== undefined ? thrown.cause : thrown;
    if (errnoCode(err) === undefined) return thrown;
    const raw = (err as NodeJS.ErrnoException).path ?? dir;
    const at = userPath(layout, raw);
    const owner = temporaryOwner(basename(at));
    const writing = owner ? owner.file : basename(at);
    const failedMkdir = (err as NodeJS.ErrnoException).syscall === 'mkdir';
    const outcomeText = outcome ?? (committed ? 'the new results are in place except for the cleanup, which the next llmsim command on this directory finishes' : 'nothing was changed');
    // A file where a directory must be: name it.
    if (failedMkdir && (errnoCode(err) === 'EEXIST' || errnoCode(err) === 'ENOTDIR')) return outputError(err, { path: at, expected: 'a directory', outcome: outcomeText });
    const whole = at === dir && !failedMkdir;
    return outputError(err, { path: whole ? dir : dirname(at), writing: whole ? undefined : writing + (failedMkdir ? '/' : ''), outcome: outcomeText });
  };
  const removeCreated = () => {
    if (created === undefined) return;
    // Deepest first, and only while empty: something another process put there stays.
    for (let d = dir; d.length >= created.length; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') break; // not empty: stop there
      }
      if (d === created || dirname(d) === d) break;
    }
  };
  try {
    // A directory the user made read-only is not replaced behind their back (renaming it needs only its parent).
    if (existsSync(dir)) accessSync(dir, constants.W_OK);
    makeDir(dirname(layout.lock));
    const attempt = tryLock(layout.lock, currentHolder(command));
    if (!attempt.ok) {
      const h = attempt.holder;
      throw new InputError(
        { file: dir },
        h === 'unreadable'
          ? `expected no other llmsim writing this directory, found a lock file that is not a readable llmsim lock (${attempt.file}): if no llmsim is using the directory, delete it and rerun`
          : `expected no other llmsim writing this directory, found ${describeHolder(h)} holding ${attempt.file}: wait for it to finish, or if that process is no longer running, delete the lock file and rerun`,
      );
    }
    lock = attempt.lock;
    recover(layout);
  } catch (err) {
    lock?.release();
    removeCreated();
    throw explain(err);
  }
  return {
    layout,
    get committed() {
      return committed;
    },
    stage() {
      rmSync(layout.staging, { recursive: true, force: true });
      makeDir(layout.staging);
      return layout.staging;
    },
    commit(previous) {
      commit(layout, previous, () => {
        committed = true;
      });
    },
    keep() {
      kept = true;
    },
    close() {
      try {
        if (!committed) rmSync(layout.staging, { recursive: true, force: true });
      } finally {
        lock?.release();
        lock = undefined;
        if (!committed && !kept) removeCreated();
      }
    },
    explain,
  };
}

/**
 * Runs `body` with `dir` open for writing (openOutput), turning file-system failures into
 * one-line errors naming the directory, and always closing it.
 */
export async function withOutput<T>(dir: string, command: string, body: (out: Output) => T | Promise<T>): Promise<T> {
  const out = openOutput(dir, command);
  try {
    return await body(out);
  } catch (err) {
    throw out.explain(err);
  } finally {
    out.close();
  }
}

/**
 * A file where the output directory or one of its parents must be is an InputError naming the
 * output directory, in the words `llmsim run` has always used (EEXIST: the directory is a file;
 * ENOTDIR: a parent is). Never renamed aside: it may be precious.
 */
function refuseFileInTheWay(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(d)) {
      if (statSync(d).isDirectory()) return;
      const found = d === dir ? 'EEXIST (file already exists)' : 'ENOTDIR (not a directory)';
      throw new InputError({ file: dir }, `expected a directory that can be created, found ${found}`);
    }
    if (dirname(d) === d) return;
  }
}

// ---- replacing -------------------------------------------------------------------------------

// Renaming a directory onto another path fails on these when the directory is in use (Windows), a
// mount point, or not writable itself: then the results are installed entry by entry.
const SWAP_FALLBACK = new Set(['EBUSY', 'EPERM', 'EACCES', 'EXDEV', 'EINVAL']);

function commit(layout: OutputLayout, previousNames: readonly string[], markCommitted: () => void): void {
  const { dir, staging } = layout;
  syncTree(staging);
  stopPoint('results staged');
  const staged = readdirSync(staging).sort();
  // Every staged name already in dir belongs to the earlier results: nothing of the user's is replaced.
  const previous = [...new Set([...previousNames, ...staged])].filter((n) => exists(join(dir, n))).sort();
  if (!layout.swap) return installInPlace(layout, previous, staged, markCommitted);
  const parent = dirname(dir);
  if (!exists(dir)) {
    renameChecked(staging, dir);
    syncDir(parent);
    markCommitted();
    stopPoint('results in place');
    return;
  }
  keepMode(dir, staging);
  writeFileDurable(layout.swapRecord, (w) => w(`${JSON.stringify({ llmsimSwap: 1, previous })}\n`));
  syncDir(parent);
  try {
    renameChecked(dir, layout.swapOld);
  } catch (err) {
    rmSync(layout.swapRecord, { force: true });
    if (!SWAP_FALLBACK.has(errnoCode(err) ?? '')) throw err;
    return installInPlace(layout, previous, staged, markCommitted);
  }
  stopPoint('previous results moved aside');
  try {
    renameChecked(staging, dir);
  } catch (err) {
    renameChecked(layout.swapOld, dir); // put the previous results back
    rmSync(layout.swapRecord, { force: true });
    throw err;
  }
  syncDir(parent);
  markCommitted();
  stopPoint('new results in place');
  finishSwap(layout, previous);
}

// After `dir` -> old and staging -> dir: the user's entries go back into dir; the rest is removed.
function finishSwap(layout: OutputLayout, previous: readonly string[]): void {
  const { dir, swapOld } = layout;
  const stuck: string[] = [];
  for (const name of readdirSync(swapOld).sort()) {
    if (previous.includes(name) || isInternalEntry(name)) continue;
    if (exists(join(dir, name))) {
      stuck.push(name);
      continue;
    }
    renameChecked(join(swapOld, name), join(dir, name));
    stopPoint(`kept ${name}`);
  }
  syncDir(dir);
  if (stuck.length > 0) {
    throw new InputError({ file: join(swapOld, stuck[0]!) }, `expected to move it back into ${dir}, found ${stuck[0]} there already: move it yourself, then delete ${swapOld}`);
  }
  rmSync(swapOld, { recursive: true, force: true });
  stopPoint('previous results removed');
  rmSync(layout.swapRecord, { force: true });
  syncDir(dirname(dir));
}

// The fallback: record what is installed, then move it in entry by entry (idempotent: recovery reruns it).
function installInPlace(layout: OutputLayout, previous: readonly string[], staged: readonly string[], markCommitted: () => void): void {
  makeDir(layout.dir);
  const record = { llmsimInstall: 1, previous, staged, staging: relative(layout.dir, layout.staging).split(sep).join('/') };
  writeFileDurable(layout.installRecord, (w) => w(`${JSON.stringify(record)}\n`));
  syncDir(layout.dir);
  markCommitted();
  finishInstall(layout);
}

function finishInstall(layout: OutputLayout): void {
  const { dir, installOld } = layout;
  const record = readRecord(layout.installRecord) as { previous: string[]; staged: string[]; staging: string };
  const staging = resolve(dir, record.staging);
  const aside = (name: string) => {
    makeDir(installOld);
    rmSync(join(installOld, name), { recursive: true, force: true });
    renameChecked(join(dir, name), join(installOld, name));
  };
  for (const name of record.staged) {
    const from = join(staging, name);
    if (!exists(from)) continue; // installed before an interruption
    const to = join(dir, name);
    if (exists(to) && (lstatSync(to).isDirectory() || lstatSync(from).isDirectory())) aside(name);
    renameChecked(from, to); // a file replaces a file atomically
    stopPoint(`installed ${name}`);
  }
  for (const name of record.previous) if (!record.staged.includes(name) && exists(join(dir, name))) aside(name);
  syncDir(dir);
  rmSync(installOld, { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
  rmSync(layout.installRecord, { force: true });
  syncDir(dir);
}

/**
 * Finishes what a killed llmsim left (under the lock): a swap recorded and begun is completed, one
 * recorded but not begun is dropped; an in-place install is completed; staging directories and
 * temporaries of processes that are gone are removed.
 */
export function recover(layout: OutputLayout): void {
  const { dir, staging, swapRecord, swapOld, installRecord, installOld } = layout;
  if (exists(swapRecord)) {
    const { previous } = readRecord(swapRecord) as { previous: string[] };
    if (exists(swapOld)) {
      if (!exists(dir)) {
        // Killed between the two renames: the staged results are complete (the swap began after they were synced).
        renameChecked(exists(staging) ? staging : swapOld, dir);
        syncDir(dirname(dir));
      }
      if (exists(swapOld)) finishSwap(layout, previous);
      else rmSync(swapRecord, { force: true });
    } else {
      rmSync(swapRecord, { force: true }); // recorded, never begun
    }
  } else if (exists(swapOld)) {
    throw new InputError({ file: swapOld }, `expected no directory there (llmsim keeps the previous results there only during a recorded swap), found one without its record ${basename(swapRecord)}: look inside, then delete it`);
  }
  if (exists(installRecord)) finishInstall(layout);
  rmSync(staging, { recursive: true, force: true });
  if (exists(dir)) {
    rmSync(installOld, { recursive: true, force: true });
    rmSync(join(dir, '.llmsim-new'), { recursive: true, force: true });
    removeStaleTemporaries(dir);
  }
  for (const f of [layout.lock, swapRecord]) removeStaleTemporaries(dirname(f), basename(f));
}

function readRecord(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new InputError({ file }, 'expected the record of an interrupted llmsim replacement (JSON), found an unreadable file: check the directory beside it, then delete the record');
  }
}

// A path as the user knows it: the staging directory stands for the results directory.
function userPath(layout: OutputLayout, path: string): string {
  const p = resolve(path);
  const s = layout.staging;
  return p === s || p.startsWith(s + sep) ? join(layout.dir, relative(s, p)) : p;
}

// The new directory takes the old one's permissions (a group-shared results directory stays shared).
function keepMode(from: string, to: string): void {
  try {
    chmodSync(to, statSync(from).mode & 0o7777);
  } catch {
    // best effort: the default permissions of a new directory
  }
}

function isMountPoint(dir: string, parent: string): boolean {
  try {
    return statSync(dir).dev !== statSync(parent).dev;
  } catch {
    return false;
  }
}

function writableOrMissing(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
