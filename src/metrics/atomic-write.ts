import { basename, dirname } from 'node:path';
import { InputError } from '../errors.js';
import { errnoCode, NO_SPACE, NOT_WRITABLE, outputError } from '../output/errors.js';
import { writeFileDurable } from '../output/fs.js';
import { checkFault } from '../output/hooks.js';
import { makeDirs } from '../util/make-dirs.js';

/**
 * Writes `file` atomically: the body goes to a temporary file in the same directory (same file
 * system, so the rename is atomic), which is synced and then renamed over `file`. Readers see the
 * old file or the complete new one, never a torn one; on failure the temporary file is removed,
 * and temporaries of `file` left by killed processes are removed before writing.
 * `body` receives a `write(text)` callback so large files can be streamed in chunks.
 * A file-system failure is an InputError (its `cause` is Node's error).
 */
export function writeFileAtomic(file: string, body: (write: (data: string | Uint8Array) => void) => void): void {
  try {
    writeFileDurable(file, body);
  } catch (err) {
    throw fsError(err, file, 'a writable file');
  }
}

/** Creates `dir` (and its parents) if missing; a path that cannot be a directory is an InputError. */
export function ensureDir(dir: string): void {
  try {
    checkFault('mkdir', dir);
    makeDirs(dir);
  } catch (err) {
    throw fsError(err, dir, 'a directory that can be created');
  }
}

// File-system failures on output paths are the user's to fix (a full disk, permissions, a file in
// the way); anything else is a bug and keeps its own stack.
function fsError(err: unknown, path: string, expected: string): unknown {
  const code = errnoCode(err);
  if (code === undefined) return err;
  const byDirectory = NO_SPACE.has(code) || NOT_WRITABLE.has(code);
  const mapped = byDirectory ? outputError(err, { path: dirname(path), writing: basename(path) }) : outputError(err, { path, expected });
  return new InputError(mapped!.location, mapped!.detail, { cause: err });
}
