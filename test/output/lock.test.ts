import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { currentHolder, holderAlive, readHolder, tryLock, type LockHolder } from '../../src/output/lock.js';
import { processStartTime, randomHex } from '../../src/output/process.js';
import { tempDir } from '../sweep/fixtures.js';

/**
 * The output-directory lock: exclusive while its holder lives; taken over once the holder is gone
 * (killed: its pid is gone on this host, or reused by another process; a requeued Slurm job);
 * never taken from a live holder or one on another host; and when several processes take over
 * the same stale lock at once, exactly one wins.
 */
const dir = tempDir('lock');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const saved = { job: process.env.SLURM_JOB_ID, restart: process.env.SLURM_RESTART_COUNT };
afterEach(() => {
  for (const [k, v] of [['SLURM_JOB_ID', saved.job], ['SLURM_RESTART_COUNT', saved.restart]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

let n = 0;
const lockPath = () => join(dir, `.out${n++}.llmsim-lock`);
/** A lock file as another process would have written it. */
function plant(file: string, over: Partial<LockHolder>): LockHolder {
  const h = { ...currentHolder('sweep'), ...over };
  writeFileSync(file, `${JSON.stringify({ llmsimLock: 1, ...h })}\n`);
  return h;
}
/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('the output lock', () => {
  it('carries a nonce of 8 random bytes, a new one for every holder', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => currentHolder('run').nonce));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{16}$/);
    expect(randomHex(3)).toMatch(/^[0-9a-f]{6}$/);
  });

  it('is exclusive while held, and free again once released', () => {
    const file = lockPath();
    const first = tryLock(file, currentHolder('sweep'));
    expect(first.ok).toBe(true);
    const second = tryLock(file, currentHolder('run'));
    expect(second).toMatchObject({ ok: false, file, holder: { command: 'sweep', pid: process.pid, host: hostname() } });
    if (first.ok) first.lock.release();
    expect(existsSync(file)).toBe(false);
    const third = tryLock(file, currentHolder('run'));
    expect(third.ok).toBe(true);
    if (third.ok) third.lock.release();
    expect(readdirSync(dir).filter((f) => f.startsWith('.out'))).toEqual([]);
  });

  it('is taken over when its holder is gone from this host', () => {
    const file = lockPath();
    plant(file, { pid: deadPid(), pidStart: undefined });
    const attempt = tryLock(file, currentHolder('sweep'));
    expect(attempt.ok).toBe(true);
    expect(readHolder(file)).toMatchObject({ pid: process.pid, command: 'sweep' });
    if (attempt.ok) attempt.lock.release();
  });

  it.skipIf(processStartTime() === undefined)('is taken over when its pid now belongs to another process (a restarted container)', () => {
    const file = lockPath();
    // Our own pid, recorded with another start time: the pid was reused.
    plant(file, { pid: process.pid, pidStart: '1' });
    expect(tryLock(file, currentHolder('sweep')).ok).toBe(true);
    // Our parent's pid, with its real start time: alive.
    expect(holderAlive({ ...currentHolder('x'), pid: process.ppid, pidStart: processStartTime(process.ppid) })).toBe(true);
  });

  it('is never taken from a process on another host, unless that was this Slurm job before its requeue', () => {
    const file = lockPath();
    plant(file, { host: 'other-node', pid: deadPid(), slurm: { job: '4242', restart: 0 } });
    expect(tryLock(file, currentHolder('sweep'))).toMatchObject({ ok: false, holder: { host: 'other-node' } });
    process.env.SLURM_JOB_ID = '4243';
    process.env.SLURM_RESTART_COUNT = '1';
    expect(tryLock(file, currentHolder('sweep')).ok).toBe(false); // another job
    process.env.SLURM_JOB_ID = '4242';
    const attempt = tryLock(file, currentHolder('sweep'));
    expect(attempt.ok).toBe(true); // the same job, requeued: its previous run has ended
    expect(readHolder(file)).toMatchObject({ slurm: { job: '4242', restart: 1 } });
    if (attempt.ok) attempt.lock.release();
  });

  it('is not taken over when it cannot be read', () => {
    const file = lockPath();
    writeFileSync(file, 'garbage');
    expect(tryLock(file, currentHolder('sweep'))).toMatchObject({ ok: false, holder: 'unreadable' });
    expect(readFileSync(file, 'utf8')).toBe('garbage');
  });

  it('takes over a claim left by a taker killed mid-takeover, and removes it', () => {
    const file = lockPath();
    const stale = plant(file, { pid: deadPid(), pidStart: undefined });
    plant(`${file}.takeover-${stale.nonce}`, { pid: deadPid(), pidStart: undefined });
    const attempt = tryLock(file, currentHolder('sweep'));
    expect(attempt.ok).toBe(true);
    if (attempt.ok) attempt.lock.release();
    expect(readdirSync(dir).filter((f) => f.startsWith(file.split('/').pop()!))).toEqual([]);
  });

  it('lets exactly one of several simultaneous takers of a stale lock win', async () => {
    const file = lockPath();
    plant(file, { pid: deadPid(), pidStart: undefined });
    const go = join(dir, 'go');
    const done = join(dir, 'done');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const takers = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--import', tsx, join(__dirname, 'lock-taker.ts'), file, go, done], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      const ready = new Promise<void>((ok) => child.stdout!.on('data', (c: Buffer) => ((out += c.toString()), out.includes('ready') && ok())));
      const said = new Promise<string>((ok) => child.stdout!.on('data', () => /won|lost/.test(out) && ok(/won|lost/.exec(out)![0])));
      const exited = new Promise<void>((ok) => child.on('close', () => ok()));
      return { ready, said, exited };
    });
    await Promise.all(takers.map((t) => t.ready));
    writeFileSync(go, '');
    const results = await Promise.all(takers.map((t) => t.said));
    writeFileSync(done, '');
    await Promise.all(takers.map((t) => t.exited));
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
  });
});
