/**
 * The `continuous-batching` device kind: iteration-level batching as vLLM, SGLang, TensorRT-LLM
 * (and, with `scheduler: legacy`, llmsim 0.1) do it. The loop lives in batching/device.ts, batch
 * formation per scheduler mode in batching/formation.ts and batching/modes.ts.
 */
export { continuousBatchingDeviceSchema, type ContinuousBatchingDeviceSpec } from './batching/schema.js';
export { createBatchingDevice as createContinuousBatchingDevice } from './batching/device.js';
