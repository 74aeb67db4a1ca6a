import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

// Only Node's built-ins here: src/code-cache.ts uses this before anything else is loaded.

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdirSync(dir, { recursive: true })` never returns
 * when the kernel answers ENOENT for a directory whose parent exists (any path under /proc, as in
 * `-o /proc/x/y` or HOME=/proc/...): it retries the parent forever. Here such a path throws ENOENT
 * from the level that cannot be made. A non-directory in the way throws EEXIST, as the recursive
 * form does. `maxDepth` bounds how many missing levels are made.
 */
export function makeDirs(dir: string, options: { mode?: number; maxDepth?: number } = {}, depth = 0): void {
  try {
    mkdirSync(dir, { mode: options.mode });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (isDirectory(dir)) return;
      throw err;
    }
    if (code !== 'ENOENT' || depth >= (options.maxDepth ?? Infinity) || dirname(dir) === dir) throw err;
    makeDirs(dirname(dir), options, depth + 1);
    mkdirSync(dir, { mode: options.mode });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
