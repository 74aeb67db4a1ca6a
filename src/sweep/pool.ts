import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { InputError } from '../errors.js';
import type { RunOutcome, RunTask, SystemErrorData } from './execute.js';
import type { FlatMetrics } from './metrics.js';

/** A pool of worker threads that each run whole simulations. */
export interface RunPool {
  readonly threads: number;
  run(task: RunTask): Promise<RunOutcome>;
  close(): Promise<void>;
}

/** Default `-j`: the cores this process may use. */
export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * Starts `threads` workers (piscina). Installed, the package runs dist/worker.js (bundled next to this code); from the
 * sources (vitest, `npx tsx src/cli.ts`) the entry is worker-source.mjs, which registers tsx and
 * loads worker.ts, so tests need no build step.
 */
export function createRunPool(threads: number): RunPool {
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  const filename = new URL(fromSource ? './worker-source.mjs' : './worker.js', import.meta.url).href;
  const pool = new Piscina<RunTask, RunOutcome>({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  return {
    threads,
    run: (task) => pool.run(task),
    close: () => pool.close(),
  };
}

/**
 * Runs `items` on the pool, at most threads * 2 in flight so a failure stops the rest promptly,
 * calling `onResult` (in the main thread, in completion order) for each success. On the first
 * failure no new run starts; runs already started finish and are reported, then the failure is
 * thrown: an InputError prefixed with `describe(item)` when the user can fix it.
 */
export async function runEach<K>(
  items: readonly K[],
  pool: RunPool,
  task: (item: K) => RunTask,
  onResult: (item: K, metrics: FlatMetrics) => void,
  describe: (item: K) => string,
): Promise<void> {
  let next = 0;
  let failure: Error | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      const out = await pool.run(task(item));
      if (out.ok) {
        try {
          onResult(item, out.metrics);
        } catch (err) {
          failure ??= err as Error;
        }
      } else if (failure === undefined) {
        if (out.system) failure = systemError(out.system);
        else failure = out.input ? new InputError(out.location ?? {}, `in ${describe(item)}: ${out.message}`) : remoteError(`${describe(item)} failed: ${out.message}`, out.stack);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(items.length, pool.threads * 2) }, lane));
  if (failure) throw failure;
}

// A worker's failed file-system call, rebuilt as Node's error so the caller can name its output directory.
function systemError(data: SystemErrorData): Error {
  return Object.assign(new Error(data.message), { code: data.code, syscall: data.syscall, path: data.path });
}

function remoteError(message: string, stack: string | undefined): Error {
  const err = new Error(message);
  if (stack !== undefined) err.stack = `${message}\n(in the worker) ${stack}`;
  return err;
}
