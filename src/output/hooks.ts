import { writeSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { threadTag } from './thread.js';

/**
 * Test hooks of the write path. Both are off unless their environment variable is set, and cost
 * one environment lookup otherwise. They exist because a test cannot otherwise kill llmsim at an
 * exact step of writing results, nor make a disk fill up (or deny writing when CI runs as root).
 *
 * - `LLMSIM_TEST_STOP_AT=n` (or `n:pause`): at the n-th stop point passed by the main thread,
 *   print `llmsim-test: stop n: <label>` on stderr, then SIGKILL the process (with `:pause`: block
 *   until something else kills it, e.g. to start a second process while the first holds a lock).
 * - `LLMSIM_TEST_FAULT=CODE:op:text` (or `CODE:op:text@n`): every `op` (`open`, `write`, `mkdir`,
 *   `rename`) on a path containing `text` (from the n-th such call of the thread on) fails with the
 *   Node error `CODE` (ENOSPC, EACCES, ...); a failing write first writes half of its bytes, as a
 *   disk filling up does.
 */

let stops = 0;

/** A step of writing results at which a kill must leave a consistent directory (see above). */
export function stopPoint(label: string): void {
  const spec = process.env.LLMSIM_TEST_STOP_AT;
  if (spec === undefined || threadTag() !== 0) return; // the main thread only
  stops += 1;
  const [at, how] = spec.split(':');
  if (Number(at) !== stops) return;
  writeSync(2, `llmsim-test: stop ${stops}: ${label}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  if (how !== 'pause') process.kill(process.pid, 'SIGKILL');
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}

/** File-system operations a fault can be injected into. */
export type FaultOp = 'open' | 'write' | 'mkdir' | 'rename';

let matches = 0;
let counted: string | undefined;

/** The injected error for `op` on `path`, if `LLMSIM_TEST_FAULT` asks for one. */
export function injectedFault(op: FaultOp, path: string): NodeJS.ErrnoException | undefined {
  const spec = process.env.LLMSIM_TEST_FAULT;
  if (spec !== counted) [matches, counted] = [0, spec]; // a new fault counts from 1
  if (spec === undefined || spec === '') return undefined;
  const [code = '', faultOp, ...rest] = spec.split(':');
  const [, text = '', from = '1'] = /^(.*?)(?:@(\d+))?$/.exec(rest.join(':')) ?? [];
  if (faultOp !== op || !path.includes(text)) return undefined;
  if (++matches < Number(from)) return undefined;
  const known = [...getSystemErrorMap().values()].find(([name]) => name === code);
  const err = new Error(`${code}: ${known?.[1] ?? 'injected error'}, ${op} '${path}'`) as NodeJS.ErrnoException;
  err.code = code;
  err.syscall = op;
  err.path = path;
  return err;
}

/** Throws the injected fault for `op` on `path`, if any. */
export function checkFault(op: FaultOp, path: string): void {
  const err = injectedFault(op, path);
  if (err) throw err;
}
