import { statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';
import { profileCache } from '../devices/kinds/prepare.js';
import type { Profile } from '../profiles/schema.js';
import { deviceFileFields, prepareDeviceGroup } from '../devices/registry.js';
import { isProfileName } from '../profiles/catalog.js';
import { findPolicy, policies } from '../policies/registry.js';
import type { PolicyDefinition } from '../policies/policy.js';
import type { PreparedDeviceGroup, SimInput } from '../simulation/simulate.js';
import type { DisaggregationSpec } from '../disaggregation/schema.js';
import { closest, errorAt, rejectNonFinite, validate } from '../util/validate.js';
import { loadYamlFile, type SourceDoc } from '../util/yaml-file.js';
import { buildWorkload } from '../workload/index.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { checkFleetGroups, fleetFileFields, prepareFleet } from '../fleet/prepare.js';

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
  if (source.data === null || source.data === undefined) throw new InputError({ file }, 'expected a scenario (a YAML mapping with name, workload, cluster, ...), found an empty file');
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
      `unknown policy "${scenario.policy.name}"${guess ? ` (did you mean "${guess}"?)` : ''}; expected one of: ${names.join(', ')}, found "${scenario.policy.name}"`,
    );
  }
  const policyParams = validate(policy.params, scenario.policy.params, where.source, ['policy', 'params']);
  return { ...where, scenario, policy, policyParams };
}

/** Loads everything the scenario points at (trace, profiles) and returns the simulation's input. */
export function prepareRun(loaded: LoadedScenario, profiles: (file: string) => Profile = profileCache()): SimInput {
  const { scenario, baseDir } = loaded;
  const prepared = prepareCluster(loaded, profiles);
  const requests = withScenarioLine(loaded, () => buildWorkload(scenario.workload, { baseDir, seed: scenario.seed, specFile: loaded.file }));
  return { requests, ...prepared };
}

/** `prepareRun` but the workload: file checks, device names and groups (a streamed run reads its workload as it goes). */
export function prepareCluster(loaded: LoadedScenario, profiles: (file: string) => Profile = profileCache()): Omit<SimInput, 'requests'> {
  const { scenario, baseDir, source } = loaded;
  // A missing file is reported at the scenario line that names it, not only by its path.
  for (const { path, value } of fileFields(scenario)) {
    const file = resolve(baseDir, value);
    if (!isFile(file)) throw errorAt(source, loaded.file, path, `expected an existing file, found none at ${file}`);
  }
  const names = new Set<string>();
  scenario.cluster.devices.forEach((d, i) => {
    if (names.has(d.name)) throw errorAt(source, loaded.file, ['cluster', 'devices', i, 'name'], `expected a unique device name, found "${d.name}" twice`);
    names.add(d.name);
  });
  const fleetEnv = { file: loaded.file, baseDir, source, slo: scenario.slo };
  checkFleetGroups(scenario.fleet, [...names], fleetEnv);
  const powerCap = (name: string) => scenario.fleet?.groups[name]?.powerCap;
  const cluster = scenario.cluster.devices.map((entry, i) =>
    prepareDeviceGroup(entry, { baseDir, source, path: ['cluster', 'devices', i], profile: profiles, ...(powerCap(entry.name) && { powerCap: powerCap(entry.name) }) }),
  );
  const fleet = scenario.fleet && prepareFleet(scenario.fleet, cluster, fleetEnv);
  const disaggregation = checkDisaggregation(loaded, cluster);
  return { cluster, policy: loaded.policy, policyParams: loaded.policyParams, seed: scenario.seed, maxConcurrency: scenario.workload.maxConcurrency, classes: scenario.classes, admission: scenario.admission, ...(fleet && { fleet }), ...(disaggregation && { disaggregation }) };
}

/**
 * Scenario fields that name files, with their values as written (relative to the scenario). A
 * device `profile` that names a shipped profile is not a path: it is left out (not checked here,
 * not rebased), and resolved, or reported as unknown, when its device is prepared.
 */
export function fileFields(scenario: Scenario): { path: PropertyKey[]; value: string }[] {
  const out: { path: PropertyKey[]; value: string }[] = [];
  const w = scenario.workload;
  if (w.trace) out.push({ path: ['workload', 'trace', 'path'], value: w.trace.path });
  for (const part of ['prompt', 'output'] as const) {
    const dist = w.synthetic?.[part];
    if (dist && dist.dist === 'empirical') out.push({ path: ['workload', 'synthetic', part, 'path'], value: dist.path });
  }
  scenario.cluster.devices.forEach((d, i) => {
    for (const { field, value } of deviceFileFields(d)) {
      if (field !== 'profile' || !isProfileName(value)) out.push({ path: ['cluster', 'devices', i, field], value });
    }
  });
  out.push(...fleetFileFields(scenario.fleet));
  return out;
}

/**
 * P/D: a `disaggregation` block needs prefill and decode groups, every group with a role, a decode
 * group for every model a prefill group serves, and KV bytes per token (block or profile).
 */
function checkDisaggregation(loaded: LoadedScenario, cluster: readonly PreparedDeviceGroup[]): DisaggregationSpec | undefined {
  const { scenario, source, file } = loaded;
  const pd = scenario.cluster.disaggregation;
  const at = (i: number, field: string) => ['cluster', 'devices', i, field];
  if (!pd) {
    const i = cluster.findIndex((g) => g.role !== undefined);
    if (i >= 0) throw errorAt(source, file, at(i, 'role'), `expected cluster.disaggregation (the link KV moves over) with a role, found none`);
    return undefined;
  }
  const where = ['cluster', 'disaggregation'];
  cluster.forEach((g, i) => {
    if (g.role === undefined) throw errorAt(source, file, at(i, 'kind'), `expected every group of a disaggregated cluster to be continuous-batching with role prefill or decode, found ${g.kind} "${g.name}" without a role`);
  });
  for (const role of ['prefill', 'decode'] as const) {
    if (!cluster.some((g) => g.role === role)) throw errorAt(source, file, where, `expected a device group with role ${role}, found none`);
  }
  cluster.forEach((g, i) => {
    if (g.role === 'prefill' && !cluster.some((d) => d.role === 'decode' && d.model === g.model)) {
      throw errorAt(source, file, at(i, 'role'), `expected a decode group serving model "${g.model}" for prefill group "${g.name}", found none`);
    }
    if (g.role === 'prefill' && pd.kvBytesPerToken === undefined && g.kvBytesPerToken === undefined) {
      throw errorAt(source, file, [...where, 'link'], `expected cluster.disaggregation.kvBytesPerToken: the profile of prefill group "${g.name}" gives no KV bytes per token, found none`);
    }
  });
  return pd;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Errors about a scenario field that came without a line (from the workload builder) get one.
 * With `orphanField`, an InputError that names no file at all (a policy's, raised while the
 * simulation runs: it knows its parameters, not where they were written) is put in the scenario
 * file, at its own field or else at `orphanField`.
 */
export function withScenarioLine<T>(loaded: LoadedScenario, build: () => T, orphanField?: string): T {
  try {
    return build();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    let loc = err.location;
    if (loc.file === undefined && orphanField !== undefined) loc = { file: loaded.file, field: loc.field ?? orphanField };
    if (loc.file !== loaded.file || loc.line !== undefined || !loc.field) throw loc === err.location ? err : new InputError(loc, err.detail);
    const path = loc.field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    throw errorAt(loaded.source, loaded.file, path, err.detail);
  }
}

/**
 * The scenario with every default filled in, as YAML: what was actually run. File paths are
 * rewritten relative to `outDir`, where the text is written, so the copy runs as it stands.
 */
export function resolvedScenarioText(loaded: LoadedScenario, outDir?: string): string {
  const scenario = structuredClone({ ...loaded.scenario, policy: { name: loaded.scenario.policy.name, params: loaded.policyParams } }) as Record<string, unknown>;
  if (outDir !== undefined) {
    for (const { path, value } of fileFields(loaded.scenario)) {
      const rebased = relative(outDir, resolve(loaded.baseDir, value)).split(sep).join('/');
      setAt(scenario, path, rebased);
    }
  }
  return stringify(scenario, { sortMapEntries: false, lineWidth: 0 });
}

function setAt(root: Record<string, unknown>, path: readonly PropertyKey[], value: unknown): void {
  let cur = root as Record<PropertyKey, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<PropertyKey, unknown>;
  cur[path[path.length - 1]!] = value;
}
