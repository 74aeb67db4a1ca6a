import { writeSync } from 'node:fs';

/**
 * Ctrl-C (SIGINT) or SIGTERM during a long command: instead of dying silently, say what was kept
 * and how to go on, release what the command holds, and exit 130 (128 + SIGINT, the shell's
 * convention). `message()` is asked at the moment of the interrupt, so it can count what finished.
 */
export interface InterruptGuard {
  /** Removes the handlers (the command finished, or failed on its own). */
  dispose(): void;
}

/** Installs the handlers; `cleanup` runs first (release the lock), errors in it are ignored. */
export function onInterrupt(message: () => string, cleanup: () => void): InterruptGuard {
  const handler = (signal: NodeJS.Signals) => {
    try {
      cleanup();
    } catch {
      // Leaving is more important: a stale lock is taken over by the next command anyway.
    }
    // Synchronous: process.exit() would drop a write still queued on a pipe.
    writeSync(2, `\nllmsim: interrupted (${signal}): ${message()}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return {
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** The command line as typed, for "rerun ... to resume": `llmsim sweep s.yaml -j 2`. */
export function commandLine(argv: readonly string[] = process.argv): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['llmsim', ...argv.slice(2).map(quote)].join(' ');
}
