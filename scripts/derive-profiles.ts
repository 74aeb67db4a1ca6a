/**
 * Regenerates every derived profile from profiles/measurements/. Run from the repository root:
 *
 *   npx tsx scripts/derive-profiles.ts           # write the files
 *   npx tsx scripts/derive-profiles.ts --check   # exit 1 if any committed file differs
 *
 * The derivation is pure (see scripts/derive/), so reruns produce byte-identical files.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deriveSplitwiseProfiles, type DerivedFile } from './derive/splitwise.js';

/** All derived files, computed from the measurement CSVs under `root`. */
export function deriveAll(root: string): DerivedFile[] {
  const read = (p: string) => readFileSync(resolve(root, p), 'utf8');
  return deriveSplitwiseProfiles(read('profiles/measurements/splitwise-perf-model.csv'), read('profiles/measurements/mlenergy-v3-llm-configs.csv'));
}

function main(argv: string[]): number {
  const root = process.cwd();
  const check = argv.includes('--check');
  let stale = 0;
  for (const f of deriveAll(root)) {
    const target = resolve(root, f.path);
    if (check) {
      let old: string | undefined;
      try { old = readFileSync(target, 'utf8'); } catch { old = undefined; }
      if (old !== f.text) { stale++; console.error(`out of date: ${f.path}`); }
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.text);
    console.log(`wrote ${f.path}`);
  }
  if (check && stale === 0) console.log('all derived profiles are up to date');
  return stale > 0 ? 1 : 0;
}

// Run only as a script, not when a test imports deriveAll.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = main(process.argv.slice(2));
