/** Shared helpers of scripts/paper-tables.ts: run one grid point, aggregate over seeds, print markdown. */
import { resolve } from 'node:path';
import { meanConfidenceInterval } from '../../src/metrics/stats.js';
import type { Summary } from '../../src/metrics/summary.js';
import { checkScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { loadYamlFile } from '../../src/util/yaml-file.js';

export const SCENARIOS = resolve(import.meta.dirname, '../../scenarios');

/** Scenario data as written in scenarios/<name>, to be edited per grid point. */
export function scenarioData(name: string): Record<string, any> {
  return loadYamlFile(resolve(SCENARIOS, name), 'scenario file').data as Record<string, any>;
}

/** One grid point: `data` with `edit` applied and the seed set, validated, simulated, summarized. */
export function runPoint(data: Record<string, any>, seed: number, edit: (d: any) => void = () => {}): Summary {
  const copy = structuredClone(data);
  edit(copy);
  copy.seed = seed;
  return runScenario(checkScenario(copy, { file: `${copy.name}.yaml`, baseDir: SCENARIOS })).summary;
}

/** Mean runtime (service time) of finished requests: e2e minus queueing, averaged. */
export const runtimeS = (s: Summary): number => s.latency.e2eS.mean! - s.latency.queueingDelayS.mean!;

/**
 * Runs `point(seed)` for every seed and reduces each named figure to "mean ± half-width" (95%
 * Student t over seeds; just the mean for one seed).
 */
export function overSeeds(seeds: readonly number[], point: (seed: number) => Record<string, number>, digits = 4): Record<string, string> {
  const samples = seeds.map(point);
  const out: Record<string, string> = {};
  for (const key of Object.keys(samples[0]!)) {
    const values = samples.map((s) => s[key]!);
    const ci = meanConfidenceInterval(values, 0.95);
    // Identical values across seeds leave only rounding noise in the width: show it as 0.
    const half = ci.halfWidth < 1e-9 * Math.max(1, Math.abs(ci.mean)) ? 0 : ci.halfWidth;
    out[key] = seeds.length > 1 ? `${show(ci.mean, digits)} ± ${show(half, 2)}` : show(ci.mean, digits);
  }
  return out;
}

/** A number with `digits` significant digits, integers in full. */
export function show(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return '-';
  return Math.abs(x) >= 10 ** digits ? x.toFixed(0) : String(Number(x.toPrecision(digits)));
}

/** A markdown table. */
export function markdown(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
