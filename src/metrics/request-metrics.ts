import type { SimResult } from '../simulation/result.js';
import { STATUS_FINISHED } from './records.js';

/**
 * Per-request latencies derived from a run, one Float64Array per metric indexed by request id,
 * NaN where the metric is not defined. The summary and requests.csv both read these, so the two
 * can never disagree on what TTFT or TPOT means.
 *
 * Only finished requests get latencies: a rejected request never got an answer, so counting it
 * (as 0 or as its rejection time) would flatter or distort the distributions.
 */
export interface LatencyColumns {
  /** start - arrival: time spent waiting before service began. */
  readonly queueingDelayS: Float64Array;
  /** firstToken - arrival; NaN on devices that do not stream (`slots`). */
  readonly ttftS: Float64Array;
  /** (finish - firstToken) / (output - 1); NaN for single-token outputs and non-streaming devices. */
  readonly tpotS: Float64Array;
  /** finish - arrival. */
  readonly e2eS: Float64Array;
}

/** Computes the latency columns of every request (NaN where not defined). */
export function latencyColumns(result: SimResult): LatencyColumns {
  const { requests, records } = result;
  const n = requests.length;
  const queueingDelayS = new Float64Array(n).fill(NaN);
  const ttftS = new Float64Array(n).fill(NaN);
  const tpotS = new Float64Array(n).fill(NaN);
  const e2eS = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (records.status[i] !== STATUS_FINISHED) continue;
    const req = requests[i];
    const arrivalS = req.arrivalS;
    const firstS = records.firstTokenS[i];
    const finishS = records.finishS[i];
    queueingDelayS[i] = records.startS[i] - arrivalS;
    ttftS[i] = firstS - arrivalS; // NaN propagates for non-streaming devices
    if (req.outputTokens > 1) tpotS[i] = (finishS - firstS) / (req.outputTokens - 1);
    e2eS[i] = finishS - arrivalS;
  }
  return { queueingDelayS, ttftS, tpotS, e2eS };
}

/**
 * Slack for "within a limit" checks, s. Absolute times carry rounding error (a request served at
 * once with a deadline equal to its service time can compute e2e one ulp above it); 1 ns is far
 * above that error for any run shorter than years and far below any meaningful latency.
 */
export const LIMIT_SLACK_S = 1e-9;

/** Whether request `id` finished within its deadline; undefined if it carries none. */
export function deadlineMet(result: SimResult, e2eS: Float64Array, id: number): boolean | undefined {
  const deadlineS = result.requests[id].deadlineS;
  if (deadlineS === undefined) return undefined;
  // Unfinished requests have NaN e2e, and NaN <= x is false: a rejection misses its deadline.
  return e2eS[id] <= deadlineS + LIMIT_SLACK_S;
}
