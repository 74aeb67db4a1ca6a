import { ITERATION_FORMS } from '../../profiles/load.js';
import { errorAt } from '../../util/validate.js';
import { continuousBatchingDeviceSchema, createContinuousBatchingDevice, type ContinuousBatchingDeviceSpec } from '../continuous-batching.js';
import { defineDeviceKind, type PrepareEnv } from './kind.js';
import { iterationGroup, profileKvBytesPerToken, profileOfForm } from './prepare.js';

/** `continuous-batching`: iteration-level (vLLM/Orca style) batching on an iteration-form profile. */
export const continuousBatchingKind = defineDeviceKind({
  kind: 'continuous-batching',
  schema: continuousBatchingDeviceSchema,
  fileFields: ['profile'],
  // Replicas keep the cluster's load board, except with a P/D role (see the device's `loads`).
  prepare: (spec, env) => ({ ...iterationGroup(withKvTierBytes(spec, env), env, createContinuousBatchingDevice), keepsLoads: spec.role === undefined }),
});

/** With kvTiers: its KV bytes per token made explicit (from the profile when the option does not give them). */
function withKvTierBytes(spec: ContinuousBatchingDeviceSpec, env: PrepareEnv): ContinuousBatchingDeviceSpec {
  const tiers = spec.kvTiers;
  if (tiers === undefined || tiers.kvBytesPerToken !== undefined) return spec;
  const profile = profileOfForm(spec, ITERATION_FORMS, env);
  const bytes = profileKvBytesPerToken(profile);
  if (bytes === undefined) throw errorAt(env.source, undefined, [...env.path, 'kvTiers'], `expected kvTiers.kvBytesPerToken: profile "${profile.name}" gives no KV bytes per token, found none`);
  return { ...spec, kvTiers: { ...tiers, kvBytesPerToken: bytes } };
}
