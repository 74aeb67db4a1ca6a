import { summarize, type Summary } from '../metrics/summary.js';
import type { SimResult } from '../simulation/result.js';
import { simulate, type SimInput } from '../simulation/simulate.js';
import { prepareRun, withScenarioLine, type LoadedScenario } from './load.js';
import type { Profile } from '../profiles/schema.js';

/** Options of `runScenario`. */
export interface RunScenarioOptions {
  /** Summary name (default: the scenario's name). */
  readonly name?: string;
  /** Called as each stage ends, so a caller can time it (bench) while the pipeline reads no clock. */
  readonly onStage?: (stage: 'prepared' | 'simulated') => void;
  /** Loads the profiles the scenario names (absolute paths); default: read and cache each file. Calibration passes profiles held in memory. */
  readonly profiles?: (file: string) => Profile;
}

/** One run's input, result and summary. */
export interface ScenarioRun {
  readonly input: SimInput;
  readonly result: SimResult;
  readonly summary: Summary;
}

/**
 * The one run pipeline (load files, simulate, summarize against the scenario's SLO) shared by
 * `llmsim run`, sweep and compare workers, the golden tests and the bench, so they cannot drift
 * apart. Reads the files the scenario names; writing and printing stay with the caller.
 */
export function runScenario(loaded: LoadedScenario, options: RunScenarioOptions = {}): ScenarioRun {
  const input = prepareRun(loaded, options.profiles);
  options.onStage?.('prepared');
  // Policies raise their input errors while the simulation runs, knowing no file: name the scenario's.
  const result = withScenarioLine(loaded, () => simulate(input), 'policy.params');
  options.onStage?.('simulated');
  const summary = summarize(result, { slo: loaded.scenario.slo, name: options.name ?? loaded.scenario.name, classes: loaded.scenario.classes });
  return { input, result, summary };
}
