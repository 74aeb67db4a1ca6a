import { closeSync, existsSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makeDirs } from '../util/make-dirs.js';
import { errnoCode } from './errors.js';
import { checkFault, injectedFault, stopPoint } from './hooks.js';
import { threadTag } from './thread.js';
import { processAlive } from './process.js';

/**
 * The file-system calls results are written with: each file goes to a temporary name in its own
 * directory, is synced, and is renamed into place; directories are synced so that the renames
 * survive a crash. Errors are Node's own (with `code` and `path`): callers turn them into messages
 * for users, naming the directory the user asked for rather than a staging path.
 */

/** `.<name>.<pid>.<thread>.tmp`: a file being written by that process (see writeFileDurable). */
const TEMP = /^\.(.+)\.(\d+)\.(\d+)\.tmp$/;

/** The temporary name a file is written under by this thread. */
export function temporaryName(file: string): string {
  // Writes are synchronous, so within one thread they never overlap; pid + thread tag (0 in the
  // main thread, the thread id in the sweep's workers: thread.ts) keeps parallel runs and worker
  // threads apart without randomness.
  return join(dirname(file), `.${basename(file)}.${process.pid}.${threadTag()}.tmp`);
}

/** Is `name` a temporary file of writeFileDurable, and of which process? */
export function temporaryOwner(name: string): { file: string; pid: number } | undefined {
  const m = TEMP.exec(name);
  return m ? { file: m[1]!, pid: Number(m[2]) } : undefined;
}

/**
 * Writes `file` atomically and durably: body to a temporary file in the same directory, fsync,
 * rename over `file`. Readers see the old file or the complete new one. On failure the temporary
 * is removed and the error rethrown. Temporaries of the same file left by killed processes are
 * removed first. `body` receives `write(text)` so large files can be streamed in chunks.
 */
export function writeFileDurable(file: string, body: (write: (data: string | Uint8Array) => void) => void): void {
  removeStaleTemporaries(dirname(file), basename(file));
  const temp = temporaryName(file);
  let fd: number | undefined;
  try {
    checkFault('open', temp);
    fd = openSync(temp, 'w');
    const out = fd;
    body((text) => writeFully(out, temp, text));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    stopPoint(`${basename(file)} written under its temporary name`);
    renameChecked(temp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw withPath(err, temp);
  }
}

/** Node's write and fsync errors carry no path: give them the file's, so messages can name it. */
export function withPath(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (errnoCode(e) !== undefined && e.path === undefined) e.path = path;
  return err;
}

/**
 * Writes all of `data` at the file position. writeSync may write fewer bytes than asked (rare for
 * regular files): finish from a Buffer then. Writing a string directly first skips a copy.
 */
export function writeFully(fd: number, path: string, data: string | Uint8Array): void {
  const fault = injectedFault('write', path);
  const bytes = typeof data === 'string' ? undefined : data;
  if (fault) {
    const b = bytes ?? Buffer.from(data as string, 'utf8');
    writeSync(fd, b, 0, Math.floor(b.length / 2)); // a disk filling up mid-write
    throw fault;
  }
  const total = bytes ? bytes.length : Buffer.byteLength(data as string, 'utf8');
  let done = bytes ? writeSync(fd, bytes) : writeSync(fd, data as string);
  if (done === total) return;
  const b = bytes ?? Buffer.from(data as string, 'utf8');
  while (done < total) done += writeSync(fd, b, done, total - done);
}

/** renameSync, with fault injection. */
export function renameChecked(from: string, to: string): void {
  checkFault('rename', to);
  renameSync(from, to);
}

/** mkdirSync -p, with fault injection. */
export function makeDir(dir: string): void {
  checkFault('mkdir', dir);
  makeDirs(dir);
}

/**
 * Syncs a directory so that entries created, renamed or removed in it survive a crash. Some
 * platforms cannot open a directory for syncing; there the rename itself is all there is.
 */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Syncs every file and directory below `dir` (and `dir`), deepest first. */
export function syncTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) syncTree(path);
    else if (e.isFile()) {
      const fd = openSync(path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
  syncDir(dir);
}

/**
 * Removes temporaries in `dir` left by processes that are gone (killed while writing): those of
 * `file` only, or all of them. A temporary of a live process (on this host) is left alone.
 */
export function removeStaleTemporaries(dir: string, file?: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // a missing directory has none
  }
  for (const name of names) {
    const owner = temporaryOwner(name);
    if (!owner || (file !== undefined && owner.file !== file)) continue;
    // Ours (another thread may be writing it) or a live process's: not stale.
    if (owner.pid === process.pid || processAlive(owner.pid)) continue;
    rmSync(join(dir, name), { force: true });
  }
}

/** Does `path` exist (without following a final symlink)? */
export function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The outermost directory of `dir` that does not exist yet (which creating `dir` would create), if any. */
export function firstMissing(dir: string): string | undefined {
  let missing: string | undefined;
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing = d;
    if (dirname(d) === d) break;
  }
  return missing;
}
