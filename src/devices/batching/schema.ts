import { z } from 'zod';
import { MAX_BATCH_SIZE, MAX_KV_TOKENS, MAX_REPLICAS, MAX_TOKENS } from '../../limits.js';
import { noiseField } from '../noise-field.js';
import { SCHEDULER_NAMES } from './modes.js';
import { kvTiersSchema } from './kv-tiers.js';

/** Scenario entry of an iteration-level (vLLM/Orca style) batching device. */
export const continuousBatchingDeviceSchema = z.strictObject({
  name: z.string().min(1).describe('Name of this device group; replicas are named <name>/<i>'),
  kind: z.literal('continuous-batching'),
  profile: z
    .string()
    .min(1)
    .optional()
    .describe('Profile file (form: iteration, roofline or transformer), relative to the scenario file, or the name of a shipped profile (no "/", no .yaml/.json suffix; llmsim profiles lists them). Or give model + hardware instead'),
  model: z.string().min(1).optional().describe('Instead of profile: a model id of profiles/models/ (e.g. llama-3.1-70b); with hardware, the device runs the transformer form with calibrated coefficients'),
  hardware: z.string().min(1).optional().describe('With model: a hardware id of profiles/hardware/ (e.g. h100-sxm5-80gb)'),
  tensorParallel: z.number().int().min(1).max(64).default(1).describe('With model: GPUs per instance in tensor parallel'),
  pipelineParallel: z.number().int().min(1).max(64).default(1).describe('With model: pipeline stages per instance'),
  coefficientsFrom: z
    .string()
    .min(1)
    .optional()
    .describe('With model: the calibrated transformer profile (name or file) whose coefficients to use; default the shipped vLLM 0.11 calibration'),
  replicas: z.number().int().positive().max(MAX_REPLICAS).default(1).describe(`Identical replicas (model instances), at most ${MAX_REPLICAS}`),
  scheduler: z
    .enum(SCHEDULER_NAMES)
    .default('vllm-v1')
    .describe(
      'Batch formation: vllm-v1 (chunked prefill under one token budget, decodes first; the default, as vLLM V1, SGLang and TensorRT-LLM serve), sarathi (stall-free chunks of chunkSize tokens), prefill-first (vLLM V0: whole prompts pause decodes), legacy (llmsim 0.1: whole prompts plus a decode step, priced additively)',
    ),
  maxBatchSize: z.number().int().positive().max(MAX_BATCH_SIZE).default(256).describe(`Sequences in one iteration at most (vLLM max_num_seqs), at most ${MAX_BATCH_SIZE}`),
  maxBatchedTokens: z
    .number()
    .int()
    .positive()
    .max(MAX_TOKENS)
    .default(8192)
    .describe(`Tokens one iteration computes at most (vLLM max_num_batched_tokens): prompt chunks and decodes for vllm-v1; prompt tokens for prefill-first and legacy; at most ${MAX_TOKENS}`),
  chunkSize: z.number().int().positive().max(MAX_TOKENS).default(512).describe(`sarathi: tokens one iteration computes at most, decodes included (its fixed chunk size); at most ${MAX_TOKENS}`),
  longPrefillThreshold: z
    .number()
    .int()
    .min(0)
    .max(MAX_TOKENS)
    .default(0)
    .describe(`vllm-v1: a prompt chunk is at most this many tokens (vLLM long_prefill_token_threshold; 0 = only the budget limits it); at most ${MAX_TOKENS}`),
  chunkedPrefill: z
    .boolean()
    .default(true)
    .describe('vllm-v1: split prompts into chunks under the token budget (vLLM --enable-chunked-prefill, the V1 default); false: a new prompt is admitted only whole, within the budget left, and a prompt longer than maxBatchedTokens is refused'),
  maxModelLen: z
    .number()
    .int()
    .positive()
    .max(2 * MAX_TOKENS)
    .optional()
    .describe(`Longest prompt + output a request may ask for (vLLM max_model_len); longer requests are rejected on arrival. Not set: no limit. Ignored by legacy; at most ${2 * MAX_TOKENS}`),
  prefixCaching: z
    .boolean()
    .default(true)
    .describe('Reuse the KV blocks of shared prompt prefixes (vLLM automatic prefix caching, on by default in vLLM V1); needs requests with prefix segments. Ignored by legacy'),
  blockSize: z.number().int().positive().max(MAX_TOKENS).default(16).describe(`KV-cache block size in tokens (1 = token-granular), at most ${MAX_TOKENS} and at most the KV capacity`),
  kvCapacityTokens: z.number().int().positive().max(MAX_KV_TOKENS).optional().describe(`Override the KV capacity the profile derives from memory, tokens, at most ${MAX_KV_TOKENS}`),
  role: z
    .enum(['prefill', 'decode'])
    .optional()
    .describe('P/D disaggregation (needs cluster.disaggregation): prefill replicas compute prompts and emit the first token, then send the KV to a decode replica, which generates the rest. Not set: the replica serves whole requests. Not with scheduler legacy; prefix caching is off on replicas with a role'),
  priorityPreemption: z
    .boolean()
    .optional()
    .describe('vllm-v1 and sarathi: a waiting request of higher priority (class priorities, or the policy\'s order) that finds the batch or the KV cache full preempts the lowest-priority running sequence (recompute, or swap with kvTiers) instead of waiting, and a KV shortage preempts the lowest-priority sequence not yet scheduled in the iteration (newest among equals), never one of higher priority than the sequence needing room. Default off'),
  kvTiers: kvTiersSchema.optional(),
  fastForward: z.boolean().default(true).describe('Advance many decode steps per event while the batch is unchanged (same results, far fewer events)'),
  noise: noiseField,
}).superRefine((d, ctx) => {
  const byModel = d.model !== undefined || d.hardware !== undefined;
  if (d.profile === undefined && !byModel) ctx.addIssue({ code: 'custom', path: ['profile'], message: 'expected a profile, or model and hardware' });
  else if (d.profile !== undefined && byModel) ctx.addIssue({ code: 'custom', path: [d.model !== undefined ? 'model' : 'hardware'], message: 'expected either profile or model + hardware, not both' });
  else if (byModel && (d.model === undefined || d.hardware === undefined)) ctx.addIssue({ code: 'custom', path: [d.model === undefined ? 'model' : 'hardware'], message: 'expected both model and hardware' });
  if (d.kvTiers !== undefined && (d.scheduler === 'legacy' || d.role !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['kvTiers'], message: `expected kvTiers on a group without a P/D role and with a scheduler other than legacy, found ${d.role !== undefined ? `role ${d.role}` : 'scheduler legacy'}` });
  }
  if (d.kvTiers?.prefixOffload && !d.prefixCaching) ctx.addIssue({ code: 'custom', path: ['kvTiers', 'prefixOffload'], message: 'expected prefixCaching: true with kvTiers.prefixOffload, found prefixCaching: false' });
  if (d.role !== undefined && d.scheduler === 'legacy') ctx.addIssue({ code: 'custom', path: ['role'], message: 'expected a scheduler other than legacy on a replica with a P/D role' });
});
export type ContinuousBatchingDeviceSpec = z.output<typeof continuousBatchingDeviceSchema>;
