import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { InputError } from '../errors.js';

/**
 * Writes `file` atomically: the body goes to a temporary file in the same directory (same file
 * system, so the rename is atomic), which is synced and then renamed over `file`. Readers see the
 * old file or the complete new one, never a torn one; on failure the temporary file is removed.
 * `body` receives a `write(text)` callback so large files can be streamed in chunks.
 */
export function writeFileAtomic(file: string, body: (write: (text: string) => void) => void): void {
  // Writes are synchronous, so within one thread they never overlap; pid + thread id keeps
  // parallel runs and sweep worker threads apart without randomness.
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${threadId}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w');
    const out = fd;
    body((text) => writeAll(out, text));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw fsError(err, file, 'a writable file');
  }
}

/** Creates `dir` (and its parents) if missing; a path that cannot be a directory is an InputError. */
export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fsError(err, dir, 'a directory that can be created');
  }
}

// File-system failures on output paths are the user's to fix (permissions, a file in the way);
// anything else is a bug and keeps its own stack.
function fsError(err: unknown, path: string, expected: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return err;
  // Node's messages read "EACCES: permission denied, open '/x'": keep the middle part.
  const why = /^[A-Z]+: ([^,]+)/.exec((err as Error).message)?.[1] ?? 'error';
  return new InputError({ file: path }, `expected ${expected}, found ${code} (${why})`);
}

// writeSync may write fewer bytes than asked (rare for regular files): finish from a Buffer then.
// Writing the string directly first skips a copy of every chunk.
function writeAll(fd: number, text: string): void {
  const written = writeSync(fd, text);
  const total = Buffer.byteLength(text, 'utf8');
  if (written === total) return;
  const bytes = Buffer.from(text, 'utf8');
  let done = written;
  while (done < total) done += writeSync(fd, bytes, done, total - done);
}
