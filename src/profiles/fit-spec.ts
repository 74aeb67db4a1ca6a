/**
 * What `llmsim fit` fits: the form, which CSV column plays which role (with a unit scale), row
 * filters and fitting options. Given as flags or as a small YAML mapping file; both parse with
 * this schema so every mistake names its field.
 */
import { z } from 'zod';

/** Column roles of each form; the first ones are required. */
export const ROLES = {
  bilinear: { required: ['inputTokens', 'outputTokens', 'runtimeS'], optional: ['energyJ'] },
  iteration: { required: ['promptTokens', 'batch', 'outputTokens'], optional: ['prefillS', 'decodeStepS', 'powerW', 'contextTokens'] },
} as const;

/** Column names used when the mapping does not name one (snake_case of the role, with units). */
export const DEFAULT_COLUMNS: Record<string, string> = {
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  runtimeS: 'runtime_s',
  energyJ: 'energy_j',
  promptTokens: 'prompt_tokens',
  batch: 'batch_size',
  prefillS: 'prefill_s',
  decodeStepS: 'decode_step_s',
  powerW: 'power_w',
  contextTokens: 'context_tokens',
};

const column = z.union([
  z.string().min(1),
  z.strictObject({
    column: z.string().min(1).describe('CSV column name'),
    scale: z.number().positive().default(1).describe('Multiplier to the role unit, e.g. 0.001 for ms -> s'),
  }),
]);

const roleNames = [...new Set(Object.values(ROLES).flatMap((r) => [...r.required, ...r.optional]))] as [string, ...string[]];

/** The mapping file (and the flags, after parsing). */
export const FitSpecSchema = z.strictObject({
  form: z.enum(['bilinear', 'iteration']).describe('Profile form to fit'),
  columns: z
    .partialRecord(z.enum(roleNames), column)
    .default({})
    .describe('role: column, or role: { column, scale }; unnamed roles use DEFAULT_COLUMNS'),
  where: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .default({})
    .describe('Keep only rows whose column equals this value (compared as text)'),
  nonNegative: z.boolean().optional().describe('Constrain coefficients >= 0 (default: false for bilinear, true for iteration)'),
  weights: z.enum(['none', 'relative']).optional().describe('relative: minimise relative error (weights 1/y); default none for bilinear, relative for iteration'),
  aggregate: z.enum(['none', 'median']).default('none').describe('median: one point per distinct input, the median of its repetitions'),
  noise: z.boolean().default(false).describe('Store the relative residuals as the profile noise block'),
  profile: z
    .strictObject({
      name: z.string().min(1).optional(),
      model: z.string().min(1).optional(),
      hardware: z.string().min(1).optional(),
      gpus: z.number().int().positive().default(1),
      source: z.string().min(1).optional().describe('Where the measurements come from (provenance.source)'),
      license: z.string().min(1).optional(),
      idleW: z.number().min(0).optional().describe('iteration: idle power of the instance, W'),
      capW: z.number().positive().optional().describe('iteration: busy power cap, W'),
      power: z
        .strictObject({ busyW: z.number().min(0), busyWPerSeq: z.number().min(0) })
        .optional()
        .describe('iteration without a powerW column: busy power from another source'),
      memory: z
        .strictObject({
          deviceBytes: z.number().positive(),
          weightBytes: z.number().positive(),
          kvBytesPerToken: z.number().positive(),
          utilization: z.number().gt(0).max(1).default(0.9),
        })
        .optional()
        .describe('iteration: memory of the instance (omitted: KV capacity unbounded)'),
    })
    .default({ gpus: 1 }),
});

export type FitSpec = z.output<typeof FitSpecSchema>;
export type FitSpecInput = z.input<typeof FitSpecSchema>;
