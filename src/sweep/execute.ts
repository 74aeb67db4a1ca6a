import { InputError, formatInputError, type InputLocation } from '../errors.js';
import { writeResults } from '../metrics/write.js';
import { checkScenario, resolvedScenarioText } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';
import { flattenSummary, type FlatMetrics } from './metrics.js';

/** One simulation to run in a worker: raw scenario data plus where its relative paths start. */
export interface RunTask {
  readonly file: string;
  readonly baseDir: string;
  /** Scenario data (validated again in the worker: zod output does not cross threads intact). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Summary name (default: the scenario name). */
  readonly name?: string;
  /** Also write requests.csv, summary.json and scenario.yaml here (compare does, for reports). */
  readonly writeDir?: string;
}

/** What a worker sends back: flat metrics, or an error as plain data (class identity is lost across threads). */
export type RunOutcome =
  | { readonly ok: true; readonly metrics: FlatMetrics }
  | { readonly ok: false; readonly input: boolean; readonly location?: InputLocation; readonly message: string; readonly stack?: string };

/** Validates the task's scenario and runs it as `llmsim run` does (runScenario); never throws. */
export function executeRun(task: RunTask): RunOutcome {
  try {
    const loaded = checkScenario(task.data, { file: task.file, baseDir: task.baseDir });
    const { result, summary } = runScenario(loaded, { name: task.name });
    if (task.writeDir !== undefined) writeResults(task.writeDir, { result, summary, scenarioText: resolvedScenarioText(loaded, task.writeDir) });
    return { ok: true, metrics: flattenSummary(summary) };
  } catch (err) {
    if (err instanceof InputError) {
      return { ok: false, input: true, location: err.location, message: err.message.slice(formatInputError(err.location, '').length) };
    }
    const e = err as Error;
    return { ok: false, input: false, message: e?.message ?? String(err), stack: e?.stack };
  }
}
