import { z } from 'zod';
import { MAX_RATE_SCALE, MAX_REQUESTS, MAX_TIME_S, MIN_RATE_SCALE } from '../limits.js';
import { MAX_SYNTHETIC_REQUESTS, arrivalSchema, countOrDuration, outputLengthSchema, promptLengthSchema, traceFormats } from './dist-schema.js';
import { sessionsSchema } from './sessions.js';
import { sharedPrefixPromptSchema } from './shared-prefix.js';

export { traceFormats, promptLengthSchema, outputLengthSchema, arrivalSchema, MAX_SYNTHETIC_REQUESTS, type TraceFormat, type LengthSpec, type ArrivalSpec } from './dist-schema.js';

const syntheticSchema = z
  .strictObject({
    count: z.number().int().min(1).max(MAX_SYNTHETIC_REQUESTS).optional().describe('Number of requests (give count, durationS, or both)'),
    durationS: z.number().positive().max(MAX_TIME_S).optional().describe('Generate arrivals in [0, durationS); with count, exactly count arrivals spread over it (the gaps rescaled: for Poisson, the process conditioned on that count)'),
    arrival: arrivalSchema.describe('Arrival process'),
    prompt: z
      .discriminatedUnion('dist', [...promptLengthSchema.options, sharedPrefixPromptSchema])
      .describe('Prompt-length distribution, or shared-prefix: a fixed set of prompts with named shared parts'),
    output: outputLengthSchema.describe('Output-length distribution'),
    uncertainty: z
      .strictObject({
        dist: z.literal('beta').describe('Beta-distributed uncertainty score'),
        a: z.number().positive().describe('Beta shape a'),
        b: z.number().positive().describe('Beta shape b'),
      })
      .optional()
      .describe('Draw an uncertainty score u in [0, 1] per request'),
    model: z.string().min(1).optional().describe('Model name for every request'),
  })
  .superRefine((v, ctx) => {
    countOrDuration(v, ctx);
    if (v.output.dist === 'uncertainty-lognormal' && v.uncertainty === undefined) {
      ctx.addIssue({ code: 'custom', path: ['output', 'dist'], message: 'expected a synthetic.uncertainty block for an uncertainty-dependent output length' });
    }
  });

const traceSchema = z.strictObject({
  path: z.string().min(1).describe("Trace file, relative to the scenario file's directory"),
  format: z.enum(traceFormats).default('auto').describe('auto detects from the extension and header'),
  model: z.string().min(1).optional().describe('Model name for requests that do not name one'),
  mooncakeArrivals: z.enum(['spread', 'burst']).default('spread').describe('Mooncake timestamps come in ~3 s steps: spread each step evenly, or keep the bursts'),
  columns: z
    .strictObject({
      arrival: z.string().min(1).describe('Column (CSV header name or JSON key) of the arrival time'),
      promptTokens: z.string().min(1).describe('Column of the prompt tokens'),
      outputTokens: z.string().min(1).describe('Column of the output tokens'),
      model: z.string().min(1).optional().describe('Column of the model name'),
      class: z.string().min(1).optional().describe('Column of the request class (tenant)'),
      prefix: z.string().min(1).optional().describe('Column of prefix segments, `label:tokens ...` as in the native format'),
    })
    .optional()
    .describe('Read any CSV (with a header) or JSON lines file through this column map; other columns are ignored; format is then not used'),
  time: z
    .strictObject({
      unit: z.enum(['s', 'ms', 'us']).default('s').describe('Unit of numeric arrival times'),
      format: z.enum(['relative', 'epoch', 'iso8601']).default('relative').describe('relative: from the run start, kept as written; epoch: numbers since 1970 in `unit`; iso8601: timestamps such as 2024-05-01T12:00:00.250Z. Epoch and ISO times are made relative to the first row'),
    })
    .optional()
    .describe('How the arrival column of trace.columns is written (default: relative seconds)'),
}).superRefine((t, ctx) => {
  if (t.time !== undefined && t.columns === undefined) ctx.addIssue({ code: 'custom', path: ['time'], message: 'expected trace.columns beside trace.time (time describes the arrival column of a column map), found none' });
});

/** Checks the keys of a mapping by class name (zod's record key errors would not say what was expected). */
export function classNames(record: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const key of Object.keys(record)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `expected a class name (letters, digits, ".", "_" and "-", starting with a letter or digit), found "${key}"` });
  }
}

/** The scenario's `workload:` block. Steps apply in order: read/generate, rateScale, window, limit, uncertainty, deadline, timeout. */
export const workloadSchema = z
  .strictObject({
    trace: traceSchema.optional().describe('Replay a trace file (give one of trace, synthetic, sessions)'),
    synthetic: syntheticSchema.optional().describe('Generate open-loop requests (give one of trace, synthetic, sessions)'),
    sessions: sessionsSchema.optional().describe('Generate closed-loop multi-turn chat sessions (give one of trace, synthetic, sessions)'),
    rateScale: z.number().min(MIN_RATE_SCALE).max(MAX_RATE_SCALE).default(1).describe(`Replay k times faster: arrival times (session starts) are divided by k; think times are not scaled; k in [${MIN_RATE_SCALE}, ${MAX_RATE_SCALE}]`),
    window: z
      .strictObject({
        startS: z.number().min(0).max(MAX_TIME_S).default(0).describe('Keep requests arriving at or after this time (after rateScale)'),
        endS: z.number().positive().max(MAX_TIME_S).optional().describe('Keep requests arriving before this time (none if omitted)'),
      })
      .superRefine((w, ctx) => {
        if (w.endS !== undefined && w.endS <= w.startS) ctx.addIssue({ code: 'custom', path: ['endS'], message: `expected endS > startS (${w.startS})` });
      })
      .optional()
      .describe('Keep arrivals in [startS, endS), then shift times so startS becomes 0; a session is kept whole or dropped, by its start'),
    limit: z.number().int().min(1).max(MAX_REQUESTS).optional().describe('Keep only the first N requests (after the window); sessions are listed whole, so only the last kept one can lose later turns'),
    uncertainty: z
      .strictObject({
        rho: z.number().min(-1).max(1).describe('Gaussian-copula correlation of u with output length (1 = oracle, 0 = noise)'),
      })
      .optional()
      .describe('Derive an uncertainty score from the true output length; replaces any score the trace or generator gave'),
    deadline: z
      .strictObject({
        fixedS: z.number().positive().max(MAX_TIME_S).optional().describe('The same relative deadline for every request, s'),
        baseS: z.number().min(0).max(MAX_TIME_S).optional().describe('Deadline = baseS + perOutputTokenS * output tokens'),
        perOutputTokenS: z.number().min(0).max(1e3).optional().describe('Seconds of deadline per true output token'),
      })
      .superRefine((d, ctx) => {
        const linear = d.baseS !== undefined || d.perOutputTokenS !== undefined;
        if ((d.fixedS !== undefined) === linear) ctx.addIssue({ code: 'custom', path: [], message: `expected either fixedS, or baseS and/or perOutputTokenS, found ${linear ? 'both' : 'neither'}` });
        else if (linear && !((d.baseS ?? 0) > 0 || (d.perOutputTokenS ?? 0) > 0)) ctx.addIssue({ code: 'custom', path: ['baseS'], message: 'expected baseS or perOutputTokenS > 0 (a zero deadline)' });
      })
      .optional()
      .describe('Relative deadlines; replaces deadlines the trace carries'),
    classMix: z
      .record(z.string(), z.number().positive().max(1e6))
      .superRefine(classNames)
      .optional()
      .describe('Request classes by weight (e.g. { interactive: 1, batch: 3 }): each request without a class gets one at random, in proportion (its own seeded stream); see the scenario\'s classes block'),
    timeoutS: z
      .union([
        z.number().positive().max(MAX_TIME_S),
        z.record(z.string().min(1), z.number().positive().max(MAX_TIME_S)).describe('By request class; key `default` for requests of any other class (none: they never time out)'),
      ])
      .optional()
      .describe('Client timeout, s after arrival: a request not finished by then is abandoned (leaves the queue or the batch) and counted as timed out'),
    maxConcurrency: z
      .number()
      .int()
      .min(1)
      .max(MAX_REQUESTS)
      .optional()
      .describe(
        'At most N requests in flight (sent, not ended), as a benchmark client with a concurrency limit (vllm bench serve --max-concurrency; inference-perf workers x max concurrency): a request due while N are in flight is sent when one ends, and its arrival time is when it is sent',
      ),
  })
  .superRefine((w, ctx) => {
    const given = (['trace', 'synthetic', 'sessions'] as const).filter((k) => w[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: 'custom', path: given.slice(1, 2), message: `expected exactly one of trace, synthetic or sessions, found ${given.length === 0 ? 'none' : given.join(' and ')}` });
  });

/** The validated `workload:` block, defaults filled in. */
export type WorkloadSpec = z.output<typeof workloadSchema>;
/** The `workload:` block as a user may write it. */
export type WorkloadInput = z.input<typeof workloadSchema>;
/** The validated `workload.synthetic` block. */
export type SyntheticSpec = NonNullable<WorkloadSpec['synthetic']>;
