import { z } from 'zod';
import { MAX_RATE_RPS, MAX_REQUESTS, MAX_TIME_S, MAX_TOKENS, MIN_RATE_RPS } from '../limits.js';

/** Trace file formats; `auto` detects from the extension and the header line. */
export const traceFormats = ['auto', 'llmsim', 'azure', 'mooncake', 'vidur', 'burstgpt', 'sharegpt', 'vllm-bench', 'otel'] as const;
/** A trace file format name. */
export type TraceFormat = (typeof traceFormats)[number];

/** A token count: a whole number >= 1. */
export const tokens = () => z.number().int().min(1).max(MAX_TOKENS);
/** Refinement: `max`, when given, is not below `min`. */
export const notBelowMin = (v: { min: number; max?: number }, ctx: z.core.$RefinementCtx) => {
  if (v.max !== undefined && v.max < v.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `expected max >= min (${v.min})` });
};

const fixedLength = z.strictObject({
  dist: z.literal('fixed').describe('Every request has the same length'),
  tokens: tokens().describe('Length in tokens'),
});
const uniformLength = z
  .strictObject({
    dist: z.literal('uniform').describe('Integers drawn uniformly from [min, max]'),
    min: tokens().describe('Smallest length, tokens (inclusive)'),
    max: tokens().describe('Largest length, tokens (inclusive)'),
  })
  .superRefine(notBelowMin);
const lognormalLength = z
  .strictObject({
    dist: z.literal('lognormal').describe('round(median * exp(sigma * Z)), clamped to [min, max]'),
    median: z.number().positive().max(MAX_TOKENS).describe('Median length, tokens'),
    sigma: z.number().min(0).max(20).describe('Standard deviation of the log-length (at most 20)'),
    min: tokens().default(1).describe('Lower clamp, tokens'),
    max: tokens().optional().describe(`Upper clamp, tokens (default ${MAX_TOKENS}, the token limit)`),
  })
  .superRefine(notBelowMin);
const empiricalLength = z.strictObject({
  dist: z.literal('empirical').describe("Sample with replacement from a trace file's column"),
  path: z.string().min(1).describe("Trace file, relative to the scenario file's directory"),
  format: z.enum(traceFormats).default('auto').describe('Format of that trace file'),
  column: z.enum(['prompt', 'output']).optional().describe('Which column to sample; defaults to the one being generated'),
});
const uncertaintyLognormalLength = z
  .strictObject({
    dist: z.literal('uncertainty-lognormal').describe('RT-LM reconstruction: log-length ~ N(logMeanBase + logMeanPerU * u, sigma^2)'),
    logMeanBase: z.number().min(-100).max(100).describe('Mean log-length at uncertainty u = 0 (within +-100)'),
    logMeanPerU: z.number().min(-100).max(100).describe('Added to the mean log-length per unit of uncertainty (within +-100)'),
    sigma: z.number().min(0).max(20).describe('Standard deviation of the log-length around its mean (at most 20)'),
    min: tokens().default(1).describe('Lower clamp, tokens'),
    max: tokens().optional().describe(`Upper clamp, tokens (default ${MAX_TOKENS}, the token limit)`),
  })
  .superRefine(notBelowMin);

/** A prompt-length distribution. */
export const promptLengthSchema = z.discriminatedUnion('dist', [fixedLength, uniformLength, lognormalLength, empiricalLength]);
/** An output-length distribution: the prompt ones plus one that depends on the uncertainty score. */
export const outputLengthSchema = z.discriminatedUnion('dist', [fixedLength, uniformLength, lognormalLength, empiricalLength, uncertaintyLognormalLength]);
/** A length distribution as validated. */
export type LengthSpec = z.output<typeof outputLengthSchema>;
/** A length distribution that needs no file and no uncertainty score (session turns and messages). */
export const plainLengthSchema = z.discriminatedUnion('dist', [fixedLength, uniformLength, lognormalLength]);

const rateRps = () => z.number().min(MIN_RATE_RPS).max(MAX_RATE_RPS).describe(`Mean arrival rate, requests per second, in [${MIN_RATE_RPS}, ${MAX_RATE_RPS}]`);
/** An arrival process; arrivals are at the partial sums of the gaps, the first one gap after 0. */
export const arrivalSchema = z.discriminatedUnion('process', [
  z.strictObject({ process: z.literal('poisson').describe('Exponential gaps'), rateRps: rateRps() }),
  z.strictObject({
    process: z.literal('gamma').describe('Gamma renewal process with gaps of shape 1/cv^2'),
    rateRps: rateRps(),
    cv: z.number().min(1e-3).max(1e3).describe('Coefficient of variation of the gaps (1 = Poisson, > 1 bursty), in [0.001, 1000]'),
  }),
  z.strictObject({ process: z.literal('deterministic').describe('Evenly spaced, gap 1/rateRps'), rateRps: rateRps() }),
]);
/** An arrival process as validated. */
export type ArrivalSpec = z.output<typeof arrivalSchema>;

/** Most requests one workload may generate: beyond this a typo (durationS in ms?) is likelier than intent (src/limits.ts). */
export const MAX_SYNTHETIC_REQUESTS = MAX_REQUESTS;

/** Refinement of a generator: exactly one of count or durationS, and not absurdly many arrivals. */
export function countOrDuration(v: { count?: number; durationS?: number; arrival: ArrivalSpec }, ctx: z.core.$RefinementCtx): void {
  if (v.count === undefined && v.durationS === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'expected count or durationS (or both), found neither' });
  }
  if (v.count === undefined && v.durationS !== undefined && v.durationS * v.arrival.rateRps > MAX_SYNTHETIC_REQUESTS) {
    ctx.addIssue({ code: 'custom', path: ['durationS'], message: `expected durationS * rateRps <= ${MAX_SYNTHETIC_REQUESTS} requests (rateRps ${v.arrival.rateRps})` });
  }
  // count alone: the last arrival comes near count / rateRps, which must stay simulated time.
  if (v.count !== undefined && v.durationS === undefined && v.count / v.arrival.rateRps > MAX_TIME_S) {
    ctx.addIssue({ code: 'custom', path: ['arrival', 'rateRps'], message: `expected count / rateRps <= ${MAX_TIME_S} s of arrivals (count ${v.count})` });
  }
}
