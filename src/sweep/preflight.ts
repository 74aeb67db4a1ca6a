import { InputError, formatInputError, type InputLocation } from '../errors.js';
import { checkScenario, prepareRun, type LoadedScenario } from '../scenario/load.js';
import { describePoint, runData, type SweepPlan } from './expand.js';
import { parseFieldPath } from './path.js';

/**
 * Scenario fields that name a file or say how one is read (trace and length-sample `path` and
 * `format`, device `profile`, edge-pipeline `model`): sweeping one can break a run that planSweep's
 * validation cannot see, since the file is only opened when the run is prepared.
 */
const FILE_KEYS = new Set(['path', 'format', 'profile', 'model', 'file']);

/**
 * The grid points a sweep loads before it starts: the first point, and the first point of each
 * other combination of file-bearing values (a swept file field, or a swept mapping or list, which
 * may hold one). Every other point reads the same files as one of these, so this finds a missing
 * profile or a broken trace at any point while loading each file set once.
 */
export function preflightPoints(plan: SweepPlan): number[] {
  const fileParams = fileBearingParams(plan);
  const seen = new Set<string>();
  const out: number[] = [];
  for (const point of plan.points) {
    const key = JSON.stringify(fileParams.map((i) => point.values[i]));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(point.index);
  }
  return out;
}

/**
 * Prepares (loads trace and profiles, builds the workload) the points of preflightPoints in this
 * thread, before any output is written or any worker starts, so a problem reads as `llmsim run`
 * reports it: a problem of the scenario itself exactly so; one of a swept file with the point.
 */
export function preflightSweep(plan: SweepPlan, loaded: LoadedScenario): void {
  const swept = fileBearingParams(plan).length > 0;
  for (const index of preflightPoints(plan)) {
    try {
      prepareRun(checkScenario(runData(plan, index * plan.seeds.length), { file: loaded.file, baseDir: loaded.baseDir, source: loaded.source }));
    } catch (err) {
      if (!(err instanceof InputError) || !swept) throw err;
      const message = err.message.slice(formatInputError(err.location, '').length);
      throw new InputError(gridLocation(err.location, plan, loaded), `in sweep point ${index} (${describePoint(plan.params, plan.points[index]!.values)}): ${message}`);
    }
  }
}

// A problem at a swept field of the scenario is shown at the grid entry that set the value.
function gridLocation(loc: InputLocation, plan: SweepPlan, loaded: LoadedScenario): InputLocation {
  const field = loc.field ?? '';
  const swept = loc.file === loaded.file ? plan.params.find((p) => field === p || field.startsWith(`${p}.`) || field.startsWith(`${p}[`)) : undefined;
  const pos = swept === undefined ? undefined : loaded.source?.locate(['sweep', 'grid'], swept);
  return pos === undefined ? loc : { ...loc, line: pos.line, column: pos.column };
}

function fileBearingParams(plan: SweepPlan): number[] {
  const out: number[] = [];
  plan.params.forEach((p, i) => {
    const last = parseFieldPath(p).at(-1);
    const structured = plan.points.some((pt) => typeof pt.values[i] === 'object' && pt.values[i] !== null);
    if (structured || (typeof last === 'string' && FILE_KEYS.has(last))) out.push(i);
  });
  return out;
}
