#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requestedCommand } from './commands/requested.js';

// `llmsim run ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

type Main = (argv: string[]) => Promise<number>;

/**
 * `llmsim run` runs from dist/run.cjs, one CommonJS bundle of the CLI with only the run command,
 * compiled with a V8 code cache (src/code-cache.ts; README, Performance): about 0.1 s less
 * start-up. Every other command, and a run from the sources (tsx), take the ES modules as before. LLMSIM_CODE_CACHE=off compiles the bundle without the cache.
 */
async function bundledMain(argv: readonly string[]): Promise<Main | undefined> {
  if (requestedCommand(argv.slice(2)) !== 'run') return undefined;
  const file = fileURLToPath(new URL('./run.cjs', import.meta.url));
  if (import.meta.url.endsWith('.ts') || !existsSync(file)) return undefined;
  // Loaded here only: the other commands do not load node:crypto and node:vm for nothing.
  const { codeCacheDir, loadBundle } = await import('./code-cache.js');
  // The bundle's import() of the packages kept out of it (the LP solver) resolves from dist/, as the ES modules' do.
  const bundle = loadBundle(file, { dir: codeCacheDir(), dynamicImport: (specifier) => import(specifier) });
  // Saved once, after a run that worked: the cache then holds everything a run compiles.
  process.once('exit', (code) => {
    if (code === 0 && !argv.includes('--help') && !argv.includes('-h')) bundle.save();
  });
  return bundle.exports.main as Main;
}

const argv = process.argv;
const bundled = await bundledMain(argv);
process.exitCode = await (bundled ?? (await import('./main.js')).main)(argv);
// A run has written and closed everything by now (its files synchronously, its output through
// stdout and stderr, flushed when their buffers are empty): exit at once rather than let Node wait
// for V8's background work (concurrent GC marking, optimizing compiles), 30-60 ms of every run.
if (bundled && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
