import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { mergeShards } from '../sweep/merge.js';
import { writeManifest, writeSweepCsvs } from '../sweep/outputs.js';
import { parseOptions } from './options.js';

const mergeOptions = z.strictObject({ out: z.string().min(1), quiet: z.boolean().default(false) });

/** `llmsim merge <shard dirs...> -o <dir>`: the shards' runs as one sweep directory. */
export function mergeCommand(dirs: string[], rawOptions: unknown, print: (text: string) => void): void {
  const opts = parseOptions(mergeOptions, rawOptions);
  const { manifest, results } = mergeShards(dirs);
  const out = resolve(opts.out);
  writeManifest(out, manifest);
  const written = writeSweepCsvs(out, manifest, results);
  if (!opts.quiet) print(`merged ${dirs.length} shard(s), ${results.size} runs; wrote ${written.join(', ')}`);
}

/** Adds `merge` to the program. */
export function registerMergeCommand(program: Command, print: (text: string) => void): void {
  program
    .command('merge')
    .description('combine the shard directories of a sweep (--shard i/n) into one: runs.csv and points.csv')
    .argument('<dirs...>', 'shard directories, one per shard 0..n-1')
    .requiredOption('-o, --out <dir>', 'merged sweep directory')
    .option('-q, --quiet', 'print nothing but errors')
    .action((dirs: string[], opts: unknown) => mergeCommand(dirs, opts, print));
}
