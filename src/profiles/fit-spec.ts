/**
 * What `llmsim fit` fits: the form, which CSV column plays which role (with a unit scale), row
 * filters and fitting options. Given as flags or as a small YAML mapping file; both parse with
 * this schema so every mistake names its field.
 */
import { z } from 'zod';
import { closest } from '../util/validate.js';

/** Column roles of each form; the first ones are required. */
export const ROLES = {
  bilinear: { required: ['inputTokens', 'outputTokens', 'runtimeS'], optional: ['energyJ'] },
  iteration: { required: ['promptTokens', 'batch', 'outputTokens', 'prefillS', 'decodeStepS'], optional: ['powerW', 'contextTokens'] },
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

/**
 * Terms of the bilinear form, in profile order: the coefficient name, how `llmsim fit` prints the
 * term, and its regressor. `terms:` (or `--terms`) picks which are fitted; the others are 0.
 */
export const BILINEAR_TERMS = {
  a0: { label: 'a0 tin', x: (tin: number, _tout: number) => tin },
  a1: { label: 'a1 tout', x: (_tin: number, tout: number) => tout },
  a2: { label: 'a2 tin*tout', x: (tin: number, tout: number) => tin * tout },
  a3: { label: 'a3 tout^2', x: (_tin: number, tout: number) => tout * tout },
} as const;
export type BilinearTerm = keyof typeof BILINEAR_TERMS;
/** The published Wilkins et al. form. */
export const DEFAULT_BILINEAR_TERMS: readonly BilinearTerm[] = ['a0', 'a1', 'a2'];

/** Forms `llmsim fit` can fit. */
export type FitForm = keyof typeof ROLES;

/** What each role of each form measures, in the unit its values must have after scaling (for help and docs). */
export const ROLE_MEANINGS: { readonly [F in FitForm]: Readonly<Record<(typeof ROLES)[F]['required' | 'optional'][number], string>> } = {
  bilinear: {
    inputTokens: 'input (prompt) tokens of the request, count',
    outputTokens: 'output tokens the request generated, count',
    runtimeS: 'run time of the whole request, s',
    energyJ: 'energy of the whole request, J (without it: no energy block)',
  },
  iteration: {
    promptTokens: 'prompt tokens of each sequence, count',
    batch: 'sequences in the batch, count',
    outputTokens: 'output tokens of each sequence, count',
    prefillS: 'prefill time of the whole batch, s',
    decodeStepS: 'time of one decode step of the whole batch, s',
    powerW: 'mean power of the whole instance while busy, W (without it: profile.power, or no power block)',
    contextTokens: 'context tokens of the whole batch in a decode step (sum over sequences), tokens; default batch*(promptTokens + outputTokens/2), the mean over the steps',
  },
};

/**
 * Why `role` is not a column role of `form` (naming the closest one and every accepted one), or
 * undefined when it is one. The schema cannot say this: which roles exist depends on the form.
 */
export function unknownRoleMessage(form: FitForm, role: string): string | undefined {
  const roles: readonly string[] = [...ROLES[form].required, ...ROLES[form].optional];
  if (roles.includes(role)) return undefined;
  const other = (Object.keys(ROLES) as FitForm[]).find((f) => f !== form && (ROLES[f].required as readonly string[]).concat(ROLES[f].optional).includes(role));
  const near = other ? undefined : closest(role, roles);
  const hint = other ? ` (a role of form ${other})` : near ? ` (did you mean "${near}"?)` : '';
  return `unknown role ${JSON.stringify(role)} for form ${form}${hint}; expected one of: ${roles.join(', ')}, found ${JSON.stringify(role)}`;
}

const column = z.union([
  z.string().min(1).describe('CSV column name, or column names joined by + (their sum)'),
  z.strictObject({
    column: z.string().min(1).describe('CSV column name, or column names joined by + (their sum)'),
    scale: z.number().positive().default(1).describe('Multiplier to the role unit, e.g. 0.001 for ms -> s; multiplies the whole sum'),
  }),
]);

const condition = z.union([z.string(), z.number()]);

/** The mapping file (and the flags, after parsing). */
export const FitSpecSchema = z.strictObject({
  form: z.enum(['bilinear', 'iteration']).describe('Profile form to fit'),
  // Keys are checked against the form's roles by unknownRoleMessage (the roles depend on the form).
  columns: z
    .record(z.string().min(1), column)
    .default({})
    .describe('role: column, or role: { column, scale }; unnamed roles use DEFAULT_COLUMNS'),
  where: z
    .record(z.string(), z.union([condition, z.array(condition).min(1)]))
    .default({})
    .describe('Keep only rows whose column passes the condition: value or =value (text equal), !=value, >=n, >n, <=n, <n, low..high (numeric, ends included); a list: all must hold'),
  terms: z
    .array(z.enum(Object.keys(BILINEAR_TERMS) as [BilinearTerm, ...BilinearTerm[]]))
    .min(1)
    .optional()
    .describe('bilinear: the coefficients to fit (default a0, a1, a2); a3 is per output token squared; the others are 0'),
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
