import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';

/**
 * Is a process of this host still running? Used to tell a lock or temporary file of a killed
 * llmsim from one of a live one. A pid can be reused once its process is gone, so on Linux the
 * process's start time (from /proc) is compared too when it was recorded.
 */
export function processAlive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

/**
 * When process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat), or
 * undefined where there is no /proc. Together with the pid it names one process of this boot.
 */
export function processStartTime(pid: number = process.pid): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name, is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** This machine's name as locks record it. */
export function hostName(): string {
  return hostname();
}

/**
 * `bytes` random bytes from the system's source, as hex (a lock's nonce). Read from /dev/urandom
 * where there is one: node:crypto, the fallback, takes about 7 ms to load, a share of every short
 * `llmsim run` that nothing else in it needs.
 */
export function randomHex(bytes: number): string {
  const out = Buffer.alloc(bytes);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, out, 0, bytes, null) === bytes) return out.toString('hex');
    } finally {
      closeSync(fd);
    }
  } catch {
    // no /dev/urandom (Windows): below
  }
  const { randomBytes } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return randomBytes(bytes).toString('hex');
}
