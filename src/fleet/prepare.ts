/**
 * From the scenario's `fleet:` block to what simulate() runs with: group names checked, carbon
 * series loaded, provisioning delays computed (boot + weights / storage bandwidth).
 */
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { PACKAGE_ROOT } from '../profiles/catalog.js';
import { loadArchitecture, weightBytes } from '../profiles/architecture.js';
import type { PreparedDeviceGroup } from '../simulation/simulate.js';
import type { Slo } from '../metrics/goodput.js';
import { errorAt } from '../util/validate.js';
import type { SourceDoc } from '../util/yaml-file.js';
import { loadCarbonCsv, type CarbonSeries } from './carbon.js';
import type { FleetGroupRuntime, FleetRuntime } from './controller.js';
import { groupPrice } from './pricing.js';
import type { CarbonSpec, FleetSpec } from './schema.js';

export interface FleetPrepareEnv {
  readonly file: string;
  readonly baseDir: string;
  readonly source?: SourceDoc;
  readonly slo?: Slo;
}

/** The `fleet:` paths that name files, as written. */
export function fleetFileFields(fleet: FleetSpec | undefined): { path: PropertyKey[]; value: string }[] {
  if (!fleet) return [];
  const out: { path: PropertyKey[]; value: string }[] = [];
  if (fleet.carbon) out.push({ path: ['fleet', 'carbon', 'path'], value: fleet.carbon.path });
  for (const [name, g] of Object.entries(fleet.groups)) if (g.carbon) out.push({ path: ['fleet', 'groups', name, 'carbon', 'path'], value: g.carbon.path });
  return out;
}

/** Checks that every `fleet.groups` key names a device entry (before the devices are prepared). */
export function checkFleetGroups(fleet: FleetSpec | undefined, deviceNames: readonly string[], env: FleetPrepareEnv): void {
  for (const name of Object.keys(fleet?.groups ?? {})) {
    if (!deviceNames.includes(name)) throw errorAt(env.source, env.file, ['fleet', 'groups', name], `expected the name of a cluster.devices entry (${deviceNames.join(', ')}), found "${name}"`);
  }
}

export function prepareFleet(fleet: FleetSpec, cluster: readonly PreparedDeviceGroup[], env: FleetPrepareEnv): FleetRuntime {
  const series = new Map<string, CarbonSeries>();
  const carbonOf = (spec: CarbonSpec) => {
    const file = resolve(env.baseDir, spec.path);
    const key = `${spec.rateScale}:${file}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = loadCarbonCsv(file, spec.rateScale)));
    return s;
  };
  const groups = cluster.map((group): FleetGroupRuntime | undefined => {
    const spec = fleet.groups[group.name];
    const at = (...path: PropertyKey[]) => ['fleet', 'groups', group.name, ...path];
    if (spec?.powerCap && !group.powerCapped) throw errorAt(env.source, env.file, at('powerCap'), `expected a device of a batching kind (an iteration model to cap), found kind "${group.kind}"`);
    const carbon = spec?.carbon ?? fleet.carbon;
    const a = spec?.autoscale;
    if (a && a.signal === 'slo-miss' && env.slo === undefined) throw errorAt(env.source, env.file, at('autoscale', 'signal'), 'expected a scenario slo for the slo-miss signal, found none');
    const initial = a?.initial ?? group.replicas;
    if (a && (initial < a.min || initial > a.max)) throw errorAt(env.source, env.file, at('autoscale', 'initial'), `expected min (${a.min}) <= initial replicas <= max (${a.max}), found ${initial} (the device entry's replicas; set autoscale.initial)`);
    let provisionS = a?.bootS ?? 0;
    if (a?.storageBytesPerS !== undefined) {
      const bytes = a.weightBytes ?? (a.weightsOf !== undefined ? modelWeightBytes(a.weightsOf, env, at('autoscale', 'weightsOf')) : group.weightBytes);
      if (bytes === undefined) throw errorAt(env.source, env.file, at('autoscale', 'storageBytesPerS'), `expected weights to load: the profile of "${group.name}" gives no weight bytes; set autoscale.weightBytes or autoscale.weightsOf, found neither`);
      provisionS += bytes / a.storageBytesPerS;
    }
    const price = groupPrice(spec?.pricePerGpuHour, group.hardware);
    if (!spec && !carbon && !price) return undefined;
    return {
      ...(a && { autoscale: { ...a, initial, provisionS } }),
      ...(price && { pricePerGpuHour: price.usdPerGpuHour }),
      ...(price && price.source !== 'scenario' && { priceSource: price.source }),
      ...(carbon && { carbon: carbonOf(carbon) }),
    };
  });
  return { groups, ...(env.slo && { slo: env.slo }) };
}

/** Weight bytes of a model of profiles/models/ by its id (from its architecture). */
function modelWeightBytes(id: string, env: FleetPrepareEnv, path: PropertyKey[]): number {
  const file = join(PACKAGE_ROOT, 'profiles', 'models', `${id}.yaml`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) || !existsSync(file)) throw errorAt(env.source, env.file, path, `expected the id of a model file in profiles/models/ (e.g. llama-3.1-8b), found "${id}"`);
  return weightBytes(loadArchitecture(file).architecture);
}
