import type { SimResult } from '../simulation/result.js';
import { STATUS_FINISHED } from './records.js';
import { LIMIT_SLACK_S, deadlineMet, type LatencyColumns } from './request-metrics.js';

/**
 * Latency service-level objectives, s; each one given must hold for a request to count as good.
 * Same shape as the scenario's `slo` block (src/scenario/schema.ts), which validates it.
 */
export interface Slo {
  readonly ttftS?: number;
  readonly tpotS?: number;
  readonly e2eS?: number;
}

/** Raw counts behind the goodput and deadline figures. */
export interface GoodputCounts {
  /** Finished requests meeting every given SLO and their own deadline, if any. */
  readonly good: number;
  readonly withDeadline: number;
  readonly deadlineMet: number;
}

/**
 * Counts good requests (of `only`, the ids of one class, when given; else of all) (vLLM's goodput: finished within every given SLO) and deadlines met.
 * Requests that carry a deadline must meet it too. Where a metric is not defined for a request:
 * - TTFT on a non-streaming device: the user sees the first token with the whole answer, at
 *   finish, so the TTFT objective is checked against e2e latency;
 * - TPOT for a single-token output or a non-streaming device: there is no inter-token gap, so
 *   the TPOT objective does not apply (e2e bounds such requests).
 */
export function countGoodput(result: SimResult, latency: LatencyColumns, slo: Slo, only?: readonly number[]): GoodputCounts {
  const { requests, records } = result;
  const ttftLimitS = (slo.ttftS ?? Infinity) + LIMIT_SLACK_S;
  const tpotLimitS = (slo.tpotS ?? Infinity) + LIMIT_SLACK_S;
  const e2eLimitS = (slo.e2eS ?? Infinity) + LIMIT_SLACK_S;
  let good = 0;
  let withDeadline = 0;
  let met = 0;
  const count = only?.length ?? requests.length;
  for (let k = 0; k < count; k++) {
    const i = only ? only[k]! : k;
    const onTime = deadlineMet(result, latency.e2eS, i);
    if (onTime !== undefined) {
      withDeadline++;
      if (onTime) met++;
    }
    if (records.status[i] !== STATUS_FINISHED || onTime === false) continue;
    const e2eS = latency.e2eS[i];
    const ttftS = Number.isNaN(latency.ttftS[i]) ? e2eS : latency.ttftS[i];
    const tpotS = latency.tpotS[i];
    if (e2eS <= e2eLimitS && ttftS <= ttftLimitS && (Number.isNaN(tpotS) || tpotS <= tpotLimitS)) good++;
  }
  return { good, withDeadline, deadlineMet: met };
}
