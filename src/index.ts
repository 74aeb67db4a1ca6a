/**
 * llmsim as a library: `import { loadScenario, simulate, summarize } from 'llmsim'`.
 *
 *     const loaded = loadScenario('scenarios/quickstart.yaml');
 *     const result = simulate(loaded);                     // pure: no files written
 *     const summary = summarize(result, { slo: loaded.scenario.slo, name: loaded.scenario.name });
 *
 * The same pipeline as `llmsim run` (which also writes results/<name>/). Problems with the inputs
 * throw `InputError` (its `message` is the one line the CLI prints); anything else is a bug.
 */
import { prepareRun, withScenarioLine, type LoadedScenario } from './scenario/load.js';
import type { SimResult } from './simulation/result.js';
import { simulate as simulatePrepared, type SimInput } from './simulation/simulate.js';

export { loadScenario, checkScenario, prepareRun, type LoadedScenario } from './scenario/load.js';
export { runScenario, type ScenarioRun, type RunScenarioOptions } from './scenario/run.js';
export { summarize, type Summary, type SummaryOptions } from './metrics/summary.js';
export { formatSummaryTable, summaryMarkdown } from './metrics/table.js';
export { vllmBenchResult, offeredRate, type VllmBenchOptions } from './metrics/vllm-bench.js';
export { loadTrace, parseTrace, type TraceOptions } from './workload/load-trace.js';
export { InputError, type InputLocation } from './errors.js';
/** Policies that solve LPs (wilkins-offline) load their solver first: `await loadPolicies(['wilkins-offline'])`. */
export { loadPolicies } from './policies/registry.js';
export type { Scenario } from './scenario/schema.js';
export type { SimInput, PreparedDeviceGroup } from './simulation/simulate.js';
export type { SimResult } from './simulation/result.js';
export type { Request } from './workload/request.js';
export type { Distribution } from './metrics/distribution.js';

/**
 * Runs one simulation to completion: from a loaded scenario (its trace and profiles are read
 * first, as `llmsim run` does) or from a prepared `SimInput`. Same input and seed, same result.
 */
export function simulate(input: LoadedScenario | SimInput): SimResult {
  if (!('scenario' in input)) return simulatePrepared(input);
  const prepared = prepareRun(input);
  // Policies raise their input errors while the simulation runs, knowing no file: name the scenario's.
  return withScenarioLine(input, () => simulatePrepared(prepared), 'policy.params');
}
