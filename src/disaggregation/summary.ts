import { distribution, type Distribution } from '../metrics/distribution.js';
import { STATUS_FINISHED } from '../metrics/records.js';
import { roundOrNull } from '../metrics/round.js';
import type { SimResult } from '../simulation/result.js';
import type { StageStats } from './handoff.js';

/** The summary's `disaggregation` block (only in runs with cluster.disaggregation). */
export interface DisaggregationSummary {
  /** KV transfers that started, and their bytes. */
  readonly transfers: number;
  readonly bytes: number;
  /** Sum of transfer times (link time + latency), s. */
  readonly transferSTotal: number | null;
  /** Over finished requests that moved: first token -> KV landed (the wait for room, the link queue and the transfer), s. */
  readonly handoffS: Distribution;
  /** Over finished requests that moved: transfer start -> landed (bytes / bandwidth + latency), s. */
  readonly transferS: Distribution;
  /** Over finished requests that moved: first token -> transfer start (waiting for decode KV room, then for the link), s. */
  readonly kvWaitS: Distribution;
  /** Per stage: replicas, GPUs, mean utilization (busy time / replicas / window). */
  readonly stages: { readonly prefill: StageSummary; readonly decode: StageSummary };
  /** Goodput (requests/s meeting the SLOs) per GPU of the cluster; null without a window. */
  readonly goodputPerGpu: number | null;
}

interface StageSummary {
  readonly replicas: number;
  readonly gpus: number;
  readonly utilization: number | null;
}

/** Reduces a P/D run's transfers and stage counters; `spanS` is the summary's window, `goodRps` its goodput. */
export function summarizeDisaggregation(result: SimResult, spanS: number, goodRps: number | null): DisaggregationSummary | undefined {
  const pd = result.disaggregation;
  if (!pd) return undefined;
  const t = pd.transfers;
  const n = result.requests.length;
  const handoffS = new Float64Array(n).fill(NaN);
  const transferS = new Float64Array(n).fill(NaN);
  const kvWaitS = new Float64Array(n).fill(NaN);
  let transfers = 0, bytes = 0, total = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(t.startS[i]!)) continue;
    transfers++;
    bytes += t.bytes[i]!;
    total += t.endS[i]! - t.startS[i]!;
    if (result.records.status[i] !== STATUS_FINISHED) continue;
    handoffS[i] = t.endS[i]! - t.readyS[i]!;
    transferS[i] = t.endS[i]! - t.startS[i]!;
    kvWaitS[i] = t.startS[i]! - t.readyS[i]!;
  }
  const stage = (s: StageStats): StageSummary => ({ replicas: s.replicas, gpus: s.gpus, utilization: spanS > 0 ? roundOrNull(s.busyS / s.replicas / spanS) : null });
  const gpus = pd.stages.prefill.gpus + pd.stages.decode.gpus;
  return {
    transfers,
    bytes,
    transferSTotal: roundOrNull(total),
    handoffS: distribution(handoffS),
    transferS: distribution(transferS),
    kvWaitS: distribution(kvWaitS),
    stages: { prefill: stage(pd.stages.prefill), decode: stage(pd.stages.decode) },
    goodputPerGpu: goodRps === null ? null : roundOrNull(goodRps / gpus),
  };
}
