import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { ensureDir, writeFileAtomic } from '../metrics/atomic-write.js';
import { uniqueSlugs } from './variants.js';

/**
 * The compare output directory. Per-policy results are written by the workers into a staging
 * directory and moved into place only once every run of the comparison has succeeded, so a
 * failed compare leaves nothing behind, and the per-policy directories of an earlier compare into
 * the same directory are replaced rather than left for `llmsim report` to draw.
 */

/** File in each per-policy directory marking it as written by `llmsim compare` (holds the label). */
export const POLICY_DIR_MARKER = '.llmsim-compare';

/** Files of the compare directory itself. */
export const COMPARE_FILES = { table: 'comparison.csv', runs: 'compare.csv' } as const;

/** A fresh staging directory for per-policy results (outside the output, so a crash leaves it clean). */
export function createStaging(): string {
  return mkdtempSync(join(tmpdir(), 'llmsim-compare-'));
}

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
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .filter((name) => existsSync(join(dir, name, POLICY_DIR_MARKER)) || (listed.has(name) && existsSync(join(dir, name, 'summary.json'))))
    .sort();
}

/** Marks a staged per-policy directory as llmsim's. */
export function markPolicyDir(policyDir: string, label: string): void {
  writeFileSync(join(policyDir, POLICY_DIR_MARKER), `${label}\n`);
}

/**
 * Makes the finished comparison the content of `dir`: removes the per-policy directories of any
 * earlier compare, moves the staged ones in, and writes the two CSVs (each atomically).
 */
export function commitCompare(dir: string, staging: string, slugs: readonly string[], files: Readonly<Record<string, string>>): void {
  checkPolicyDirs(dir, slugs);
  ensureDir(dir);
  for (const old of ownPolicyDirs(dir)) rmSync(join(dir, old), { recursive: true, force: true });
  for (const slug of slugs) moveDir(join(staging, slug), join(dir, slug));
  for (const [name, text] of Object.entries(files)) writeFileAtomic(join(dir, name), (w) => w(text));
}

// A rename when the staging area is on the same file system, else a copy (EXDEV).
function moveDir(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    cpSync(from, to, { recursive: true });
    rmSync(from, { recursive: true, force: true });
  }
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
