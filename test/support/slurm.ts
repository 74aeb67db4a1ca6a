import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { availableParallelism, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A real single-node Slurm cluster on localhost for tests: munged, slurmctld and slurmd (Debian's
 * slurm-wlm and munge) run in the foreground as children of the test, with every file (munge key
 * and socket, slurm.conf, state, spool, logs) under one directory and ports picked free, so it
 * touches nothing of the machine's own Slurm or munge and two runs cannot collide. Needs root (as
 * CI runs) because SlurmUser and SlurmdUser are root.
 */

const run = promisify(execFile);

/** The daemons and clients the cluster needs, and where they are; missing ones by name. */
export function slurmTools(): { missing: string[]; root: boolean } {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  const have = (name: string) => dirs.some((d) => d !== '' && existsSync(join(d, name)));
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'sinfo', 'scontrol', 'squeue', 'scancel'].filter((n) => !have(n));
  return { missing, root: process.getuid?.() === 0 };
}

export interface SlurmCluster {
  /** Environment for Slurm clients (SLURM_CONF, PATH with sbin). */
  readonly env: NodeJS.ProcessEnv;
  /** The daemons' logs, for a failure message. */
  logs(): string;
  /** Stops the daemons (slurmd, slurmctld, munged, each by its pid) and waits for them. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the cluster under `dir` (which must exist) and resolves once the node is idle. */
export async function startSlurm(dir: string, timeoutMs = 60_000): Promise<SlurmCluster> {
  const path = ['/usr/sbin', '/sbin', process.env.PATH ?? ''].join(delimiter);
  for (const d of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'munge'), 0o700);
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = join(dir, 'munge', 'munge.sock');
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  const cpus = Math.max(1, Math.min(2, availableParallelism()));
  const memMb = Math.floor((totalmem() / 2 ** 20) * 0.8);
  writeFileSync(
    conf,
    [
      'ClusterName=llmsimtest',
      'SlurmctldHost=localhost',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'MpiDefault=none',
      'ReturnToService=2',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      // Finished jobs stay visible to scontrol for 5 minutes (the default), long enough to read their state.
      'MinJobAge=300',
      `NodeName=localhost NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memMb} State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, SLURM_CONF: conf };
  const children: { name: string; child: ChildProcess; out: string }[] = [];
  const daemon = (name: string, cmd: string, args: string[]) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = { name, child, out: '' };
    child.stdout!.on('data', (b: Buffer) => (entry.out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (entry.out += b.toString()));
    child.on('error', (e) => (entry.out += `spawn error: ${e.message}\n`));
    children.push(entry);
  };
  const cluster: SlurmCluster = {
    env,
    logs() {
      const files = ['slurmctld.log', 'slurmd.log'].map((f) => join(dir, 'log', f)).filter(existsSync);
      return [...children.map((c) => `--- ${c.name} output\n${c.out}`), ...files.map((f) => `--- ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-40).join('\n')}`)].join('\n');
    },
    async stop() {
      // Jobs still running (a test that failed or timed out) live in slurmstepd processes of their
      // own, which outlive slurmd: cancel them on this cluster first and give them a moment to end.
      if (children.some((c) => c.name === 'slurmctld' && c.child.exitCode === null)) {
        await run('scancel', ['--user=root'], { env }).catch(() => undefined);
        for (let i = 0; i < 40; i++) {
          const q = await run('squeue', ['-h'], { env }).catch(() => ({ stdout: '' }));
          if (q.stdout.trim() === '') break;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      // Reverse order: slurmd, slurmctld, then munged, which the other two need to shut down cleanly.
      for (const { child } of [...children].reverse()) {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  try {
    // -F: foreground; -f: run although the key's directory is under a world-writable /tmp.
    daemon('munged', 'munged', ['-F', '-f', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${join(dir, 'munge', 'munged.pid')}`, `--seed-file=${join(dir, 'munge', 'seed')}`, `--log-file=${join(dir, 'log', 'munged.log')}`]);
    await waitFor(() => existsSync(socket), timeoutMs, 'munged to create its socket', cluster);
    daemon('slurmctld', 'slurmctld', ['-D', '-i', '-f', conf]);
    daemon('slurmd', 'slurmd', ['-D', '-N', 'localhost', '-f', conf]);
    await waitFor(
      async () => {
        const r = await run('sinfo', ['-h', '-o', '%t'], { env }).catch(() => ({ stdout: '' }));
        return r.stdout.trim() === 'idle';
      },
      timeoutMs,
      'sinfo to show the node idle',
      cluster,
    );
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

async function waitFor(ok: () => boolean | Promise<boolean>, timeoutMs: number, what: string, cluster: SlurmCluster): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${cluster.logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A job's state from scontrol (COMPLETED, FAILED, PENDING, ...); one per task for an array. */
export async function jobStates(jobId: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { stdout } = await run('scontrol', ['show', 'job', '-o', jobId], { env });
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => /JobState=(\S+)/.exec(l)?.[1] ?? 'UNKNOWN');
}

/** Waits until every task of each job has ended; resolves to their states. */
export async function waitForJobs(jobIds: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number, cluster: SlurmCluster): Promise<Record<string, string[]>> {
  const active = /^(PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|RESIZING|SUSPENDED)/;
  let states: Record<string, string[]> = {};
  await waitFor(
    async () => {
      states = Object.fromEntries(await Promise.all(jobIds.map(async (id) => [id, await jobStates(id, env)] as const)));
      return Object.values(states).every((s) => s.length > 0 && !s.some((x) => active.test(x)));
    },
    timeoutMs,
    `jobs ${jobIds.join(', ')} to end (last states ${JSON.stringify(states)})`,
    cluster,
  );
  return states;
}
