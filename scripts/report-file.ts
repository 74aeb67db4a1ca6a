/**
 * The command line of a generated report (docs/fidelity.md, docs/validation.md): write it, or with
 * --check exit 1 when the committed file differs from what the code and data give now.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Writes `path` (relative to the working directory) from `build`, or checks it with --check; returns the exit code. */
export function reportMain(argv: readonly string[], path: string, regenerate: string, build: (root: string) => string): number {
  const root = process.cwd();
  const text = build(root);
  const target = resolve(root, path);
  if (argv.includes('--check')) {
    let old = '';
    try { old = readFileSync(target, 'utf8'); } catch { old = ''; }
    if (old !== text) { console.error(`out of date: ${path} (run ${regenerate})`); return 1; }
    console.log(`${path} is up to date`);
    return 0;
  }
  writeFileSync(target, text);
  console.log(`wrote ${path}`);
  return 0;
}
