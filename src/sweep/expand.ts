import { createHash } from 'node:crypto';
import { InputError, formatInputError } from '../errors.js';
import { checkScenario, type LoadedScenario } from '../scenario/load.js';
import { formatPath } from '../util/validate.js';
import { parseFieldPath, PathError, setAtPath } from './path.js';
import { MAX_SWEEP_POINTS, MAX_SWEEP_RUNS } from '../limits.js';

/** One combination of grid values, as raw scenario data ready to validate and run. */
export interface SweepPoint {
  readonly index: number;
  /** Values in the order of SweepPlan.params. */
  readonly values: readonly unknown[];
  /** The scenario data (without its `sweep:` block) with these values set. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** A sweep fully expanded and validated: grid points x seeds. */
export interface SweepPlan {
  /** Scenario name. */
  readonly name: string;
  readonly file: string;
  readonly baseDir: string;
  /** Swept field paths, in the order of the grid block. */
  readonly params: readonly string[];
  readonly points: readonly SweepPoint[];
  /** Seed of each replication; every point runs with each. */
  readonly seeds: readonly number[];
  /** Confidence level of the aggregated intervals. */
  readonly level: number;
  /** points x seeds; run r is point floor(r / seeds), replication r mod seeds. */
  readonly runs: number;
  /** Hash of everything that determines the results: shards and journals must agree on it. */
  readonly fingerprint: string;
}

/** Where one run sits in the plan. */
export interface SweepRun {
  readonly run: number;
  readonly point: number;
  readonly replicate: number;
  readonly seed: number;
}

/** Point, replication and seed of run `run`. */
export function runOf(plan: SweepPlan, run: number): SweepRun {
  const n = plan.seeds.length;
  const replicate = run % n;
  return { run, point: (run - replicate) / n, replicate, seed: plan.seeds[replicate]! };
}

/** The scenario data of run `run`: its point's data with its seed. */
export function runData(plan: SweepPlan, run: number): Record<string, unknown> {
  const r = runOf(plan, run);
  return { ...plan.points[r.point]!.data, seed: r.seed };
}

/**
 * Expands a loaded scenario's `sweep:` block into every grid point (cartesian product, the last
 * path varying fastest) and validates each one with checkScenario before anything runs; an error
 * names the scenario file, the grid entry's line, the point and the field.
 */
export function planSweep(loaded: LoadedScenario): SweepPlan {
  const { file, baseDir, source, scenario } = loaded;
  const locate = (path: readonly PropertyKey[], key?: string) => {
    const pos = source?.locate(path, key);
    return { file, line: pos?.line, column: pos?.column };
  };
  const sweep = scenario.sweep;
  if (!sweep) throw new InputError({ ...locate([]), field: 'sweep' }, 'expected a sweep: block (grid and/or seeds), found none');
  const params = Object.keys(sweep.grid);
  const paths = params.map((p) => {
    const path = parseFieldPath(p);
    if (path[0] === 'seed' || path[0] === 'sweep') {
      throw new InputError({ ...locate(['sweep', 'grid'], p), field: `sweep.grid.${p}` }, `expected a scenario field other than ${path[0]}, found "${p}"${path[0] === 'seed' ? ' (use sweep.seeds for replications)' : ''}`);
    }
    return path;
  });
  const lists = params.map((p) => sweep.grid[p]!);
  const pointCount = lists.reduce((n, l) => n * l.length, 1);
  const seeds = typeof sweep.seeds === 'number' ? Array.from({ length: sweep.seeds }, (_, k) => scenario.seed + k) : [...sweep.seeds];
  const runs = pointCount * seeds.length;
  if (pointCount > MAX_SWEEP_POINTS) throw new InputError({ ...locate(['sweep', 'grid']), field: 'sweep.grid' }, `expected at most ${MAX_SWEEP_POINTS} grid points, found ${lists.map((l) => l.length).join(' x ')} = ${pointCount}`);
  if (runs > MAX_SWEEP_RUNS) throw new InputError({ ...locate(['sweep']), field: 'sweep' }, `expected at most ${MAX_SWEEP_RUNS} runs, found ${pointCount} points x ${seeds.length} seeds = ${runs}`);
  if (seeds.some((s) => s > 2 ** 32 - 1)) throw new InputError({ ...locate(['sweep', 'seeds']), field: 'sweep.seeds' }, `expected seeds <= ${2 ** 32 - 1}, found seed + ${seeds.length - 1} = ${seeds.at(-1)}`);

  const { sweep: _omit, ...base } = source!.data as Record<string, unknown>;
  // A file without a policy block runs the default policy: sweeping policy.params.* sets that
  // policy's parameters (as docs/workflow.md says), rather than creating a policy without a name.
  const start = base.policy === undefined && paths.some((p) => p[0] === 'policy' && p[1] !== 'name') ? { ...base, policy: { name: scenario.policy.name } } : base;
  const points: SweepPoint[] = [];
  for (let index = 0; index < pointCount; index++) {
    const values = digits(index, lists.map((l) => l.length)).map((d, i) => lists[i]![d]);
    let data: Record<string, unknown> = start;
    values.forEach((v, i) => {
      try {
        data = setAtPath(data, paths[i]!, v) as Record<string, unknown>;
      } catch (err) {
        if (!(err instanceof PathError)) throw err;
        throw new InputError({ ...locate(['sweep', 'grid'], params[i]), field: `sweep.grid.${params[i]}` }, `cannot set ${formatPath(err.at) || 'the scenario'}: ${err.message}`);
      }
    });
    // Seeds only change random streams, never validity: one check per point suffices.
    checkPoint({ ...data, seed: seeds[0]! }, index, params, values, loaded, locate);
    points.push({ index, values, data });
  }
  const fingerprint = createHash('sha256').update(JSON.stringify({ base, params, values: points.map((p) => p.values), seeds, level: sweep.level })).digest('hex').slice(0, 16);
  return { name: scenario.name, file, baseDir, params, points, seeds, level: sweep.level, runs, fingerprint };
}

/** A point's values for people: `workload.rateScale=2, policy.params.routing="least-loaded"`. */
export function describePoint(params: readonly string[], values: readonly unknown[]): string {
  return params.map((p, i) => `${p}=${JSON.stringify(values[i])}`).join(', ');
}

// Whether the scenario file itself writes `field` (or the block holding it).
function source(loaded: LoadedScenario, field: string): boolean {
  let cur: unknown = loaded.source?.data;
  for (const p of field.split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== '')) {
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur !== undefined;
}

// Mixed-radix digits of `index`, the last position varying fastest.
function digits(index: number, radices: readonly number[]): number[] {
  const out = new Array<number>(radices.length);
  for (let i = radices.length - 1; i >= 0; i--) {
    out[i] = index % radices[i]!;
    index = Math.floor(index / radices[i]!);
  }
  return out;
}

function checkPoint(
  data: Record<string, unknown>,
  index: number,
  params: readonly string[],
  values: readonly unknown[],
  loaded: LoadedScenario,
  locate: (path: readonly PropertyKey[], key?: string) => { file: string; line?: number; column?: number },
): void {
  try {
    checkScenario(data, { file: loaded.file, baseDir: loaded.baseDir });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const field = err.location.field ?? '';
    const message = err.message.slice(formatInputError(err.location, '').length);
    // Point at the grid entry that set the bad value if there is one, else at the field itself.
    const top = (p: string) => p.split(/[.[]/)[0];
    // The grid entry that set the bad value; else one that made the block the field is in.
    const swept =
      params.find((p) => field === p || field.startsWith(`${p}.`) || field.startsWith(`${p}[`) || p.startsWith(`${field}.`)) ??
      (source(loaded, field) ? undefined : params.find((p) => top(p) === top(field)));
    let where = swept !== undefined ? locate(['sweep', 'grid'], swept) : { file: loaded.file };
    if (swept === undefined) {
      try {
        where = locate(parseFieldPath(field));
      } catch {
        // A field path the parser cannot split (odd record keys): the file alone is still right.
      }
    }
    throw new InputError({ ...where, field: field || undefined }, `in sweep point ${index} (${describePoint(params, values)}): ${message}`);
  }
}
