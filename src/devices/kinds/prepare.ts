import { ITERATION_FORMS, compileIterationModel, loadProfile, type CompileOptions } from '../../profiles/load.js';
import { BUILT_PREFIX, PACKAGE_ROOT, resolveProfilePath, type BuiltProfileKey, type ProfileRef } from '../../profiles/catalog.js';
import { buildTransformerProfile } from '../../profiles/build-transformer.js';
import { InputError } from '../../errors.js';
import type { IterationModel } from '../../profiles/model.js';
import type { Profile } from '../../profiles/schema.js';
import { kvBytesPerToken } from '../../profiles/architecture.js';
import type { PreparedDeviceGroup } from '../../simulation/simulate.js';
import { createStream } from '../../util/rng.js';
import { errorAt } from '../../util/validate.js';
import type { Device, DeviceContext } from '../device.js';
import { iterationEstimator } from '../estimate.js';
import type { ReplicaIdentity } from '../slots.js';
import type { PrepareEnv } from './kind.js';
import { capIterationModel } from '../../fleet/power-cap.js';
import { weightBytes } from '../../profiles/architecture.js';

/** A batching device entry: an iteration-form profile compiled once, shared by estimates and noiseless replicas. */
export function iterationGroup<S extends ProfileRef & { name: string; kind: string; replicas: number; noise: boolean; kvCapacityTokens?: number; role?: 'prefill' | 'decode' }>(
  spec: S,
  env: PrepareEnv,
  create: (spec: S, model: IterationModel, ctx: DeviceContext, id: ReplicaIdentity) => Device,
): PreparedDeviceGroup {
  const profile = profileOfForm(spec, ITERATION_FORMS, env);
  // A power cap (fleet.groups.<name>.powerCap) rescales every price and power of the model.
  const capped = (m: IterationModel) => (env.powerCap ? capIterationModel(m, env.powerCap, profile.gpus ?? 1) : m);
  const compile = (p: Profile, options?: CompileOptions) => capped(compileIterationModel(p, options));
  const base = compile(profile);
  // A block larger than the cache holds no block at all: every request would be rejected.
  const blockSize = (spec as { blockSize?: number }).blockSize;
  const capacity = spec.kvCapacityTokens ?? base.kvCapacityTokens;
  if (blockSize !== undefined && blockSize > capacity) {
    const from = spec.kvCapacityTokens !== undefined ? 'kvCapacityTokens' : `the KV capacity of profile "${profile.name}"`;
    throw errorAt(env.source, undefined, [...env.path, 'blockSize'], `expected a block size <= ${from} (${Math.floor(capacity)} tokens), found ${blockSize}`);
  }
  const model = replicaModel(spec, profile, base, compile, env);
  const weights = profileWeightBytes(profile);
  const known = {
    gpus: profile.gpus,
    hardware: profile.hardware,
    estimate: iterationEstimator(base),
    warnings: iterationWarnings(spec, profile, base),
    profileLabel: profileLabel(profile),
    ...(weights !== undefined && { weightBytes: weights }),
    ...(env.powerCap && { powerCapped: true }),
  };
  const pd = spec.role !== undefined ? { role: spec.role, kvBytesPerToken: profileKvBytesPerToken(profile) } : {};
  return { name: spec.name, kind: spec.kind, model: profile.model, replicas: spec.replicas, ...known, ...pd, create: (ctx, id) => create(spec, model(ctx, id), ctx, id) };
}

/** KV-cache bytes per token of the profile's model, when the profile gives its shape. */
export function profileKvBytesPerToken(p: Profile): number | undefined {
  if (p.form === 'transformer') return kvBytesPerToken(p.architecture);
  if (p.form === 'roofline') return p.shape.kvBytesPerToken;
  if (p.form === 'iteration') return p.memory?.kvBytesPerToken;
  return undefined;
}

/**
 * Each replica's cost model: the shared compiled one (`base`), or, with `noise: true`, one that
 * resamples the profile's fit residuals from a stream of its own (seeded by scenario seed and
 * replica name, so adding a replica does not reshuffle the others). Policies' estimates use
 * `base` and never draw noise.
 */
export function replicaModel<M>(
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

/** Bytes of the model's weights: the profile's memory block, or computed from a transformer profile's architecture. */
export function profileWeightBytes(p: Profile): number | undefined {
  if (p.form === 'transformer') return weightBytes(p.architecture);
  const memory = (p as { memory?: { weightBytes: number } }).memory;
  return memory?.weightBytes;
}

/** "name (form, calibrated on data)" or "name (form, engine)": what a run says it used. */
export function profileLabel(p: Profile): string {
  const how =
    p.form === 'transformer' && p.calibration
      ? `calibrated on ${p.calibration.data}`
      : p.form === 'transformer' && p.transferredFrom?.calibratedOn
        ? `coefficients calibrated on ${p.transferredFrom.calibratedOn} (${p.transferredFrom.setup}), transferred to this model, hardware and parallelism`
        : p.provenance.source.slice(0, 60);
  return `${p.name} (${p.form}; ${how})`;
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

/**
 * The entry's profile (a file, or a shipped profile by name: see resolveProfilePath), loaded
 * through the run's cache; an input error unless it has one of `form`.
 */
export function profileOfForm(entry: ProfileRef, form: Profile['form'] | readonly Profile['form'][], env: PrepareEnv): Profile {
  const profile = env.profile(resolveProfilePath(entry, env));
  const forms: readonly Profile['form'][] = typeof form === 'string' ? [form] : form;
  if (!forms.includes(profile.form)) {
    throw errorAt(env.source, undefined, [...env.path, 'profile'], `expected a profile of form ${forms.map((f) => `"${f}"`).join(' or ')} for this device kind, found "${profile.form}" in ${entry.profile}`);
  }
  return profile;
}

/** The transformer profile of a model + hardware entry, with its reference's calibrated coefficients. */
function builtProfile(key: BuiltProfileKey): Profile {
  const reference = loadProfile(key.referenceFile);
  if (reference.form !== 'transformer') throw new InputError({ file: key.referenceFile, field: 'form' }, `expected a transformer profile to take coefficients from, found form "${reference.form}"`);
  return buildTransformerProfile({ ...key, reference, root: PACKAGE_ROOT });
}

/** Creates a per-run profile cache for PrepareEnv.profile. */
export function profileCache(): (file: string) => Profile {
  const cache = new Map<string, Profile>();
  return (file) => {
    let p = cache.get(file);
    if (!p) {
      p = file.startsWith(BUILT_PREFIX) ? builtProfile(JSON.parse(file.slice(BUILT_PREFIX.length)) as BuiltProfileKey) : loadProfile(file);
      cache.set(file, p);
    }
    return p;
  };
}
