import { STATUS_FINISHED, STATUS_TIMED_OUT } from './records.js';
import type { Slo } from './goodput.js';
import { LIMIT_SLACK_S, deadlineMet, latencyColumns } from './request-metrics.js';
import { roundOrNull } from './round.js';
import type { SimResult } from '../simulation/result.js';

/** Percentiles reported for each latency, as `p<N>_<metric>_ms` (vLLM's --metric-percentiles). */
export const VLLM_PERCENTILES = [90, 95, 99] as const;

/** Options of the vLLM-bench export. */
export interface VllmBenchOptions {
  readonly slo?: Slo;
  /** Leave out requests arriving in the first `warmupS` seconds after the first arrival. */
  readonly warmupS?: number;
  /** Leave out requests arriving in the last `cooldownS` seconds before the last arrival. */
  readonly cooldownS?: number;
  /** The workload's client concurrency limit, if any (vLLM's max_concurrency). */
  readonly maxConcurrency?: number;
}

/**
 * Requests sent per second: (n - 1) arrivals after the first over the span from the first
 * arrival to the last; null for fewer than two or a zero span. For a Poisson workload of rate
 * lambda this estimates lambda; for a trace it is the trace's own average rate.
 */
export function offeredRate(result: SimResult, from = 0, to = result.requests.length): number | null {
  const n = to - from;
  if (n < 2) return null;
  const span = result.requests[to - 1]!.arrivalS - result.requests[from]!.arrivalS;
  return span > 0 ? (n - 1) / span : null;
}

/**
 * A run in the shape of `vllm bench serve --save-result` (vLLM's benchmarks/serve.py): the same
 * keys and units (latencies in ms, rates per second, `duration` in s), so tables and scripts built
 * for vLLM's results read llmsim's. Computed from the per-request records:
 *
 * - measured requests: those arriving in [first + warmupS, last - cooldownS] (all by default);
 *   `duration` runs from the first measured arrival to the last measured end (finish, rejection
 *   or time-out), and the throughputs divide by it; `completed` counts the finished ones,
 *   `failed` the rejected and timed-out ones, and the token totals count completed requests.
 * - `ttft`, `tpot` (outputs of more than one token), `e2el`: mean, median, std (population, as
 *   numpy's default), p90, p95, p99 of the completed requests, ms.
 * - `itl`: llmsim does not record each token's time, only a request's first token and its end.
 *   Each completed request of n > 1 output tokens contributes n - 1 inter-token latencies, all
 *   equal to its TPOT. `mean_itl_ms` is therefore exact (total decode time over tokens, vLLM's
 *   mean over all ITLs); the median, std and percentiles are those of per-request means weighted
 *   by tokens, so they miss the spread within a request (a prefill stalling one decode step).
 * - `request_goodput`: requests meeting the scenario's SLO (and their deadline) per second; null
 *   without an SLO, as vLLM without --goodput.
 * - `request_rate`: the offered rate of the measured arrivals (see offeredRate), not a setting.
 */
export function vllmBenchResult(result: SimResult, opts: VllmBenchOptions = {}): Record<string, unknown> {
  const { requests, records } = result;
  const n = requests.length;
  const first = n > 0 ? requests[0]!.arrivalS : 0;
  const last = n > 0 ? requests[n - 1]!.arrivalS : 0;
  const lo = first + (opts.warmupS ?? 0);
  const hi = last - (opts.cooldownS ?? 0);
  // Arrivals are sorted (closed-loop turns get theirs when sent, still in id order per session);
  // select by time, not position, so the rule holds for any order.
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (requests[i]!.arrivalS >= lo && requests[i]!.arrivalS <= hi) kept.push(i);
  const lat = latencyColumns(result);
  const slo = opts.slo ?? {};
  const hasSlo = slo.ttftS !== undefined || slo.tpotS !== undefined || slo.e2eS !== undefined;
  let completed = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let good = 0;
  let startS = Infinity;
  let endS = -Infinity;
  const ttft: number[] = [];
  const tpot: number[] = [];
  const e2el: number[] = [];
  const itl: [number, number][] = []; // [per-request ITL, tokens it stands for]
  for (const i of kept) {
    const req = requests[i]!;
    startS = Math.min(startS, req.arrivalS);
    const status = records.status[i];
    const end = status === STATUS_FINISHED ? records.finishS[i]! : status === STATUS_TIMED_OUT ? records.timedOutS[i]! : req.arrivalS;
    endS = Math.max(endS, end);
    if (status !== STATUS_FINISHED) continue;
    completed++;
    inputTokens += req.promptTokens;
    outputTokens += req.outputTokens;
    if (!Number.isNaN(lat.ttftS[i]!)) ttft.push(lat.ttftS[i]! * 1000);
    if (!Number.isNaN(lat.tpotS[i]!)) {
      tpot.push(lat.tpotS[i]! * 1000);
      itl.push([lat.tpotS[i]! * 1000, req.outputTokens - 1]);
    }
    e2el.push(lat.e2eS[i]! * 1000);
    if (hasSlo && deadlineMet(result, lat.e2eS, i) !== false) {
      const e2e = lat.e2eS[i]!;
      const t = Number.isNaN(lat.ttftS[i]!) ? e2e : lat.ttftS[i]!;
      const p = lat.tpotS[i]!;
      if (e2e <= (slo.e2eS ?? Infinity) + LIMIT_SLACK_S && t <= (slo.ttftS ?? Infinity) + LIMIT_SLACK_S && (Number.isNaN(p) || p <= (slo.tpotS ?? Infinity) + LIMIT_SLACK_S)) good++;
    }
  }
  const duration = kept.length > 0 ? endS - startS : 0;
  const perS = (x: number) => (duration > 0 ? roundOrNull(x / duration) : null);
  const out: Record<string, unknown> = {
    duration: roundOrNull(duration),
    completed,
    failed: kept.length - completed,
    total_input_tokens: inputTokens,
    total_output_tokens: outputTokens,
    request_throughput: perS(completed),
    request_goodput: hasSlo ? perS(good) : null,
    output_throughput: perS(outputTokens),
    total_token_throughput: perS(inputTokens + outputTokens),
    request_rate: roundOrNull(offeredRateOf(kept.map((i) => requests[i]!.arrivalS)) ?? undefined),
    max_concurrency: opts.maxConcurrency ?? null,
  };
  addStats(out, 'ttft', ttft.map((v) => [v, 1]));
  addStats(out, 'tpot', tpot.map((v) => [v, 1]));
  addStats(out, 'itl', itl);
  addStats(out, 'e2el', e2el.map((v) => [v, 1]));
  out.llmsim = {
    measured: { requests: kept.length, warmupS: opts.warmupS ?? 0, cooldownS: opts.cooldownS ?? 0, firstArrivalS: kept.length > 0 ? roundOrNull(startS) : null },
    itl: 'per-request TPOT repeated for each of its n - 1 inter-token gaps: the mean is exact, the spread within a request is not recorded',
  };
  return out;
}

function offeredRateOf(arrivals: number[]): number | null {
  if (arrivals.length < 2) return null;
  const span = Math.max(...arrivals) - Math.min(...arrivals);
  return span > 0 ? (arrivals.length - 1) / span : null;
}

/**
 * mean/median/std/pN of values with integer weights, exactly as numpy on the list with each value
 * repeated `weight` times (linear interpolation between closest ranks), without building it.
 */
export function weightedStats(values: readonly [number, number][]): { mean: number; median: number; std: number; percentile(p: number): number } | null {
  const items = values.filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
  const total = items.reduce((s, [, w]) => s + w, 0);
  if (total === 0) return null;
  const mean = items.reduce((s, [v, w]) => s + v * w, 0) / total;
  const std = Math.sqrt(items.reduce((s, [v, w]) => s + w * (v - mean) ** 2, 0) / total);
  const at = (rank: number): number => {
    let seen = 0;
    for (const [v, w] of items) {
      seen += w;
      if (rank < seen) return v;
    }
    return items[items.length - 1]![0];
  };
  const percentile = (p: number) => {
    const h = (p / 100) * (total - 1);
    const lo = Math.floor(h);
    const a = at(lo);
    const b = at(Math.min(lo + 1, total - 1));
    return a + (h - lo) * (b - a);
  };
  return { mean, median: percentile(50), std, percentile };
}

function addStats(out: Record<string, unknown>, name: string, values: [number, number][]): void {
  const s = weightedStats(values);
  out[`mean_${name}_ms`] = s ? roundOrNull(s.mean) : null;
  out[`median_${name}_ms`] = s ? roundOrNull(s.median) : null;
  out[`std_${name}_ms`] = s ? roundOrNull(s.std) : null;
  for (const p of VLLM_PERCENTILES) out[`p${p}_${name}_ms`] = s ? roundOrNull(s.percentile(p)) : null;
}
