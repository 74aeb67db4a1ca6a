import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '../metrics/atomic-write.js';
import { csvField } from '../metrics/requests-csv.js';
import { roundOrNull } from '../metrics/round.js';
import { meanConfidenceInterval } from '../metrics/stats.js';
import type { SweepPlan } from './expand.js';
import type { FlatMetrics } from './metrics.js';

/**
 * What a sweep directory says about itself (sweep.json): enough to merge shards and to label
 * rows without the scenario file, which may live on another machine.
 */
export interface SweepManifest {
  readonly name: string;
  readonly fingerprint: string;
  readonly runs: number;
  readonly params: readonly string[];
  /** Values of each grid point, in the order of `params`. */
  readonly pointValues: readonly (readonly unknown[])[];
  readonly seeds: readonly number[];
  readonly level: number;
  /** Which slice of the runs this directory holds; 0/1 = all of them (also after a merge). */
  readonly shard: { readonly index: number; readonly count: number };
}

/** File names in a sweep directory. */
export const SWEEP_FILES = { manifest: 'sweep.json', journal: 'journal.jsonl', runs: 'runs.csv', points: 'points.csv' } as const;

/** The manifest of `plan` (or of one shard of it). */
export function manifestOf(plan: SweepPlan, shard = { index: 0, count: 1 }): SweepManifest {
  return {
    name: plan.name,
    fingerprint: plan.fingerprint,
    runs: plan.runs,
    params: plan.params,
    pointValues: plan.points.map((p) => p.values),
    seeds: plan.seeds,
    level: plan.level,
    shard,
  };
}

/** Writes sweep.json (atomically; 2-space JSON, trailing newline). */
export function writeManifest(dir: string, manifest: SweepManifest): void {
  ensureDir(dir);
  writeFileAtomic(join(dir, SWEEP_FILES.manifest), (w) => w(`${JSON.stringify(manifest, null, 2)}\n`));
}

/**
 * Writes runs.csv (one row per run, sorted by run index) and, when the directory holds the whole
 * sweep, points.csv (one row per grid point: mean and confidence interval of each metric over its
 * seeds). Both depend only on the set of results, never on the order runs finished in, so any
 * -j, an interrupted-and-resumed sweep and merged shards give the same bytes.
 */
export function writeSweepCsvs(dir: string, manifest: SweepManifest, results: ReadonlyMap<number, FlatMetrics>): string[] {
  ensureDir(dir);
  const runs = [...results.keys()].sort((a, b) => a - b);
  const metrics = metricNames(runs.map((r) => results.get(r)!));
  const nSeeds = manifest.seeds.length;
  const runsFile = join(dir, SWEEP_FILES.runs);
  writeFileAtomic(runsFile, (write) => {
    write(`${['run', 'point', 'replicate', 'seed', ...manifest.params, ...metrics].map(csvField).join(',')}\n`);
    for (const r of runs) {
      const replicate = r % nSeeds;
      const point = (r - replicate) / nSeeds;
      const m = results.get(r)!;
      write(`${[r, point, replicate, manifest.seeds[replicate]!].join(',')},${manifest.pointValues[point]!.map(csvValue).concat(metrics.map((k) => csvValue(m[k]))).join(',')}\n`);
    }
  });
  const written = [runsFile];
  if (manifest.shard.count === 1) {
    const pointsFile = join(dir, SWEEP_FILES.points);
    writeFileAtomic(pointsFile, (write) => writePoints(write, manifest, metrics, runs, results));
    written.push(pointsFile);
  }
  return written;
}

function writePoints(write: (text: string) => void, manifest: SweepManifest, metrics: readonly string[], runs: readonly number[], results: ReadonlyMap<number, FlatMetrics>): void {
  const stats = metrics.flatMap((k) => [`${k}.mean`, `${k}.low`, `${k}.high`]);
  write(`${['point', ...manifest.params, 'runs', ...stats].map(csvField).join(',')}\n`);
  const nSeeds = manifest.seeds.length;
  let i = 0;
  while (i < runs.length) {
    const point = Math.floor(runs[i]! / nSeeds);
    const members: FlatMetrics[] = [];
    for (; i < runs.length && Math.floor(runs[i]! / nSeeds) === point; i++) members.push(results.get(runs[i]!)!);
    const cells: string[] = [];
    for (const k of metrics) {
      const values = members.map((m) => m[k]).filter((v): v is number => typeof v === 'number');
      if (values.length === 0) {
        cells.push('', '', '');
        continue;
      }
      const ci = meanConfidenceInterval(values, manifest.level);
      cells.push(csvValue(roundOrNull(ci.mean)), csvValue(roundOrNull(ci.low)), csvValue(roundOrNull(ci.high)));
    }
    write(`${[String(point), ...manifest.pointValues[point]!.map(csvValue), String(members.length), ...cells].join(',')}\n`);
  }
}

/** Metric columns: every name any run has, in first-seen order over runs sorted by index. */
function metricNames(rows: readonly FlatMetrics[]): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) names.add(k);
  return [...names];
}

/** A CSV cell: numbers as JS prints them, text quoted when needed, lists and mappings as JSON. */
export function csvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'string') return csvField(v);
  if (typeof v === 'boolean') return String(v);
  return csvField(JSON.stringify(v));
}
