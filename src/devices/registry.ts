import { resolve } from 'node:path';
import { z } from 'zod';
import { ITERATION_FORMS, compileCostModel, compileIterationModel, loadProfile, type CompileOptions } from '../profiles/load.js';
import { createStream } from '../util/rng.js';
import type { Device, DeviceContext } from './device.js';
import type { ReplicaIdentity } from './slots.js';
import type { IterationModel } from '../profiles/model.js';
import type { Profile } from '../profiles/schema.js';
import type { PreparedDeviceGroup } from '../simulation/simulate.js';
import { errorAt } from '../util/validate.js';
import type { SourceDoc } from '../util/yaml-file.js';
import { continuousBatchingDeviceSchema, createContinuousBatchingDevice } from './continuous-batching.js';
import { edgePipelineDeviceSchema, prepareEdgePipelineGroup } from './edge-pipeline.js';
import { createSlotsDevice, slotsDeviceSchema } from './slots.js';
import { costEstimator, iterationEstimator } from './estimate.js';
import { createStaticBatchingDevice, staticBatchingDeviceSchema } from './static-batching.js';

/** Schema of one `cluster.devices[]` entry: a union discriminated by `kind`. */
export const deviceEntrySchema = z.discriminatedUnion('kind', [slotsDeviceSchema, continuousBatchingDeviceSchema, edgePipelineDeviceSchema, staticBatchingDeviceSchema]);
export type DeviceEntry = z.output<typeof deviceEntrySchema>;

/** Where a device entry's files are resolved from, and how to point at it in errors. */
export interface PrepareEnv {
  readonly baseDir: string;
  readonly source?: SourceDoc;
  /** Field path of this entry, e.g. ['cluster', 'devices', 0]. */
  readonly path: readonly PropertyKey[];
  /** Loads a profile (once per file per run). */
  profile(file: string): Profile;
}

type Preparers = { [K in DeviceEntry['kind']]: (spec: Extract<DeviceEntry, { kind: K }>, env: PrepareEnv) => PreparedDeviceGroup };

/**
 * How each kind of entry becomes replicas: load its files, compile its model, return a factory.
 * Adding a device kind: its file exports a schema and a create function; add the schema to the
 * union above and one entry here (the type checker insists on both).
 */
const preparers: Preparers = {
  slots(spec, env) {
    const profile = profileOfForm(spec.profile, 'bilinear', env);
    const base = compileCostModel(profile);
    const cost = replicaModel(spec, profile, base, compileCostModel, env);
    const known = { accuracy: profile.form === 'bilinear' ? profile.accuracy : undefined, gpus: profile.gpus, estimate: costEstimator(base) };
    return { name: spec.name, kind: spec.kind, model: profile.model, replicas: spec.replicas, ...known, create: (ctx, id) => createSlotsDevice(spec, cost(ctx, id), ctx, id) };
  },
  'continuous-batching': (spec, env) => iterationGroup(spec, env, createContinuousBatchingDevice),
  'static-batching': (spec, env) => iterationGroup(spec, env, createStaticBatchingDevice),
  'edge-pipeline': prepareEdgePipelineGroup,
};

/** A batching device entry: an iteration-form profile compiled once, shared by estimates and noiseless replicas. */
function iterationGroup<S extends { name: string; kind: string; profile: string; replicas: number; noise: boolean; kvCapacityTokens?: number }>(
  spec: S,
  env: PrepareEnv,
  create: (spec: S, model: IterationModel, ctx: DeviceContext, id: ReplicaIdentity) => Device,
): PreparedDeviceGroup {
  const profile = profileOfForm(spec.profile, ITERATION_FORMS, env);
  const base = compileIterationModel(profile);
  const model = replicaModel(spec, profile, base, compileIterationModel, env);
  const known = { gpus: profile.gpus, estimate: iterationEstimator(base), warnings: iterationWarnings(spec, profile, base) };
  return { name: spec.name, kind: spec.kind, model: profile.model, replicas: spec.replicas, ...known, create: (ctx, id) => create(spec, model(ctx, id), ctx, id) };
}

/**
 * Each replica's cost model: the shared compiled one (`base`), or, with `noise: true`, one that
 * resamples the profile's fit residuals from a stream of its own (seeded by scenario seed and
 * replica name, so adding a replica does not reshuffle the others). Policies' estimates use
 * `base` and never draw noise.
 */
function replicaModel<M>(
  spec: { noise: boolean },
  profile: Profile,
  base: M,
  compile: (p: Profile, options?: CompileOptions) => M,
  env: PrepareEnv,
): (ctx: DeviceContext, id: ReplicaIdentity) => M {
  if (!spec.noise) return () => base;
  if (!('noise' in profile) || !profile.noise) {
    throw errorAt(env.source, undefined, [...env.path, 'noise'], `expected a profile with a noise block (the residuals of its fit), found none in profile "${profile.name}"`);
  }
  return (ctx, id) => compile(profile, { noise: createStream(ctx.seed, `noise/${id.name}`) });
}

/** Gaps in an iteration profile that silently change what a run means: say so in its results. */
function iterationWarnings(spec: { name: string; kvCapacityTokens?: number }, profile: Profile, model: IterationModel): string[] {
  const warnings: string[] = [];
  if (!Number.isFinite(model.kvCapacityTokens) && spec.kvCapacityTokens === undefined) {
    warnings.push(`${spec.name}: profile "${profile.name}" gives no memory, so the KV cache is unbounded (no preemption, no rejection); set kvCapacityTokens or add a memory block`);
  }
  if (Number.isNaN(model.busyPowerW(1))) warnings.push(`${spec.name}: profile "${profile.name}" gives no power, so energy is unknown (null)`);
  return warnings;
}

/** Loads a device entry's files and returns its replica factory. */
export function prepareDeviceGroup(entry: DeviceEntry, env: PrepareEnv): PreparedDeviceGroup {
  return (preparers[entry.kind] as (spec: DeviceEntry, env: PrepareEnv) => PreparedDeviceGroup)(entry, env);
}

function profileOfForm(file: string, form: Profile['form'] | readonly Profile['form'][], env: PrepareEnv): Profile {
  const profile = env.profile(resolve(env.baseDir, file));
  const forms: readonly Profile['form'][] = typeof form === 'string' ? [form] : form;
  if (!forms.includes(profile.form)) {
    throw errorAt(env.source, undefined, [...env.path, 'profile'], `expected a profile of form ${forms.map((f) => `"${f}"`).join(' or ')} for this device kind, found "${profile.form}" in ${file}`);
  }
  return profile;
}

/** Creates a per-run profile cache for PrepareEnv.profile. */
export function profileCache(): (file: string) => Profile {
  const cache = new Map<string, Profile>();
  return (file) => {
    let p = cache.get(file);
    if (!p) {
      p = loadProfile(file);
      cache.set(file, p);
    }
    return p;
  };
}
