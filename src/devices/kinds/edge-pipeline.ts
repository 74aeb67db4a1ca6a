import { edgePipelineDeviceSchema, prepareEdgePipelineGroup } from '../edge-pipeline.js';
import { defineDeviceKind } from './kind.js';

/** `edge-pipeline`: a phone-class device streaming a sharded model from flash (STI); its file is the model, not a profile. */
export const edgePipelineKind = defineDeviceKind({
  kind: 'edge-pipeline',
  schema: edgePipelineDeviceSchema,
  fileFields: ['model'],
  prepare: prepareEdgePipelineGroup,
});
