import { createStaticBatchingDevice, staticBatchingDeviceSchema } from '../static-batching.js';
import { defineDeviceKind } from './kind.js';
import { iterationGroup } from './prepare.js';

/** `static-batching`: whole batches run to their longest member (HuggingFace `generate` style). */
export const staticBatchingKind = defineDeviceKind({
  kind: 'static-batching',
  schema: staticBatchingDeviceSchema,
  fileFields: ['profile'],
  prepare: (spec, env) => iterationGroup(spec, env, createStaticBatchingDevice),
});
