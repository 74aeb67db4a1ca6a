import { closeSync, fsyncSync, linkSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkFault, stopPoint } from './hooks.js';
import { syncDir, temporaryName, writeFully } from './fs.js';
import { hostName, processAlive, processStartTime, randomHex } from './process.js';

/**
 * An exclusive lock on an output directory: a small JSON file naming its holder (command, pid,
 * host, process start time, when), created atomically (written under a temporary name, then
 * hard-linked to the lock name, which fails if it exists), so a reader never sees half a lock.
 *
 * A lock whose holder is gone is stale and is taken over. Gone means: on this host, no process
 * with that pid (and, on Linux, that start time: a pid reused after a container restart is not
 * the holder); under Slurm, the same job in a later incarnation (a requeued job restarts only
 * after its previous run ended). A lock held on another host is never taken over automatically.
 *
 * Taking over is safe against several takers at once: the lock is removed only by whoever first
 * creates the claim file `<lock>.takeover-<nonce of the stale lock>` (exclusively, like the lock),
 * and only if the lock still carries that nonce; then everyone races to create the lock afresh
 * and exactly one succeeds. A taker killed while it holds a claim leaves a claim whose holder is
 * gone: it is itself taken over the same way.
 */

/** Who holds a lock. */
export interface LockHolder {
  readonly command: string;
  readonly pid: number;
  readonly host: string;
  /** Process start time (Linux /proc ticks), to tell a reused pid from the holder. */
  readonly pidStart?: string;
  readonly startedAt: string;
  /** Unique per lock file: identifies the lock a claim is about. */
  readonly nonce: string;
  /** Under Slurm: the job id and its restart count. */
  readonly slurm?: { readonly job: string; readonly restart: number };
}

/** The outcome of trying to lock. */
export type LockAttempt =
  | { readonly ok: true; readonly lock: HeldLock }
  | { readonly ok: false; readonly file: string; readonly holder: LockHolder | 'unreadable' };

/** A lock this process holds. */
export interface HeldLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock (if it is still ours). */
  release(): void;
}

const MAGIC = 'llmsimLock';
const MAX_ATTEMPTS = 20;
const MAX_CLAIM_DEPTH = 4;

/** The holder record for this process. */
export function currentHolder(command: string): LockHolder {
  const job = process.env.SLURM_JOB_ID;
  return {
    command,
    pid: process.pid,
    host: hostName(),
    pidStart: processStartTime(),
    startedAt: new Date().toISOString(),
    nonce: randomHex(8),
    ...(job ? { slurm: { job, restart: slurmRestarts() } } : {}),
  };
}

/** Tries to take the lock `file` (its directory must exist). Never waits. */
export function tryLock(file: string, holder: LockHolder): LockAttempt {
  const refused = acquire(file, holder, 0);
  if (refused) return { ok: false, file, holder: refused };
  removeDeadClaims(file);
  stopPoint(`locked ${basename(file)}`);
  return {
    ok: true,
    lock: {
      file,
      holder,
      release: () => {
        const now = readHolder(file);
        if (now !== undefined && now !== 'unreadable' && now.nonce === holder.nonce) rmSync(file, { force: true });
      },
    },
  };
}

/** Reads a lock file: its holder, undefined if there is none, 'unreadable' if it is not a lock. */
export function readHolder(file: string): LockHolder | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const h = JSON.parse(text) as Record<string, unknown>;
    if (h[MAGIC] !== 1 || typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.nonce !== 'string') return 'unreadable';
    return h as unknown as LockHolder;
  } catch {
    return 'unreadable';
  }
}

/** Is the holder of a lock still running (as far as this host can tell)? */
export function holderAlive(h: LockHolder): boolean {
  if (h.host !== hostName()) {
    const job = process.env.SLURM_JOB_ID;
    // A requeued Slurm job reruns only after its previous run ended, on whatever node.
    if (h.slurm && job !== undefined && h.slurm.job === job && slurmRestarts() > h.slurm.restart) return false;
    return true;
  }
  if (h.pid === process.pid) return h.pidStart === undefined || h.pidStart === processStartTime();
  return processAlive(h.pid, h.pidStart);
}

/** "sweep (pid 123 on host h, started 2024-...)". */
export function describeHolder(h: LockHolder): string {
  return `llmsim ${h.command} (pid ${h.pid} on host ${h.host}, started ${h.startedAt})`;
}

// Creates the lock `file` for `holder`, taking over a stale one; returns who holds it if that fails.
function acquire(file: string, holder: LockHolder, depth: number): LockHolder | 'unreadable' | undefined {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (create(file, holder)) return undefined;
    const current = readHolder(file);
    if (current === undefined) continue; // released meanwhile: try again
    if (current === 'unreadable' || holderAlive(current) || depth >= MAX_CLAIM_DEPTH) return current;
    // Stale: whoever first claims this very lock (by its nonce) may remove it.
    const claim = `${file}.takeover-${current.nonce}`;
    const claimer = acquire(claim, holder, depth + 1);
    if (claimer !== undefined) return claimer === 'unreadable' ? current : claimer; // someone else is taking it over
    try {
      const again = readHolder(file);
      if (again !== undefined && again !== 'unreadable' && again.nonce === current.nonce) {
        unlinkSync(file);
        syncDir(dirname(file));
      }
    } finally {
      rmSync(claim, { force: true });
    }
  }
  return readHolder(file) ?? 'unreadable';
}

// Creates `file` holding `holder` if it does not exist; false if it does.
function create(file: string, holder: LockHolder): boolean {
  const temp = temporaryName(file);
  const text = `${JSON.stringify({ [MAGIC]: 1, ...holder })}\n`;
  checkFault('open', file);
  const fd = openSync(temp, 'w');
  try {
    writeFully(fd, temp, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    syncDir(dirname(file));
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // No hard links on this file system: an exclusive create (a reader may see it empty for a moment).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') return createExclusive(file, text);
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeFully(fd, file, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

// Claims left by takers that were killed mid-way (their holder is gone): clutter once the lock is ours.
function removeDeadClaims(file: string): void {
  const prefix = `${basename(file)}.takeover-`;
  for (const name of readdirSync(dirname(file))) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dirname(file), name);
    const h = readHolder(path);
    if (h === undefined || (h !== 'unreadable' && holderAlive(h))) continue;
    rmSync(path, { force: true });
  }
}

function slurmRestarts(): number {
  const n = Number(process.env.SLURM_RESTART_COUNT ?? '0');
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
