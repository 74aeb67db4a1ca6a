/**
 * Schema of profile files (YAML or JSON). A profile describes one model on one kind of hardware and
 * says where every number came from; `load.ts` compiles it into the runtime interfaces of `model.ts`.
 * Forms are a discriminated union on `form`: adding a form means one schema here and one compiler.
 */
import { z } from 'zod';
import { ArchitectureSchema, kvBytesPerToken, weightBytes } from './architecture.js';

/** A finite number (zod 4 rejects NaN and +-Infinity in z.number()). */
const num = (description: string) => z.number().describe(description);
const nonNeg = (description: string) => z.number().min(0).describe(description);
const positive = (description: string) => z.number().positive().describe(description);

/** Where the numbers came from. Required: a profile never invents measurements. */
export const ProvenanceSchema = z.strictObject({
  source: z.string().min(1).describe('Publication, dataset (repository, path, commit) or spec sheet the numbers come from'),
  engine: z
    .string()
    .min(1)
    .optional()
    .describe('Serving engine behind the measured times and the year of the data, with a version only where the source states one, e.g. "vLLM, ML.ENERGY v3 leaderboard 2025"; "spec sheet" for estimates'),
  license: z.string().min(1).optional().describe('License of the source data, e.g. MIT, CC-BY-4.0'),
  derivation: z.string().min(1).describe('How the numbers were obtained: transcribed from table X, or the command that derives them'),
  notes: z.array(z.string().min(1)).optional().describe('Further facts, each with its own source (model shape, memory, power, caveats)'),
});

/** Quality of a least-squares fit, as reported by the source or computed by the derivation. */
export const FitSchema = z.strictObject({
  r2: z.number().max(1).describe('Coefficient of determination; uncentered when the fit has no intercept'),
  r2Centered: z.number().max(1).optional().describe('Centered R^2 (1 - SSres/SStot around the mean)'),
  rmse: nonNeg('Root-mean-square error, in the unit of the fitted quantity (s, J or W)').optional(),
  mape: nonNeg('Mean absolute percentage error, %').optional(),
  medianApe: nonNeg('Median absolute percentage error, %').optional(),
  maxApe: nonNeg('Largest absolute percentage error over the fitted points, %').optional(),
  residualStd: nonNeg('Residual standard deviation sqrt(SSres/(n - terms)), unit of the fitted quantity').optional(),
  points: z.number().int().positive().describe('Number of data points fitted'),
  method: z.string().min(1).optional().describe('Fitting method: weights, constraints, which points'),
});

const common = {
  name: z.string().min(1).describe('Unique profile name, e.g. splitwise-llama2-70b-h100-tp4'),
  model: z.string().min(1).describe('Model id, e.g. llama-2-7b'),
  hardware: z.string().min(1).describe('Hardware id, e.g. a100-40gb'),
  gpus: z.number().int().positive().describe('GPUs per instance (tensor-parallel degree)'),
  provenance: ProvenanceSchema,
  fit: FitSchema.optional().describe('Overall fit quality, when the profile comes from one fit'),
};

/**
 * Residual noise of one fitted quantity, as factors multiplying the fitted value: measured/fitted.
 * Sampled with a seeded stream (see noise.ts) so sweeps can show how measurement noise moves tails.
 */
export const NoiseSchema = z.strictObject({
  relStd: nonNeg('Standard deviation of measured/fitted - 1 (the relative residual)'),
  residuals: z
    .array(z.number().gt(-1))
    .min(2)
    .optional()
    .describe('Relative residuals of the fit (measured/fitted - 1); when present they are resampled (rescaled to mean 0) instead of drawing a log-normal factor'),
});

const bilinearTerms = (unit: string) =>
  z.strictObject({
    a0: num(`${unit} per input token`),
    a1: num(`${unit} per output token`),
    a2: num(`${unit} per (input token x output token)`),
    a3: num(`${unit} per output token squared (default 0): follows measurements whose cost grows with output length squared, e.g. generation without a KV cache`).optional(),
    fit: FitSchema.optional().describe('Quality of this fit (when fitted by llmsim fit or a derivation)'),
  });

/** Default floor of the bilinear form: positive so queues advance, small enough to read as a placeholder. */
export const DEFAULT_FLOOR = { runtimeS: 0.001, energyJ: 0.001 } as const;

/** Wilkins et al. request-level model: value = a0*tin + a1*tout + a2*tin*tout (+ a3*tout^2, default 0), clamped at a floor. */
export const BilinearProfileSchema = z.strictObject({
  ...common,
  form: z.literal('bilinear'),
  runtime: bilinearTerms('seconds').describe('Runtime coefficients, seconds'),
  energy: bilinearTerms('joules').optional().describe('Energy coefficients, joules (omit when unknown: energy is then NaN)'),
  floor: z
    .strictObject({
      runtimeS: positive('Smallest runtime a request can take, s').default(DEFAULT_FLOOR.runtimeS),
      energyJ: positive('Smallest energy a request can cost, J').default(DEFAULT_FLOOR.energyJ),
    })
    .default({ ...DEFAULT_FLOOR })
    .describe('Lower bound applied to the raw model, which goes negative for long inputs with short outputs'),
  idlePowerW: nonNeg('Power of an idle slot, W (default 0: the source counts active GPU energy only)').default(0),
  accuracy: z.number().min(0).max(100).optional().describe('Leaderboard accuracy A_K, %'),
  reportedR2: z
    .strictObject({ min: z.number().max(1), max: z.number().max(1) })
    .optional()
    .describe('R^2 range the source reports for its family of fits (not specific to this profile)'),
  noise: z
    .strictObject({ runtime: NoiseSchema.optional(), energy: NoiseSchema.optional() })
    .optional()
    .describe('Residual noise of the runtime and energy fits; used only when the simulation asks for noise'),
});

/** Device memory of an instance; optional where the source gives no model shape (KV capacity is then unbounded). */
const MemorySchema = z
  .strictObject({
    deviceBytes: positive('Device memory of the whole instance (all GPUs), bytes'),
    weightBytes: positive('Model weights, bytes'),
    kvBytesPerToken: positive('KV-cache bytes per token (all layers, keys and values)'),
    utilization: z.number().gt(0).max(1).describe('Fraction of device memory the server may use (vLLM gpu_memory_utilization)'),
  })
  .describe('kvCapacityTokens = floor((deviceBytes*utilization - weightBytes) / kvBytesPerToken)');

type MemoryInput = z.output<typeof MemorySchema>;

/** Issues for weights that do not fit, or no room for one KV token. */
function checkMemory(memory: MemoryInput | undefined, ctx: z.RefinementCtx): void {
  if (!memory) return;
  const usable = memory.deviceBytes * memory.utilization;
  if (memory.weightBytes >= usable) {
    ctx.addIssue({ code: 'custom', path: ['memory', 'weightBytes'], message: `expected weights to fit in deviceBytes*utilization = ${usable} bytes with room for KV cache` });
  } else if (Math.floor((usable - memory.weightBytes) / memory.kvBytesPerToken) < 1) {
    ctx.addIssue({ code: 'custom', path: ['memory', 'kvBytesPerToken'], message: 'expected room for at least one KV-cache token after the weights' });
  }
}

/** Iteration-level model for batching devices (vLLM/Orca style). */
export const IterationProfileSchema = z
  .strictObject({
    ...common,
    form: z.literal('iteration'),
    prefill: z
      .strictObject({
        c0: nonNeg('Fixed seconds per prefill iteration'),
        c1: nonNeg('Seconds per batched prompt token'),
        c2: nonNeg('Seconds per batched prompt token squared'),
        fit: FitSchema.optional(),
      })
      .describe('Prefill seconds = c0 + c1*tokens + c2*tokens^2, tokens = prompt tokens in the iteration'),
    decode: z
      .strictObject({
        c0: nonNeg('Fixed seconds per decode step'),
        perSeq: nonNeg('Seconds per sequence in the batch'),
        perContextToken: nonNeg('Seconds per token of context held by the batch'),
        fit: FitSchema.optional(),
      })
      .describe('Decode step seconds = c0 + perSeq*batch + perContextToken*totalContextTokens'),
    power: z
      .strictObject({
        idleW: nonNeg('Power of the idle instance (all GPUs), W'),
        busyW: nonNeg('Power of the busy instance at batch 0 (intercept), W'),
        busyWPerSeq: nonNeg('Extra power per running sequence, W'),
        capW: positive('Upper bound on busy power (TDP or power cap of all GPUs), W; none when omitted').optional(),
        fit: FitSchema.optional(),
      })
      .optional()
      .describe('Busy power = min(capW, busyW + busyWPerSeq*batch). Omit only when the source has no power data: energy is then NaN (unknown)'),
    memory: MemorySchema.optional().describe(
      'Omit only when the source gives no model shape: KV capacity is then unbounded and a device entry should set kvCapacityTokens',
    ),
    noise: z
      .strictObject({ prefill: NoiseSchema.optional(), decode: NoiseSchema.optional() })
      .optional()
      .describe('Residual noise of the prefill and decode fits; used only when the simulation asks for noise'),
  })
  .superRefine((p, ctx) => {
    checkMemory(p.memory, ctx);
    if (p.prefill.c0 + p.prefill.c1 + p.prefill.c2 <= 0) {
      ctx.addIssue({ code: 'custom', path: ['prefill'], message: 'expected prefill time > 0 for one token (some coefficient > 0)' });
    }
    if (p.decode.c0 + p.decode.perSeq <= 0) {
      ctx.addIssue({ code: 'custom', path: ['decode'], message: 'expected decode step time > 0 for one sequence (c0 or perSeq > 0)' });
    }
  });

/** One accelerator (or CPU socket) as its spec sheet gives it; roofline profiles and hardware files use it. */
export const HardwareSpecSchema = z.strictObject({
  peakFlopsPerS: positive('Peak dense FLOP/s at the precision the model runs in (no sparsity), per device'),
  memoryBandwidthBytesPerS: positive('Peak memory bandwidth, bytes/s, per device'),
  memoryBytes: positive('Memory per device, bytes'),
  tdpW: positive('Thermal design power (board power limit), W, per device'),
  idleW: nonNeg('Idle power, W, per device'),
});

/** Model shape for the roofline form: what a decode step reads and computes. */
export const ModelShapeSchema = z.strictObject({
  params: positive('Total parameters'),
  activeParams: positive('Parameters used per token (MoE: active experts); defaults to params').optional(),
  bytesPerParam: positive('Bytes per weight, e.g. 2 for bf16'),
  layers: z.number().int().positive().describe('Transformer layers'),
  attentionDim: positive('Query heads x head dimension (the hidden size for most models): attention FLOPs per context token'),
  kvBytesPerToken: positive('KV-cache bytes per token, all layers'),
});

/**
 * Roofline estimate for hardware without measurements: every step takes the longer of its compute
 * time and its memory time (weights read once per step, KV read once per context token).
 */
export const RooflineProfileSchema = z
  .strictObject({
    ...common,
    form: z.literal('roofline'),
    device: HardwareSpecSchema.describe('Per-device spec-sheet figures; the instance has `gpus` of them'),
    shape: ModelShapeSchema,
    efficiency: z
      .strictObject({
        compute: z.number().gt(0).max(1).default(1).describe('Fraction of peak FLOP/s reached (assumption; 1 = the ideal bound)'),
        memory: z.number().gt(0).max(1).default(1).describe('Fraction of peak bandwidth reached (assumption; 1 = the ideal bound)'),
      })
      .default({ compute: 1, memory: 1 }),
    overheadS: nonNeg('Fixed seconds per iteration (kernel launches, scheduling); 0 = the ideal bound').default(0),
    memoryUtilization: z.number().gt(0).max(1).default(0.9).describe('Fraction of device memory the server may use'),
  })
  .superRefine((p, ctx) => {
    const usable = p.device.memoryBytes * p.gpus * p.memoryUtilization;
    const weights = p.shape.params * p.shape.bytesPerParam;
    if (Math.floor((usable - weights) / p.shape.kvBytesPerToken) < 1) {
      ctx.addIssue({ code: 'custom', path: ['shape', 'params'], message: `expected the weights to fit in ${usable} usable bytes with room for KV cache, found ${weights} bytes of weights` });
    }
  });

/**
 * Efficiency coefficients of the transformer form: what calibration fits. Each efficiency is the
 * share of a spec-sheet peak a kind of work reaches; overheads are seconds the basis terms leave out.
 */
export const TransformerCoefficientsSchema = z.strictObject({
  computeEfficiency: z.number().gt(0).max(1).describe('Share of peak FLOP/s the linear layers (GEMMs) reach'),
  memoryEfficiency: z.number().gt(0).max(1).describe('Share of peak memory bandwidth reached reading weights and KV cache'),
  attentionEfficiency: z.number().gt(0).max(1).describe('Share of peak FLOP/s prompt attention reaches'),
  commEfficiency: z.number().gt(0).max(1).default(1).describe('Share of interconnect bandwidth a tensor-parallel all-reduce reaches'),
  overlap: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('How far a kernel overlaps its compute with its memory traffic: time = max(compute, memory) + (1 - overlap) x min(compute, memory); 1 = the roofline, 0 = additive'),
  stepOverheadS: nonNeg('Fixed seconds per iteration (scheduling, launches, sampling setup)'),
  layerOverheadS: nonNeg('Fixed seconds per layer per iteration (kernel launches, norms, activations)').default(0),
  perSeqOverheadS: nonNeg('Seconds per sequence in the iteration (input preparation, sampling, output processing)').default(0),
  allReduceLatencyS: nonNeg('Fixed seconds per tensor-parallel all-reduce (two per layer)').default(0),
  frontendS: nonNeg('Seconds a request spends in the server front end before it can be scheduled (HTTP, tokenization; counted in TTFT, not on the GPU)').default(0),
});

/**
 * Iteration time from a model architecture and a hardware spec sheet: basis terms (weight bytes,
 * GEMM FLOPs, attention FLOPs, KV bytes, all-reduce bytes, fixed costs) times a few efficiency
 * coefficients, fitted by `llmsim calibrate` or set by hand (then say so in provenance).
 */
export const TransformerProfileSchema = z
  .strictObject({
    ...common,
    form: z.literal('transformer'),
    architecture: ArchitectureSchema.describe('The model (copied from an architecture file under profiles/models/)'),
    device: HardwareSpecSchema.describe('One GPU\'s spec-sheet figures (peakFlopsPerS at the weight data type); the instance has `gpus` of them'),
    interconnectBytesPerS: positive('Per-GPU interconnect bandwidth for tensor-parallel all-reduce, bytes/s, one direction').optional(),
    parallel: z
      .strictObject({
        tensor: z.number().int().positive().describe('Tensor-parallel degree'),
        pipeline: z.number().int().positive().default(1).describe('Pipeline-parallel stages (a batch passes them one after another)'),
      })
      .describe('gpus = tensor x pipeline'),
    coefficients: TransformerCoefficientsSchema,
    power: z
      .strictObject({
        idleW: nonNeg('Power of the idle instance (all GPUs), W'),
        busyW: nonNeg('Power of the busy instance at batch 0, W'),
        busyWPerSeq: nonNeg('Extra power per sequence in the iteration, W'),
        capW: positive('Upper bound on busy power, W').optional(),
      })
      .optional()
      .describe('Busy power = min(capW, busyW + busyWPerSeq*sequences); omit when unknown (energy is then NaN)'),
    memoryUtilization: z.number().gt(0).max(1).default(0.9).describe('Fraction of device memory the server may use (vLLM gpu_memory_utilization)'),
    calibration: z
      .strictObject({
        data: z.string().min(1).describe('Measured serving table the coefficients were fitted to (path in the repository)'),
        sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of that file'),
        rows: z.array(z.string().min(1)).min(1).describe('Load points fitted'),
        heldOut: z.array(z.string().min(1)).describe('Load points of that file not used in fitting'),
        loss: nonNeg('Final value of the robust loss'),
        method: z.string().min(1).describe('Optimizer, loss and settings'),
      })
      .optional()
      .describe('Written by llmsim calibrate'),
    transferredFrom: z
      .strictObject({
        profile: z.string().min(1).describe('Name of the profile whose coefficients this one uses'),
        setup: z.string().min(1).describe('Its model on its GPUs, e.g. "llama-3.1-8b on 1 x h100-sxm5-80gb"'),
        calibratedOn: z.string().min(1).optional().describe("Its calibration's data (path in the repository), when it was calibrated"),
      })
      .optional()
      .describe('Set by llmsim when it builds a profile from model + hardware with the coefficients of another one'),
  })
  .superRefine((p, ctx) => {
    if (p.parallel.tensor * p.parallel.pipeline !== p.gpus) ctx.addIssue({ code: 'custom', path: ['parallel'], message: `expected tensor x pipeline = gpus (${p.gpus})` });
    if (p.parallel.tensor > 1 && p.interconnectBytesPerS === undefined) ctx.addIssue({ code: 'custom', path: ['interconnectBytesPerS'], message: 'expected the interconnect bandwidth for tensor parallel > 1' });
    const usable = p.device.memoryBytes * p.gpus * p.memoryUtilization;
    const weights = weightBytes(p.architecture);
    if (Math.floor((usable - weights) / kvBytesPerToken(p.architecture)) < 1) {
      ctx.addIssue({ code: 'custom', path: ['architecture'], message: `expected the weights to fit in ${usable} usable bytes with room for KV cache, found ${weights} bytes of weights` });
    }
  });

/** Any profile file. */
export const ProfileSchema = z.discriminatedUnion('form', [BilinearProfileSchema, IterationProfileSchema, RooflineProfileSchema, TransformerProfileSchema]);

export type Provenance = z.output<typeof ProvenanceSchema>;
export type Fit = z.output<typeof FitSchema>;
export type BilinearProfile = z.output<typeof BilinearProfileSchema>;
export type IterationProfile = z.output<typeof IterationProfileSchema>;
export type RooflineProfile = z.output<typeof RooflineProfileSchema>;
export type TransformerProfile = z.output<typeof TransformerProfileSchema>;
export type HardwareSpec = z.output<typeof HardwareSpecSchema>;
export type Noise = z.output<typeof NoiseSchema>;
export type Profile = z.output<typeof ProfileSchema>;
/** A profile as written in a file (defaults not yet applied). */
export type ProfileInput = z.input<typeof ProfileSchema>;
