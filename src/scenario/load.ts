import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';
import { prepareDeviceGroup, profileCache } from '../devices/registry.js';
import { findPolicy, policies } from '../policies/registry.js';
import type { PolicyDefinition } from '../policies/policy.js';
import type { SimInput } from '../simulation/simulate.js';
import { closest, formatPath, rejectNonFinite, validate } from '../util/validate.js';
import { loadYamlFile, type SourceDoc } from '../util/yaml-file.js';
import { buildWorkload } from '../workload/index.js';
import { scenarioSchema, type Scenario } from './schema.js';

/** A validated scenario file, with its policy resolved and its parameters checked. */
export interface LoadedScenario {
  readonly file: string;
  /** Directory that relative paths in the scenario are resolved from. */
  readonly baseDir: string;
  readonly source?: SourceDoc;
  readonly scenario: Scenario;
  readonly policy: PolicyDefinition<any>;
  readonly policyParams: unknown;
}

/** Reads and validates a scenario file; every problem is one InputError with file, line and field. */
export function loadScenario(file: string): LoadedScenario {
  const source = loadYamlFile(file, 'scenario file');
  return checkScenario(source.data, { file, baseDir: dirname(resolve(file)), source });
}

/** Validates scenario data (from a file or built in code, e.g. by a sweep). */
export function checkScenario(data: unknown, where: { file: string; baseDir: string; source?: SourceDoc }): LoadedScenario {
  if (where.source) rejectNonFinite(where.source, data);
  const scenario = validate(scenarioSchema, data, where.source);
  const policy = findPolicy(scenario.policy.name);
  if (!policy) {
    const pos = where.source?.locate(['policy', 'name']);
    const names = policies.map((p) => p.name);
    const guess = closest(scenario.policy.name, names);
    throw new InputError(
      { file: where.file, line: pos?.line, column: pos?.column, field: 'policy.name' },
      `unknown policy "${scenario.policy.name}"${guess ? ` (did you mean "${guess}"?)` : ''}; expected one of: ${names.join(', ')}`,
    );
  }
  const policyParams = validate(policy.params, scenario.policy.params, where.source, ['policy', 'params']);
  return { ...where, scenario, policy, policyParams };
}

/** Loads everything the scenario points at (trace, profiles) and returns the simulation's input. */
export function prepareRun(loaded: LoadedScenario): SimInput {
  const { scenario, baseDir, source } = loaded;
  const profile = profileCache();
  const cluster = scenario.cluster.devices.map((entry, i) => prepareDeviceGroup(entry, { baseDir, source, path: ['cluster', 'devices', i], profile }));
  const names = new Set<string>();
  scenario.cluster.devices.forEach((d, i) => {
    if (names.has(d.name)) {
      const field = ['cluster', 'devices', i, 'name'];
      const pos = source?.locate(field);
      throw new InputError({ file: loaded.file, line: pos?.line, column: pos?.column, field: formatPath(field) }, `expected a unique device name, found "${d.name}" twice`);
    }
    names.add(d.name);
  });
  const requests = buildWorkload(scenario.workload, { baseDir, seed: scenario.seed, specFile: loaded.file });
  return { requests, cluster, policy: loaded.policy, policyParams: loaded.policyParams, seed: scenario.seed };
}

/** The scenario with every default filled in, as YAML: what was actually run. */
export function resolvedScenarioText(loaded: LoadedScenario): string {
  const scenario = { ...loaded.scenario, policy: { name: loaded.scenario.policy.name, params: loaded.policyParams } };
  return stringify(scenario, { sortMapEntries: false, lineWidth: 0 });
}
