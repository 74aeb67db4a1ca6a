import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { validate } from '../util/validate.js';
import { loadYamlFile } from '../util/yaml-file.js';
import { readJournal } from './journal.js';
import type { FlatMetrics } from './metrics.js';
import { SWEEP_FILES, type SweepManifest } from './outputs.js';

const manifestSchema = z.strictObject({
  name: z.string(),
  fingerprint: z.string(),
  runs: z.number().int().min(1),
  params: z.array(z.string()),
  pointValues: z.array(z.array(z.unknown())),
  seeds: z.array(z.number().int().min(0)).min(1),
  level: z.number().gt(0).lt(1),
  shard: z.strictObject({ index: z.number().int().min(0), count: z.number().int().min(1) }),
});

/** Reads and checks a sweep directory's sweep.json. */
export function readManifest(dir: string): SweepManifest {
  const file = join(dir, SWEEP_FILES.manifest);
  if (!existsSync(file)) throw new InputError({ file: dir }, `expected a sweep directory (with ${SWEEP_FILES.manifest}), found none`);
  const source = loadYamlFile(file, 'sweep manifest');
  return validate(manifestSchema, source.data, source);
}

/**
 * Combines the journals of shard directories (`llmsim sweep --shard i/n`) into the results of the
 * whole sweep. Every shard 0..n-1 of the same sweep must be there exactly once, each complete;
 * otherwise an InputError says which shard is missing, foreign, duplicated or unfinished.
 */
export function mergeShards(dirs: readonly string[]): { manifest: SweepManifest; results: Map<number, FlatMetrics> } {
  if (dirs.length === 0) throw new InputError({ field: '<shard dirs>' }, 'expected at least one shard directory, found none');
  const manifests = dirs.map(readManifest);
  const first = manifests[0]!;
  const count = first.shard.count;
  const seen = new Map<number, string>();
  manifests.forEach((m, i) => {
    const dir = dirs[i]!;
    if (m.fingerprint !== first.fingerprint || m.shard.count !== count) {
      throw new InputError({ file: join(dir, SWEEP_FILES.manifest) }, `expected a shard of sweep ${first.fingerprint} split ${count} ways (like ${dirs[0]}), found sweep ${m.fingerprint} split ${m.shard.count} ways`);
    }
    const other = seen.get(m.shard.index);
    if (other !== undefined) throw new InputError({ file: dir }, `expected each shard once, found shard ${m.shard.index}/${count} again (also in ${other})`);
    seen.set(m.shard.index, dir);
  });
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new InputError({ field: '<shard dirs>' }, `expected all ${count} shards, found none for shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')}`);

  const results = new Map<number, FlatMetrics>();
  manifests.forEach((m, i) => {
    const file = join(dirs[i]!, SWEEP_FILES.journal);
    const journal = existsSync(file) ? readJournal(file) : undefined;
    const expected = Math.ceil((m.runs - m.shard.index) / count);
    const found = journal?.done.size ?? 0;
    if (journal && journal.header.fingerprint !== m.fingerprint) throw new InputError({ file }, `expected the journal of sweep ${m.fingerprint}, found one of ${journal.header.fingerprint}`);
    if (found !== expected) throw new InputError({ file }, `expected ${expected} finished runs in shard ${m.shard.index}/${count}, found ${found}: rerun that shard to finish it`);
    for (const [run, metrics] of journal!.done) results.set(run, metrics);
  });
  return { manifest: { ...first, shard: { index: 0, count: 1 } }, results };
}
