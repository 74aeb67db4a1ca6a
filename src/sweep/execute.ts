import { InputError, formatInputError, type InputLocation } from '../errors.js';
import { errnoCode } from '../output/errors.js';
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
  /** Where those files will finally live, if not in writeDir (a staging directory): scenario.yaml's relative paths start there. */
  readonly resultsDir?: string;
}

/** A failed file-system call, as plain data: the main thread names the output directory in its message. */
export interface SystemErrorData {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
  readonly message: string;
}

/** What a worker sends back: flat metrics, or an error as plain data (class identity is lost across threads). */
export type RunOutcome =
  | { readonly ok: true; readonly metrics: FlatMetrics }
  | {
      readonly ok: false;
      readonly input: boolean;
      readonly location?: InputLocation;
      readonly message: string;
      readonly stack?: string;
      /** Set when writing results failed in the file system (a full disk, ...). */
      readonly system?: SystemErrorData;
    };

/** Validates the task's scenario and runs it as `llmsim run` does (runScenario); never throws. */
export function executeRun(task: RunTask): RunOutcome {
  try {
    const loaded = checkScenario(task.data, { file: task.file, baseDir: task.baseDir });
    const { result, summary } = runScenario(loaded, { name: task.name });
    if (task.writeDir !== undefined) {
      try {
        writeResults(task.writeDir, { result, summary, scenarioText: resolvedScenarioText(loaded, task.resultsDir ?? task.writeDir) });
      } catch (err) {
        const sys = (err instanceof InputError ? err.cause : err) as NodeJS.ErrnoException;
        const code = errnoCode(sys);
        if (code === undefined) throw err;
        return { ok: false, input: false, message: sys.message, system: { code, syscall: sys.syscall, path: sys.path, message: sys.message } };
      }
    }
    return { ok: true, metrics: flattenSummary(summary) };
  } catch (err) {
    if (err instanceof InputError) {
      return { ok: false, input: true, location: err.location, message: err.message.slice(formatInputError(err.location, '').length) };
    }
    const e = err as Error;
    return { ok: false, input: false, message: e?.message ?? String(err), stack: e?.stack };
  }
}
