import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../metrics/atomic-write.js';
import { isInternalEntry } from '../output/dir.js';
import { uniqueSlugs } from './variants.js';

/**
 * The compare output directory. Per-policy results are written by the workers into a staging
 * directory beside it, and the whole comparison replaces the earlier one only once every run has
 * succeeded (src/output/dir.ts), so a failed or killed compare leaves the directory as it was,
 * and the per-policy directories of an earlier compare are replaced rather than left for
 * `llmsim report` to draw. The user's own files there are kept.
 */

/** File in each per-policy directory marking it as written by `llmsim compare` (holds the label). */
export const POLICY_DIR_MARKER = '.llmsim-compare';

/** Files of the compare directory itself. */
export const COMPARE_FILES = { table: 'comparison.csv', runs: 'compare.csv' } as const;

/**
 * Refuses, before anything runs, a directory in the way of a per-policy result that llmsim did
 * not write: it may be the user's, and is never overwritten or deleted.
 */
export function checkPolicyDirs(dir: string, slugs: readonly string[]): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new InputError({ file: dir }, 'expected a directory for the compare output (--out), found a file');
  const ours = new Set(ownPolicyDirs(dir));
  for (const slug of slugs) {
    if (existsSync(join(dir, slug)) && !ours.has(slug)) {
      throw new InputError({ file: join(dir, slug) }, `expected no file or directory there but llmsim compare results (none has ${POLICY_DIR_MARKER}), found one: move it or choose another --out`);
    }
  }
}

/**
 * The per-policy directories of earlier compares in `dir`: those holding the marker, and (for
 * compares from before the marker) those named after a policy of the previous comparison.csv
 * that hold a summary.json. Nothing else in `dir` is ever touched.
 */
export function ownPolicyDirs(dir: string): string[] {
  const listed = new Set(uniqueSlugs(previousLabels(join(dir, COMPARE_FILES.table))));
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !isInternalEntry(e.name))
    .map((e) => e.name)
    .filter((name) => existsSync(join(dir, name, POLICY_DIR_MARKER)) || (listed.has(name) && existsSync(join(dir, name, 'summary.json'))))
    .sort();
}

/**
 * Completes a staged comparison: marks each per-policy directory as llmsim's (holding its label)
 * and writes the compare directory's own files.
 */
export function stageCompare(staging: string, slugs: readonly string[], labels: readonly string[], files: Readonly<Record<string, string>>): void {
  slugs.forEach((slug, p) => writeFileAtomic(join(staging, slug, POLICY_DIR_MARKER), (w) => w(`${labels[p]}\n`)));
  for (const [name, text] of Object.entries(files)) writeFileAtomic(join(staging, name), (w) => w(text));
}

/** The entries of `dir` that an earlier compare wrote (replaced by the next one); none if it does not exist. */
export function previousCompare(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return [...ownPolicyDirs(dir), ...Object.values(COMPARE_FILES)];
}

// Policy labels of an earlier comparison.csv (column 2), in order of first appearance; none if unreadable.
function previousLabels(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    const rows = parse(readFileSync(file, 'utf8'), { relax_column_count: true }) as string[][];
    if (rows[0]?.[1] !== 'policy') return [];
    return [...new Set(rows.slice(1).map((r) => r[1] ?? '').filter((l) => l !== ''))];
  } catch {
    return [];
  }
}
