import { compileCostModel } from '../../profiles/load.js';
import { costEstimator } from '../estimate.js';
import { createSlotsDevice, slotsDeviceSchema } from '../slots.js';
import { defineDeviceKind } from './kind.js';
import { profileOfForm, replicaModel } from './prepare.js';

/** `slots`: request-level replicas priced per request by a bilinear profile (Wilkins et al.). */
export const slotsKind = defineDeviceKind({
  kind: 'slots',
  schema: slotsDeviceSchema,
  fileFields: ['profile'],
  prepare(spec, env) {
    const profile = profileOfForm(spec, 'bilinear', env);
    const base = compileCostModel(profile);
    const cost = replicaModel(spec, profile, base, compileCostModel, env);
    const known = { accuracy: profile.form === 'bilinear' ? profile.accuracy : undefined, gpus: profile.gpus, hardware: profile.hardware, estimate: costEstimator(base) };
    return { name: spec.name, kind: spec.kind, model: profile.model, replicas: spec.replicas, ...known, keepsLoads: true, create: (ctx, id) => createSlotsDevice(spec, cost(ctx, id), ctx, id) };
  },
});
