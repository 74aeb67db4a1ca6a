import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { withOutput } from '../output/dir.js';
import { mergeShards } from '../sweep/merge.js';
import { SWEEP_FILES, writeManifest, writeSweepCsvs } from '../sweep/outputs.js';
import { parseOptions } from './options.js';
import { COMMANDS } from './catalog.js';

const mergeOptions = z.strictObject({ out: z.string().min(1), quiet: z.boolean().default(false) });

/**
 * `llmsim merge <shard dirs...> -o <dir>`: the shards' runs as one sweep directory, which replaces
 * an earlier merge there as a whole (src/output/dir.ts). The output may not be one of the shards.
 */
export async function mergeCommand(dirs: string[], rawOptions: unknown, print: (text: string) => void): Promise<void> {
  const opts = parseOptions(mergeOptions, rawOptions);
  const out = resolve(opts.out);
  refuseShardAsOutput(dirs, out);
  const { manifest, results } = mergeShards(dirs);
  const written = await withOutput(out, 'merge', (output) => {
    const staging = output.stage();
    writeManifest(staging, manifest);
    const files = writeSweepCsvs(staging, manifest, results);
    output.commit([SWEEP_FILES.manifest, SWEEP_FILES.runs, SWEEP_FILES.points]);
    return files.map((f) => join(out, f.slice(staging.length + 1)));
  });
  if (!opts.quiet) print(`merged ${dirs.length} shard(s), ${results.size} runs; wrote ${written.join(', ')}`);
}

// Writing the merge into a shard would replace that shard's runs.csv and sweep.json with the
// merged ones: the same directory under any name (a symlink, `..`, a bind mount) is refused.
function refuseShardAsOutput(dirs: readonly string[], out: string): void {
  const target = identity(out);
  if (target === undefined) return;
  for (const d of dirs) {
    if (identity(d) === target) {
      throw new InputError({ file: out }, `expected an output directory other than the shards merged, found the shard ${d} itself (merging into it would replace its runs.csv and sweep.json): choose another -o`);
    }
  }
}

function identity(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** Adds `merge` to the program. */
export function registerMergeCommand(program: Command, print: (text: string) => void): void {
  program
    .command('merge')
    .description(COMMANDS.merge.description)
    .argument('<dirs...>', 'shard directories, one per shard 0..n-1')
    .requiredOption('-o, --out <dir>', 'merged sweep directory')
    .option('-q, --quiet', 'print nothing but errors')
    .action((dirs: string[], opts: unknown) => mergeCommand(dirs, opts, print));
}
