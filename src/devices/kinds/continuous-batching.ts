import { continuousBatchingDeviceSchema, createContinuousBatchingDevice } from '../continuous-batching.js';
import { defineDeviceKind } from './kind.js';
import { iterationGroup } from './prepare.js';

/** `continuous-batching`: iteration-level (vLLM/Orca style) batching on an iteration-form profile. */
export const continuousBatchingKind = defineDeviceKind({
  kind: 'continuous-batching',
  schema: continuousBatchingDeviceSchema,
  fileFields: ['profile'],
  prepare: (spec, env) => iterationGroup(spec, env, createContinuousBatchingDevice),
});
