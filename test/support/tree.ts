import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Every file below `dir` (relative path -> content), and every empty directory (path + '/' -> ''). */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string, prefix: string) => {
    const names = readdirSync(d).sort();
    if (names.length === 0 && prefix !== '') out[prefix] = '';
    for (const name of names) {
      const path = join(d, name);
      if (lstatSync(path).isDirectory()) visit(path, `${prefix}${name}/`);
      else out[`${prefix}${name}`] = readFileSync(path, 'latin1');
    }
  };
  if (existsSync(dir)) visit(dir, '');
  return out;
}

/** The entries of `files` whose path passes `keep`. */
export function pick(files: Record<string, string>, keep: (path: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter(([p]) => keep(p)));
}

/** llmsim's working files (locks, staging, swap records, temporaries) among the names in `dir`. */
export function workingFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => /llmsim-(lock|new|old|swap)|\.tmp$/.test(n)) : [];
}

/** What a child llmsim did: its exit code (null when killed), the signal, and its stderr. */
export interface ChildOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

const repo = resolve(__dirname, '..', '..');

/**
 * The CLI built from the current sources into one file (plus the sweep worker), like `npm run
 * build`'s bundle (scripts/build.mjs) but unsplit and without the prebuilt schema (dist/ may be
 * stale): a child process then starts in about half the time it takes through tsx, which
 * matters for tests that start dozens. It lives in node_modules/.cache so that the packages it
 * imports resolve; `remove` deletes it.
 */
export async function buildCli(): Promise<{ cli: string; remove: () => void }> {
  const { build } = await import('esbuild');
  mkdirSync(join(repo, 'node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join(repo, 'node_modules', '.cache', 'llmsim-test-cli-'));
  try {
    await build({
      entryPoints: { cli: join(repo, 'src/cli.ts'), worker: join(repo, 'src/sweep/worker.ts') },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outdir: dir,
      logLevel: 'warning',
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { cli: join(dir, 'cli.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts `node <cli> ...args` in a child process. `onStderr` sees its stderr as it comes (to wait
 * for a test hook's line).
 */
export function startLlmsim(cli: string, args: readonly string[], env: Record<string, string> = {}, onStderr?: (text: string) => void): { pid: number; done: Promise<ChildOutcome>; kill: () => void } {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr?.(stderr);
  });
  const done = new Promise<ChildOutcome>((ok) => child.on('close', (code, signal) => ok({ code, signal, stderr })));
  return { pid: child.pid!, done, kill: () => child.kill('SIGKILL') };
}

/** Runs `llmsim ...args` in a child process killed at its k-th stop point (src/output/hooks.ts). */
export function llmsimKilledAt(cli: string, k: number, args: readonly string[]): Promise<ChildOutcome> {
  return startLlmsim(cli, args, { LLMSIM_TEST_STOP_AT: String(k) }).done;
}

/**
 * Starts `llmsim ...args` in a child process that stops at its k-th stop point and stays there
 * (holding its lock) until killed; resolves once it is there.
 */
export async function llmsimPausedAt(cli: string, k: number, args: readonly string[]): Promise<{ kill: () => Promise<ChildOutcome>; label: string }> {
  let reached: (label: string) => void = () => undefined;
  const there = new Promise<string>((ok) => (reached = ok));
  const child = startLlmsim(cli, args, { LLMSIM_TEST_STOP_AT: `${k}:pause` }, (err) => {
    const m = /llmsim-test: stop \d+: (.*)\n/.exec(err);
    if (m) reached(m[1]!);
  });
  const label = await Promise.race([there, child.done.then((o) => Promise.reject(new Error(`the child ended before stop ${k}: ${JSON.stringify(o)}`)))]);
  return {
    label,
    kill: () => {
      child.kill();
      return child.done;
    },
  };
}
