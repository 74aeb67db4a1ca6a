import { constants } from 'node:os';
import { InputError } from '../errors.js';

/**
 * File-system failures while writing output are the user's to fix (a full disk, a read-only or
 * foreign directory, a file in the way), never bugs: they become one-line InputErrors (exit 2)
 * naming the directory, what was expected and what was found.
 */

/** A full disk or quota. */
export const NO_SPACE: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);
/** A directory this process may not write: read-only file system, permissions, immutable files. */
export const NOT_WRITABLE: ReadonlySet<string> = new Set(['EROFS', 'EACCES', 'EPERM']);

/** The errno code (`ENOSPC`, ...) of a failed system call, or undefined for any other error. */
export function errnoCode(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | null | undefined;
  const code = e?.code;
  // libuv names some errors UNKNOWN (EDQUOT among them, in Node 20): name them by their number.
  if (code === 'UNKNOWN' && typeof e?.errno === 'number' && e.syscall !== undefined) {
    return Object.entries(constants.errno).find(([, n]) => n === Math.abs(e.errno!))?.[0] ?? 'UNKNOWN';
  }
  // Node's own errors have codes like ERR_INVALID_ARG_TYPE: those are bugs.
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

// Reasons libuv does not know by name.
const REASONS: Readonly<Record<string, string>> = { EDQUOT: 'disk quota exceeded' };

/** Node's reason text: "ENOSPC: no space left on device, write" -> "no space left on device". */
export function errnoReason(err: unknown): string {
  const code = errnoCode(err);
  return (code !== undefined ? REASONS[code] : undefined) ?? /^[A-Z0-9]+: ([^,]+)/.exec((err as Error).message)?.[1] ?? 'error';
}

/** What to say about a failed write of output. */
export interface OutputFailure {
  /** The path to name: the directory (or file) the user asked for. */
  readonly path: string;
  /** What was being written, as the user knows it (`requests.csv`, `the lock file`). */
  readonly writing?: string;
  /** What the failure left, e.g. "nothing was changed". */
  readonly outcome?: string;
  /** What was expected for errors other than a full or read-only disk (default: a writable path). */
  readonly expected?: string;
}

/** The InputError for `err`, a failed file-system call; undefined when `err` is not one. */
export function outputError(err: unknown, failure: OutputFailure): InputError | undefined {
  const code = errnoCode(err);
  if (code === undefined) return undefined;
  const found = `found ${code} (${errnoReason(err)})`;
  const what = failure.writing ? ` ${failure.writing}` : '';
  let message: string;
  if (NO_SPACE.has(code)) message = `expected free space to write${what || ' the results'}, ${found}`;
  else if (NOT_WRITABLE.has(code)) message = `expected a writable directory${what ? ` to write${what}` : ''}, ${found}`;
  else message = `expected ${failure.expected ?? `a path where${what || ' the results'} can be written`}, ${found}`;
  return new InputError({ file: failure.path }, failure.outcome ? `${message}; ${failure.outcome}` : message);
}
