/**
 * Regenerates every derived profile from profiles/measurements/ and profiles/hardware/. Run from
 * the repository root:
 *
 *   npm run profiles                              # write the files
 *   npm run profiles -- --check                   # exit 1 if any committed file differs
 *
 * The derivation is pure (see scripts/derive/), so reruns produce byte-identical files.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseHardware, type HardwareFile } from '../src/profiles/hardware.js';
import { parseArgonne } from './derive/argonne-data.js';
import { deriveArgonneProfiles } from './derive/argonne.js';
import { deriveMlEnergyProfiles } from './derive/mlenergy.js';
import { deriveRooflineProfiles } from './derive/roofline.js';
import { deriveSplitwiseProfiles, type DerivedFile } from './derive/splitwise.js';
import { deriveVidurProfiles } from './derive/vidur.js';

/** Hardware spec files the derivations use, by file name without extension. */
export const HARDWARE_FILES = ['a100-sxm4-80gb', 'h100-sxm5-80gb', 'b200', 'epyc-7742', 'jetson-agx-orin-64gb'];

/** The hardware files under `root`, by name. */
export function loadHardwareFiles(root: string): Record<string, HardwareFile> {
  const out: Record<string, HardwareFile> = {};
  for (const n of HARDWARE_FILES) {
    const path = `profiles/hardware/${n}.yaml`;
    out[n] = parseHardware(readFileSync(resolve(root, path), 'utf8'), path);
  }
  return out;
}

/** All derived files, computed from the measurement CSVs and hardware files under `root`. */
export function deriveAll(root: string): DerivedFile[] {
  const read = (p: string) => readFileSync(resolve(root, `profiles/measurements/${p}`), 'utf8');
  const hw = loadHardwareFiles(root);
  const power = parseArgonne(read('llm-inference-bench-power-results.csv'));
  return [
    ...deriveSplitwiseProfiles(read('splitwise-perf-model.csv'), read('mlenergy-v3-llm-configs.csv')),
    ...deriveVidurProfiles(read('vidur-a100-llama2-7b-mlp.csv'), read('vidur-h100-llama2-7b-mlp.csv'), { a100: hw['a100-sxm4-80gb']!, h100: hw['h100-sxm5-80gb']! }, power),
    ...deriveMlEnergyProfiles(read('mlenergy-v3-llm-configs.csv'), { H100: hw['h100-sxm5-80gb']!, B200: hw.b200! }),
    ...deriveArgonneProfiles(parseArgonne(read('llm-inference-bench-all-results.csv')), power),
    ...deriveRooflineProfiles(hw),
  ];
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
