import { z } from 'zod';
import type { Request } from '../workload/request.js';
import type { RequestView } from './policy.js';

/** Parameters of the run-time output-length predictor (RT-LM reconstruction). */
export const predictorParams = z
  .strictObject({
    useUncertainty: z.boolean().default(true).describe("Use the request's uncertainty score u as a feature (0 when a request has none)"),
    usePrompt: z.boolean().default(true).describe('Use the prompt length as a feature'),
    refitEvery: z.number().int().positive().default(50).describe('Refit after this many further completions'),
    minSamples: z.number().int().min(2).default(50).describe('Completions needed before the first fit; the prior is used until then'),
    priorOutputTokens: z.number().positive().default(128).describe('Prediction before the first fit, tokens'),
  })
  .default({ useUncertainty: true, usePrompt: true, refitEvery: 50, minSamples: 50, priorOutputTokens: 128 })
  .describe('Output-length predictor: least squares of output tokens on [1, u, prompt tokens], learned from completed requests');
export type PredictorParams = z.output<typeof predictorParams>;

/** Predicts output lengths from what a scheduler sees, learning from completed requests. */
export interface LengthPredictor {
  /** Predicted output tokens (>= 1). */
  predict(request: RequestView): number;
  /** A completed request: its true output length is now known. */
  observe(request: Request): void;
  /** Fitted coefficients [intercept, per unit of u, per 1000 prompt tokens] (0 for unused or constant features); empty before the first fit. */
  coefficients(): readonly number[];
}

const PROMPT_SCALE = 1e-3; // prompt in thousands of tokens: keeps the sums well scaled next to u in [0, 1]
const MIN_VARIANCE = 1e-12; // below this a feature is constant over the data seen: its slope is 0

/**
 * Ordinary least squares, output tokens ~ b0 + b1*u + b2*prompt/1000, on every completion so far.
 * Sufficient statistics (sums of x, y, x x', x y) are accumulated in O(1) per completion; a refit
 * every `refitEvery` completions (once `minSamples` exist) solves for the slopes on centered data
 * (the 2x2 covariance system) and sets the intercept to mean(y) - b.mean(x). Centering makes a
 * feature that has been constant so far (all u = 0, say) get slope 0 instead of an arbitrary
 * share of the intercept. Before the first fit the prior (a constant) is predicted, so ordering by
 * prediction is FCFS-like until then.
 */
export function createLengthPredictor(params: PredictorParams): LengthPredictor {
  let n = 0, sy = 0, s1 = 0, s2 = 0, s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0;
  let beta: [number, number, number] | undefined;
  let sinceFit = 0;
  const u = (r: RequestView) => (params.useUncertainty ? (r.uncertainty ?? 0) : 0);
  const prompt = (r: RequestView) => (params.usePrompt ? r.promptTokens * PROMPT_SCALE : 0);

  function fit(): [number, number, number] {
    const m1 = s1 / n, m2 = s2 / n, my = sy / n;
    const [b1, b2] = solve2(s11 / n - m1 * m1, s12 / n - m1 * m2, s22 / n - m2 * m2, s1y / n - m1 * my, s2y / n - m2 * my);
    return [my - b1 * m1 - b2 * m2, b1, b2];
  }

  return {
    predict(r) {
      if (!beta) return params.priorOutputTokens;
      return Math.max(1, beta[0] + beta[1] * u(r) + beta[2] * prompt(r));
    },
    observe(r) {
      const x1 = u(r), x2 = prompt(r), y = r.outputTokens;
      n++; sy += y; s1 += x1; s2 += x2;
      s11 += x1 * x1; s12 += x1 * x2; s22 += x2 * x2; s1y += x1 * y; s2y += x2 * y;
      sinceFit++;
      if (n >= params.minSamples && (beta === undefined || sinceFit >= params.refitEvery)) {
        beta = fit();
        sinceFit = 0;
      }
    },
    coefficients: () => (beta ? [beta[0], beta[1], beta[2]] : []),
  };
}

/**
 * Solves [[a, b], [b, c]] x = [p, q] for a covariance matrix: a feature with (near) zero variance
 * gets 0 and the other is fitted alone; a singular pair (perfectly correlated) is fitted on the first.
 */
export function solve2(a: number, b: number, c: number, p: number, q: number): [number, number] {
  const use1 = a > MIN_VARIANCE, use2 = c > MIN_VARIANCE;
  if (use1 && use2) {
    const det = a * c - b * b;
    if (det > MIN_VARIANCE * a * c) return [(p * c - b * q) / det, (a * q - b * p) / det];
    return [p / a, 0];
  }
  if (use1) return [p / a, 0];
  if (use2) return [0, q / c];
  return [0, 0];
}
